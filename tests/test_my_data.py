"""A reader's own data (issue 14, point 7): the profile lists their comments, "download my data"
gives a JSON file of everything the site keeps about them, and "delete my account" removes
the account and leaves their comments as placeholders that keep other readers' replies; and
a new reader is signed in when they confirm their address (point 8)."""

import json
import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ACCOUNT_HOLDER, Profile
from accounts.signals import personal_data
from audit.models import AuditEntry
from comments.models import Comment, Report, report_comment, set_status, visible_count
from tests.factories import make_article, make_comment, make_reader, make_staff, make_user
from tests.test_invalidation import cached, fetch
from tests.test_invalidation import page_cache as page_cache  # a fixture

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
DOWNLOAD = reverse("accounts:download_data")
DELETE = reverse("accounts:delete")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    return response.content.decode()


# The profile's list of the reader's comments.


def test_the_profile_lists_the_readers_comments_newest_first_with_the_status_they_may_see(
    reader, moderator
):
    article = make_article(title="Budget passes")
    other_article = make_article(title="Storm warning")
    now = timezone.now()
    visible = make_comment(article, reader, "My visible words.", created_at=now)
    held = make_comment(
        other_article, reader, "My held words.", created_at=now - timezone.timedelta(hours=1)
    )
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.HELD)
    Comment.objects.filter(pk=held.pk).update(held_reason="suspect word: secretword")
    removed = make_comment(
        article, reader, "My removed words.", created_at=now - timezone.timedelta(hours=2)
    )
    set_status(
        Comment.objects.filter(pk=removed.pk),
        Comment.Status.REMOVED,
        by=moderator,
        reason="internal moderator note",
    )
    deleted = make_comment(
        article, reader, "My deleted words.", created_at=now - timezone.timedelta(hours=3)
    )
    set_status(
        Comment.objects.filter(pk=deleted.pk), Comment.Status.REMOVED, deleted_by_author=True
    )
    make_comment(article, make_reader(display_name="Someone Else"), "Not mine at all.")

    response = signed_in(reader).get(PROFILE)

    page = text_of(response)
    assert response.status_code == 200
    items = re.findall(r'<li class="my-comment my-comment--(\w+)">(.*?)</li>', page, re.S)
    assert [status for status, _ in items] == ["visible", "held", "removed", "deleted"]
    assert "Visible" in items[0][1] and "Budget passes" in items[0][1]
    assert f'href="{visible.get_absolute_url()}"' in items[0][1]
    assert "Held for review" in items[1][1] and "Storm warning" in items[1][1]
    assert "Removed by a moderator" in items[2][1]
    assert "Deleted by you" in items[3][1]
    assert "My deleted words." not in page  # the reader deleted it: not shown again
    assert "Not mine at all." not in page
    assert "secretword" not in page and "internal moderator note" not in page
    # Only a visible comment has a place on the article page to link to.
    assert f'href="{held.get_absolute_url()}"' not in page
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_comment_on_an_article_no_longer_published_shows_its_title_without_a_link(reader):
    article = make_article(title="Withdrawn story")
    make_comment(article, reader, "Words on a story taken down.")
    article.status = article.Status.WITHDRAWN
    article.save()

    page = text_of(signed_in(reader).get(PROFILE))

    assert "Withdrawn story" in page and "no longer published" in page
    assert article.get_absolute_url() not in page


def test_the_readers_comments_come_a_page_at_a_time(reader, settings):
    settings.NEWSROOM_PAGE_SIZE = 3
    article = make_article()
    now = timezone.now()
    for n in range(7):
        make_comment(
            article, reader, f"Comment number {n}.", created_at=now - timezone.timedelta(minutes=n)
        )
    client = signed_in(reader)

    first = text_of(client.get(PROFILE))
    last = text_of(client.get(PROFILE, {"comments": 3}))
    beyond = text_of(client.get(PROFILE, {"comments": 99}))
    odd = text_of(client.get(PROFILE, {"comments": "x"}))

    assert re.findall(r"Comment number (\d)", first) == ["0", "1", "2"]
    assert "Page 1 of 3" in first and "?comments=2#my-comments" in first
    assert re.findall(r"Comment number (\d)", last) == ["6"]
    assert re.findall(r"Comment number (\d)", beyond) == ["6"]
    assert re.findall(r"Comment number (\d)", odd) == ["0", "1", "2"]


def test_a_reader_without_comments_is_told_so(reader):
    assert "You have not commented yet." in text_of(signed_in(reader).get(PROFILE))


@pytest.mark.parametrize("count", [1, 50])
def test_the_profile_runs_the_same_queries_however_many_comments(
    reader, count, django_assert_num_queries
):
    articles = [make_article() for _ in range(3)]
    for n in range(count):
        make_comment(articles[n % 3], reader, f"Comment {n}.")
    client = signed_in(reader)
    client.get(PROFILE)  # the session and the navigation are cached from here on
    # the user (the session is in the cache), the profile, the comments' count and their page,
    # the reply-notification preferences; newsletters offered, the reader's verified and other
    # addresses, their subscriptions
    with django_assert_num_queries(9):
        response = client.get(PROFILE)
    assert response.status_code == 200
    assert text_of(response).count('class="my-comment ') == min(count, 20)


# Download my data.


def download(client):
    response = client.post(DOWNLOAD)
    assert response.status_code == 200, response.status_code
    return response, json.loads(response.content)


def test_download_gives_a_json_file_of_the_account_its_comments_and_reports(reader):
    article = make_article(title="Budget passes")
    other = make_reader(display_name="Other Person", email="other@example.com")
    theirs = make_comment(article, other, "The other reader's words.")
    mine = make_comment(article, reader, "My reply.", parent=theirs)
    Comment.objects.filter(pk=mine.pk).update(edited_at=timezone.now())
    reply_to_me = make_comment(article, other, "A reply to me, by someone else.", parent=theirs)
    report_comment(comment=reply_to_me, user=reader, reason="Off topic")
    EmailAddress.objects.create(user=reader, email="second@example.com", verified=False)

    response, data = download(signed_in(reader))

    today = timezone.localdate().isoformat()
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="newsroom-data-{today}.json"'
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert set(data) >= {"account", "comments", "reports", "exported_at"}
    account = data["account"]
    assert account["display_name"] == "Anna Reader"
    assert account["email_addresses"] == [
        {"email": "reader1@example.com", "primary": True, "verified": True},
        {"email": "second@example.com", "primary": False, "verified": False},
    ]
    assert account["date_joined"] == reader.date_joined.isoformat()
    assert account["last_login"] is not None  # force_login signed the reader in
    [comment] = data["comments"]
    assert comment["article"] == "Budget passes"
    assert comment["article_url"] == f"http://testserver{article.get_absolute_url()}"
    assert comment["url"] == f"http://testserver{mine.get_absolute_url()}"
    assert comment["in_reply_to"] == f"http://testserver{theirs.get_absolute_url()}"
    assert comment["text"] == "My reply."
    assert comment["status"] == "visible"
    assert comment["created_at"] and comment["edited_at"]
    assert data["reports"] == [
        {
            "comment_url": f"http://testserver{reply_to_me.get_absolute_url()}",
            "reason": "Off topic",
            "created_at": Report.objects.get().created_at.isoformat(),
        }
    ]
    # Nothing of the other reader: not their name, address or words.
    file = response.content.decode()
    for their_data in ["Other Person", "other@example.com", "The other reader", "A reply to me"]:
        assert their_data not in file


def test_the_file_is_readable_utf_8():
    reader = make_reader("zoe", display_name="Zoë Παπαδοπούλου")
    response, data = download(signed_in(reader))
    assert data["account"]["display_name"] == "Zoë Παπαδοπούλου"
    assert "Zoë Παπαδοπούλου" in response.content.decode("utf-8")  # not \u escapes


def test_download_says_what_the_reader_sees_of_each_comments_status(reader):
    article = make_article()
    held = make_comment(article, reader, "Held.")
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.HELD)
    Comment.objects.filter(pk=held.pk).update(held_reason="suspect word: hush")
    deleted = make_comment(article, reader, "Deleted.")
    set_status(
        Comment.objects.filter(pk=deleted.pk), Comment.Status.REMOVED, deleted_by_author=True
    )

    response, data = download(signed_in(reader))

    assert sorted(c["status"] for c in data["comments"]) == ["deleted", "held"]
    assert "hush" not in response.content.decode()


def test_other_apps_sections_join_the_file_through_the_signal(reader):
    def subscriptions(sender, user, **kwargs):
        return {"subscriptions": [{"newsletter": "Daily digest", "reader": user.pk}]}

    personal_data.connect(subscriptions)
    try:
        _response, data = download(signed_in(reader))
    finally:
        personal_data.disconnect(subscriptions)

    assert data["subscriptions"] == [{"newsletter": "Daily digest", "reader": reader.pk}]
    assert "comments" in data


def test_download_is_a_post_for_a_signed_in_reader(client, reader):
    assert client.post(DOWNLOAD).status_code == 302
    assert reverse("account_login") in client.post(DOWNLOAD)["Location"]
    assert signed_in(reader).get(DOWNLOAD).status_code == 405


def test_downloads_are_limited_per_hour_with_a_page_that_says_how_long(reader, settings):
    settings.NEWSROOM_DATA_EXPORTS_PER_HOUR = 2
    client = signed_in(reader)
    download(client)
    download(client)

    refused = client.post(DOWNLOAD)

    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    page = text_of(refused)
    assert "again in 60 minutes" in page and '<link rel="stylesheet"' in page
    # Another reader is not held back by this one.
    download(signed_in(make_reader()))


def test_the_file_takes_linear_time_and_fixed_queries_as_comments_grow(
    reader, settings, django_assert_num_queries
):
    settings.NEWSROOM_DATA_EXPORTS_PER_HOUR = 0
    articles = [make_article() for _ in range(10)]
    timings = {}
    made = 0
    client = signed_in(reader)
    client.get(PROFILE)
    for size in (500, 2000):
        Comment.objects.bulk_create(
            Comment(article=articles[n % 10], user=reader, body=f"Words number {n}.")
            for n in range(made, size)
        )
        made = size
        # the user (the session is in the cache), profile, e-mail addresses, comments, reports,
        # notification preferences, the addresses and the subscribers with their subscriptions
        with django_assert_num_queries(8):
            _response, data = download(client)
        assert len(data["comments"]) == size
        runs = []
        for _ in range(3):  # the fastest of three: the machine is shared
            started = time.perf_counter()
            download(client)
            runs.append(time.perf_counter() - started)
        timings[size] = min(runs)
    # Four times the comments: about four times the time, far from the sixteen of a quadratic.
    assert timings[2000] < timings[500] * 8, timings


# Delete my account.


def discussion_with_a_leaving_reader():
    article = make_article(title="A discussed story")
    leaving = make_reader("leaving", display_name="Leaving Reader")
    staying = make_reader("staying", display_name="Staying Reader")
    thread = make_comment(article, leaving, "Words of the reader who leaves.")
    reply = make_comment(article, staying, "A reply that must stay.", parent=thread)
    report_comment(comment=reply, user=leaving, reason="Rude")
    return article, leaving, staying, thread, reply


def test_the_delete_page_says_what_will_happen_and_asks_for_the_password(reader):
    response = signed_in(reader).get(DELETE)

    page = text_of(response)
    assert response.status_code == 200
    assert "shows as “comment deleted”" in page and "replies to your comments stay" in page
    assert "subscriptions and notification preferences are removed" in page
    form = page[page.index('<form method="post" class="account-form"') :]
    form = form[: form.index("</form>")]
    assert 'type="password"' in form and 'name="email"' not in form
    assert "no-store" in response["Cache-Control"]


def test_a_wrong_password_keeps_the_form_with_an_error_and_deletes_nothing():
    article, leaving, _staying, thread, _reply = discussion_with_a_leaving_reader()
    client = signed_in(leaving)

    response = client.post(DELETE, {"password": "not-my-password"})

    assert response.status_code == 200
    page = text_of(response)
    assert "This is not your password. Nothing was deleted." in page
    assert 'aria-describedby="id_password_error"' in page and 'id="id_password_error"' in page
    assert "not-my-password" not in page  # a password is never sent back
    assert get_user_model().objects.filter(pk=leaving.pk).exists()
    thread.refresh_from_db()
    assert thread.is_visible and thread.body == "Words of the reader who leaves."
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).exists()
    assert client.get(PROFILE).status_code == 200  # still signed in


def test_the_right_password_deletes_the_account_keeps_others_replies_and_signs_out():
    article, leaving, staying, thread, reply = discussion_with_a_leaving_reader()
    assert visible_count(article) == 2
    client = signed_in(leaving)
    pk = leaving.pk

    response = client.post(DELETE, {"password": "pw-12345678"}, follow=True)

    assert response.redirect_chain == [(reverse("accounts:deleted"), 302)]
    assert "Your account is deleted" in text_of(response)
    assert not get_user_model().objects.filter(pk=pk).exists()
    assert not Profile.objects.filter(user_id=pk).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert not Report.objects.filter(reason="Rude").exists()
    thread.refresh_from_db()
    assert thread.user_id is None and thread.deleted_by_author and thread.body == ""
    reply.refresh_from_db()
    assert reply.is_visible and reply.parent_id == thread.pk and reply.user_id == staying.pk
    assert visible_count(article) == 1
    assert client.get(PROFILE).status_code == 302  # signed out
    assert "_auth_user_id" not in client.session


def test_the_audit_log_records_the_deletion_without_personal_data():
    _article, leaving, *_ = discussion_with_a_leaving_reader()
    pk = leaving.pk

    signed_in(leaving).post(DELETE, {"password": "pw-12345678"})

    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETE)
    log = signed_in(make_user("boss", is_staff=True, is_superuser=True))
    listing = text_of(log.get(reverse("admin:audit_auditentry_changelist")))
    assert f"reader account #{pk}" in listing
    assert entry.object_id == pk and entry.content_type.model == "user"
    assert entry.actor is None and entry.actor_name == ACCOUNT_HOLDER
    assert entry.target_repr == f"reader account #{pk}"
    recorded = json.dumps([entry.target_repr, entry.actor_name, entry.reason, entry.details])
    for personal in ["leaving", "Leaving Reader", "example.com"]:
        assert personal not in recorded


def test_the_moderation_log_of_a_deleted_readers_comments_no_longer_names_them(moderator):
    article, leaving, *_ = discussion_with_a_leaving_reader()
    other = make_comment(article, make_reader("stays"), "Someone else's words.")
    removed = make_comment(article, leaving, "Words a moderator removed.")
    for comment in (removed, other):
        set_status(
            Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, by=moderator, reason="r"
        )
    assert "leaving" in AuditEntry.objects.about(removed).get().target_repr

    signed_in(leaving).post(DELETE, {"password": "pw-12345678"})

    entry = AuditEntry.objects.about(removed).get()
    assert entry.target_repr == f"comment #{removed.pk} (account deleted)"
    assert entry.actor == moderator and entry.details["new_status"] == "removed"
    assert "stays" in AuditEntry.objects.about(other).get().target_repr


def test_the_cached_article_page_shows_comment_deleted_on_the_next_request(page_cache):
    article, leaving, _staying, _thread, _reply = discussion_with_a_leaving_reader()
    url = article.get_absolute_url()
    before = cached(url)
    assert "Words of the reader who leaves." in before and "Leaving Reader" in before
    assert '<span class="comments__count">2</span>' in before

    signed_in(leaving).post(DELETE, {"password": "pw-12345678"})

    state, page = fetch(url)
    assert state != "hit"
    assert "Comment deleted by its author" in page
    assert "Words of the reader who leaves." not in page and "Leaving Reader" not in page
    assert "A reply that must stay." in page and "Staying Reader" in page
    assert '<span class="comments__count">1</span>' in page


def test_an_account_without_a_password_confirms_with_its_email_address():
    reader = make_reader("nopass", display_name="No Password")
    reader.set_unusable_password()
    reader.save()
    client = signed_in(reader)
    page = text_of(client.get(DELETE))
    assert 'name="email"' in page and 'type="password"' not in page

    wrong = client.post(DELETE, {"email": "someone@example.com"})
    assert "This is not your account&#x27;s e-mail address" in text_of(wrong)
    assert get_user_model().objects.filter(pk=reader.pk).exists()

    client.post(DELETE, {"email": "  NOPASS@example.com "})
    assert not get_user_model().objects.filter(pk=reader.pk).exists()


def test_staff_accounts_are_not_deleted_from_the_profile(editor):
    client = signed_in(editor)
    assert "An administrator removes staff accounts" in text_of(client.get(DELETE))
    client.post(DELETE, {"password": "pw-12345678"})
    assert get_user_model().objects.filter(pk=editor.pk).exists()


def test_the_sign_in_records_of_a_deleted_account_go_with_it(client):
    leaving = make_reader("leaving")
    keeper = make_staff("keeper", group="Editor")
    client.post(reverse("account_login"), {"login": leaving.email, "password": "pw-12345678"})
    Client().post(reverse("account_login"), {"login": leaving.email, "password": "a guess"})
    assert AccessLog.objects.filter(username="leaving").exists()
    assert AccessAttempt.objects.filter(username="leaving").exists()
    AccessLog.objects.create(username="keeper", ip_address="127.0.0.1", user_agent="x")

    client.post(DELETE, {"password": "pw-12345678"})

    assert not AccessLog.objects.filter(username="leaving").exists()
    assert not AccessAttempt.objects.filter(username="leaving").exists()
    assert AccessLog.objects.filter(username=keeper.username).exists()


def test_password_guesses_on_the_delete_form_are_rate_limited(reader):
    client = signed_in(reader)
    codes = [client.post(DELETE, {"password": f"guess-{n}"}).status_code for n in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    assert client.post(DELETE, {"password": "pw-12345678"}).status_code == 429
    assert get_user_model().objects.filter(pk=reader.pk).exists()


def test_delete_needs_sign_in(client):
    response = client.get(DELETE)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# Signed in on confirming the address (point 8).

SIGNUP = {
    "email": "new@example.com",
    "display_name": "New Reader",
    "password1": "a-long-passphrase-9",
    "password2": "a-long-passphrase-9",
}


def confirmation_path(smtp_server):
    message = smtp_server.only_message_to("new@example.com")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", smtp_server.text_of(message))
    return link.group(0).split("testserver", 1)[1]


def test_confirming_the_address_in_the_browser_that_signed_up_signs_the_reader_in(
    smtp_server,
):
    browser = Client()
    sent = browser.post(reverse("account_signup"), SIGNUP, follow=True)
    assert "Open the link in this browser" in text_of(sent)
    smtp_server.wait_for(1)
    path = confirmation_path(smtp_server)
    assert "you will be signed in once you confirm" in text_of(browser.get(path))

    browser.post(path)

    user = get_user_model().objects.get(email="new@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert browser.session["_auth_user_id"] == str(user.pk)
    assert browser.get(PROFILE).status_code == 200


def test_confirming_in_another_browser_confirms_and_asks_to_sign_in(smtp_server):
    Client().post(reverse("account_signup"), SIGNUP)
    smtp_server.wait_for(1)
    other_browser = Client()

    response = other_browser.post(confirmation_path(smtp_server))

    user = get_user_model().objects.get(email="new@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in other_browser.session


def test_confirming_long_after_signing_up_confirms_and_asks_to_sign_in(smtp_server, settings):
    browser = Client()
    browser.post(reverse("account_signup"), SIGNUP)
    smtp_server.wait_for(1)
    later = timezone.now() + timezone.timedelta(seconds=settings.ACCOUNT_LOGIN_TIMEOUT + 60)

    with time_machine.travel(later):
        response = browser.post(confirmation_path(smtp_server))

    user = get_user_model().objects.get(email="new@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in browser.session
