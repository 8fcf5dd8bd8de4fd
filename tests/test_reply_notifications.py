"""Reply notifications (comments/notifications.py): a reader is mailed of a reply to their
comment or of their held comment's approval, at most once per thread per hour with a digest of
the rest; mail read as a mail client reads it, from a real SMTP server."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.signals import personal_data
from articles.models import Article
from comments.models import (
    Comment,
    CommentBan,
    ModerationSettings,
    NotificationPreferences,
    ReplyNotification,
    post_comment,
    set_status,
)
from comments.notifications import unsubscribe_token
from newsroom import tasks
from tests.factories import make_article, make_reader, make_staff
from tests.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue(settings):
    """The production task queue (django-tasks-db): tasks wait for a worker's batch."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return run_worker


@pytest.fixture
def anna(db):
    return make_reader("anna", display_name="Anna Reader")


@pytest.fixture
def thread(anna):
    return post_comment(article=make_article(title="Bridges of the north"), user=anna, body="A")[0]


def reply(thread, body="I disagree.", user=None):
    user = user or make_reader(display_name="Boris Replier")
    return post_comment(article=thread.article, user=user, body=body, parent=thread)[0]


def subject(message):
    # Django folds a long header right after its name, which leaves a space.
    return message["Subject"].strip()


def links(text):
    return re.findall(r"https?://\S+", text)


def test_a_reply_mails_html_and_text_with_its_link_and_one_click_unsubscribe(
    smtp_server, settings, thread
):
    settings.SITE_URL = "https://news.example"
    answer = reply(thread, "Not so: <b>the bridge</b> was built in 1931.")

    message = smtp_server.only_message_to("anna@example.com")
    assert subject(message) == (
        "[Newsroom] Boris Replier replied to your comment on “Bridges of the north”"
    )
    unsubscribe_url = f"https://news.example{reverse('comments:unsubscribe', args=['T'])}"
    assert re.fullmatch(
        "<" + re.escape(unsubscribe_url).replace("T", "[^/]+") + ">",
        message["List-Unsubscribe"].strip(),
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text, html = smtp_server.text_of(message), smtp_server.html_of(message)
    reply_url = f"https://news.example{answer.get_absolute_url()}"
    one_click = message["List-Unsubscribe"].strip().strip("<>")
    assert reply_url in links(text)
    assert one_click in links(text)
    assert "Not so: <b>the bridge</b> was built in 1931." in text
    assert f'href="{reply_url}"' in html
    assert f'href="{one_click}"' in html
    assert "Not so: &lt;b&gt;the bridge&lt;/b&gt; was built in 1931." in html
    assert "Boris Replier replied:" in html
    assert "Your comment: A" in text  # what was replied to

    # The link in the mail is the reader's own: its POST (RFC 8058) turns the mails off.
    response = Client(enforce_csrf_checks=True).post(
        one_click.removeprefix("https://news.example"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert not NotificationPreferences.objects.get(user=thread.user).replies


def test_one_mail_then_one_digest_per_thread_per_hour(smtp_server, queue, thread):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = reply(thread, "First!")
        queue()
        assert [subject(m) for m in smtp_server.to("anna@example.com")] == [
            "[Newsroom] Boris Replier replied to your comment on “Bridges of the north”"
        ]

        clock.shift(timedelta(minutes=10))
        second = reply(thread, "Second.")
        clock.shift(timedelta(minutes=5))
        third = reply(thread, "Third.")
        queue()
        assert len(smtp_server.to("anna@example.com")) == 1  # within the hour: waits

        clock.shift(timedelta(minutes=44))  # 59 minutes after the first mail
        queue()
        assert len(smtp_server.to("anna@example.com")) == 1

        clock.shift(timedelta(minutes=1))
        queue()
        digest = smtp_server.to("anna@example.com")[1]
        assert (
            subject(digest)
            == "[Newsroom] 2 new replies in the discussion of “Bridges of the north”"
        )
        text = smtp_server.text_of(digest)
        assert "Second." in text and "Third." in text and "First!" not in text
        for comment in (second, third):
            assert f"http://localhost:8000{comment.get_absolute_url()}" in links(text)
        assert f"http://localhost:8000{first.get_absolute_url()}" not in links(text)

        # Two hours later the thread is quiet again: the next reply is mailed at once.
        clock.shift(timedelta(hours=2))
        reply(thread, "Much later.")
        queue()
        assert len(smtp_server.to("anna@example.com")) == 3


def test_threads_are_throttled_separately(smtp_server, anna):
    article = make_article()
    one = post_comment(article=article, user=anna, body="One")[0]
    two = post_comment(article=article, user=anna, body="Two")[0]
    reply(one)
    reply(two)
    assert len(smtp_server.to("anna@example.com")) == 2


def test_no_mail_for_a_reply_to_oneself(smtp_server, thread):
    reply(thread, "And another thing.", user=thread.user)
    assert smtp_server.messages == []
    assert not ReplyNotification.objects.exists()


def test_a_held_reply_mails_nobody_until_a_moderator_approves_it(smtp_server, thread):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"premoderation": True})
    boris = make_reader("boris", display_name="Boris Replier")
    held = reply(thread, "Wait for it.", user=boris)
    assert held.status == Comment.Status.HELD
    assert smtp_server.messages == []

    set_status(
        Comment.objects.filter(pk=held.pk),
        Comment.Status.VISIBLE,
        by=make_staff("mod", group="Moderator"),
    )
    told = smtp_server.only_message_to("anna@example.com")
    assert "replied to your comment" in subject(told)
    approved = smtp_server.only_message_to("boris@example.com")
    assert subject(approved) == "[Newsroom] Your comment on “Bridges of the north” is published"
    assert f"http://localhost:8000{held.get_absolute_url()}" in links(smtp_server.text_of(approved))

    # Approved again after a later hold (an edit): nobody is told twice of the same comment.
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.HELD)
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.VISIBLE, by="someone")
    assert len(smtp_server.messages) == 2


def test_a_reply_hidden_by_readers_reports_is_not_announced_again_on_approval(smtp_server, thread):
    answer = reply(thread)
    assert len(smtp_server.messages) == 1
    ModerationSettings.objects.update_or_create(pk=1, defaults={"report_threshold": 1})
    from comments.models import report_comment

    report_comment(comment=answer, user=make_reader(), reason="rude")
    answer.refresh_from_db()
    assert answer.status == Comment.Status.HELD
    set_status(Comment.objects.filter(pk=answer.pk), Comment.Status.VISIBLE, by="moderator")
    assert len(smtp_server.messages) == 1


def test_a_reply_removed_before_the_digest_goes_out_is_not_in_it(smtp_server, queue, thread):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        reply(thread, "First!")
        queue()
        clock.shift(timedelta(minutes=5))
        gone = reply(thread, "Spam spam spam.")
        queue()
        set_status(Comment.objects.filter(pk=gone.pk), Comment.Status.REMOVED, by="moderator")
        clock.shift(timedelta(hours=1))
        queue()
    assert len(smtp_server.to("anna@example.com")) == 1
    assert ReplyNotification.objects.get(comment=gone).outcome == "dropped"


@pytest.mark.parametrize("reason", ["unverified", "preferences off", "banned", "deactivated"])
def test_no_mail_to_a_reader_who_cannot_or_will_not_receive_it(smtp_server, thread, reason):
    anna = thread.user
    if reason == "unverified":
        EmailAddress.objects.filter(user=anna).update(verified=False)
    elif reason == "preferences off":
        NotificationPreferences.objects.create(user=anna, replies=False)
    elif reason == "banned":
        CommentBan.objects.create(user=anna, reason="abuse")
    else:
        anna.is_active = False
        anna.save()
    reply(thread)
    assert smtp_server.messages == []


def test_approval_mails_can_be_turned_off_alone(smtp_server, anna):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"premoderation": True})
    NotificationPreferences.objects.create(user=anna, approvals=False)
    held = post_comment(article=make_article(), user=anna, body="Held")[0]
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.VISIBLE, by="moderator")
    assert smtp_server.messages == []


def test_one_click_unsubscribe_needs_no_session_nor_csrf_token_and_a_get_changes_nothing(anna):
    url = reverse("comments:unsubscribe", args=[unsubscribe_token(anna)])
    client = Client(enforce_csrf_checks=True)

    page = client.get(url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert b'<button type="submit">Unsubscribe</button>' in page.content
    assert NotificationPreferences.of(anna).replies

    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert b"You are unsubscribed" in done.content
    preferences = NotificationPreferences.objects.get(user=anna)
    assert (preferences.replies, preferences.approvals) == (False, False)


def test_a_forged_or_damaged_token_unsubscribes_nobody(anna):
    token = unsubscribe_token(anna)
    client = Client(enforce_csrf_checks=True)
    for bad in (token[:-2] + "xx", "hello"):
        response = client.post(reverse("comments:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert b"not valid" in response.content
    assert not NotificationPreferences.objects.exists()


def test_the_profile_shows_the_preferences_and_saves_them(client, anna):
    client.force_login(anna)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'action="/comments/notifications/"' in page
    assert 'name="replies" id="id_replies" checked' in page

    response = client.post(reverse("comments:notification_preferences"), {"approvals": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile") + "#notifications"
    preferences = NotificationPreferences.objects.get(user=anna)
    assert (preferences.replies, preferences.approvals) == (False, True)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="replies" id="id_replies">' in page
    assert "Your e-mail preferences have been saved." in page


def test_the_preferences_form_needs_a_signed_in_reader(client):
    response = client.post(reverse("comments:notification_preferences"), {"replies": "on"})
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not NotificationPreferences.objects.exists()


def test_the_readers_data_holds_their_notification_preferences(anna):
    NotificationPreferences.objects.create(user=anna, approvals=False)
    sections = {}
    for _receiver, answer in personal_data.send(sender=type(anna), user=anna):
        sections |= answer
    assert sections["notification_preferences"] == {
        "replies_to_my_comments": True,
        "my_held_comment_approved": False,
    }


# After a reply: the discussion's parts (count, a page of threads, their replies) are made
# again; everything else on the page comes from its cached parts.
DISCUSSION_QUERIES = 3


@pytest.mark.parametrize("replies", [1, 12])
def test_the_page_keeps_its_query_count_with_the_page_cache_on(
    client, smtp_server, django_assert_num_queries, thread, replies
):
    for number in range(replies):
        reply(thread, f"Reply {number}")
    url = thread.article.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"

    reply(thread, "Fresh news.")
    assert len(smtp_server.messages) == 1  # the first reply mailed; the others wait an hour
    with django_assert_num_queries(DISCUSSION_QUERIES):
        fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Fresh news." in fresh.content.decode()
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_digest_with_an_approval_and_replies_says_both(smtp_server, queue, thread):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        reply(thread, "First!")
        queue()
        ModerationSettings.objects.update_or_create(pk=1, defaults={"premoderation": True})
        own = reply(thread, "An afterthought of mine.", user=thread.user)  # held
        set_status(Comment.objects.filter(pk=own.pk), Comment.Status.VISIBLE, by="moderator")
        ModerationSettings.objects.filter(pk=1).update(premoderation=False)
        reply(thread, "Second.")
        queue()
        clock.shift(timedelta(hours=1))
        queue()
    first, digest = smtp_server.to("anna@example.com")
    assert subject(digest) == (
        "[Newsroom] Your comment is published and 1 new reply in the discussion of "
        "“Bridges of the north”"
    )
    text = smtp_server.text_of(digest)
    assert "Your comment is now published:" in text and "An afterthought of mine." in text
    assert "Boris Replier replied:" in text and "Second." in text


def test_no_digest_about_an_article_withdrawn_meanwhile(smtp_server, queue, thread):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        reply(thread, "First!")
        queue()
        clock.shift(timedelta(minutes=5))
        later_reply = reply(thread, "Second.")
        queue()
        Article.objects.filter(pk=thread.article_id).update(status=Article.Status.WITHDRAWN)
        clock.shift(timedelta(hours=1))
        queue()
    assert len(smtp_server.to("anna@example.com")) == 1
    assert ReplyNotification.objects.get(comment=later_reply).outcome == "dropped"


def test_posting_a_reply_only_queues_the_notification_and_the_worker_mails_it(
    client, smtp_server, queue, thread
):
    from django_tasks_db.models import DBTaskResult

    client.force_login(make_reader("boris", display_name="Boris Replier"))
    response = client.post(
        reverse("comments:create", args=[thread.article_id]),
        {"body": "Posted, not waiting for any mail.", "parent": thread.pk},
    )
    assert response.status_code == 302
    assert smtp_server.messages == []
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "comments.notifications.notify_visible"
    ]
    queue()
    assert "replied to your comment" in subject(smtp_server.only_message_to("anna@example.com"))
    # after password resets (TRANSACTIONAL) and alerts, before digests
    priorities = dict(DBTaskResult.objects.values_list("task_path", "priority"))
    assert priorities == {
        "comments.notifications.notify_visible": tasks.NOTIFICATION,
        "comments.notifications.send_thread_mail": tasks.NOTIFICATION,
        "newsroom.mail.deliver_mail": tasks.NOTIFICATION,
    }


def test_a_moderators_approval_in_the_admin_mails_the_author(client, smtp_server, anna):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"premoderation": True})
    held = post_comment(article=make_article(title="Held back"), user=anna, body="Mine")[0]
    client.force_login(make_staff("mod", group="Moderator"))
    response = client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [held.pk], "reason": ""},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.is_visible
    message = smtp_server.only_message_to("anna@example.com")
    assert subject(message) == "[Newsroom] Your comment on “Held back” is published"


def test_with_the_mail_server_down_the_reply_mail_waits_for_the_retry_and_is_not_lost(
    settings, queue, thread
):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tests.faults.conftest import closed_port
    from tests.mailserver import running_smtp_server, smtp_settings

    settings.NEWSROOM_TASK_RETRY_SECONDS = 60
    port = closed_port()
    with smtp_settings(port):
        reply(thread, "Delivered in the end.")
        queue()  # notify, then the thread's mail: both done; the delivery is refused
        failed = DBTaskResult.objects.get(
            task_path="newsroom.mail.deliver_mail", status=TaskResultStatus.FAILED
        )
        assert failed.exception_class_path == "builtins.ConnectionRefusedError"
        assert ReplyNotification.objects.get().outcome == "sent"  # handed to the mail queue
        with (
            running_smtp_server(port) as inbox,
            time_machine.travel(timezone.now() + timedelta(seconds=61)),
        ):
            queue()  # the retry
        assert "Delivered in the end." in inbox.text_of(inbox.only_message_to("anna@example.com"))
