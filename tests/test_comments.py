"""Sign-in-only comments: posting rules, limits, the author's window, reports and moderation."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import (
    Comment,
    CommentBan,
    ModerationSettings,
    Report,
    set_status,
    visible_count,
)
from comments.ratelimit import claim_submission
from tests.factories import make_article, make_comment, make_reader

pytestmark = pytest.mark.django_db

SENTENCE = "Dear reader, to leave comments on the publication, you must sign in."


def post(client, article, body="Well argued.", **data):
    return client.post(reverse("comments:create", args=[article.pk]), {"body": body, **data})


def page_text(response):
    return re.sub(r"<[^>]+>", "", response.content.decode())


@pytest.fixture
def signed_in(client, reader):
    client.force_login(reader)
    return client


def test_anonymous_post_stores_nothing_and_redirects_to_sign_in(client, article):
    response = post(client, article)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={article.get_absolute_url().replace('/', '%2F')}" in response["Location"]
    assert not Comment.objects.exists()


def test_anonymous_reader_sees_the_sentence_and_a_sign_in_link_back_and_no_form(client, article):
    response = client.get(article.get_absolute_url())
    assert SENTENCE in page_text(response)
    next_url = article.get_absolute_url().replace("/", "%2F")
    assert f'href="{reverse("account_login")}?next={next_url}"' in response.content.decode()
    assert 'id="comment-form"' not in response.content.decode()


def test_signed_in_comment_appears_and_the_count_grows(signed_in, article):
    assert visible_count(article) == 0
    response = post(signed_in, article, "First!\nSecond line.")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")

    page = signed_in.get(article.get_absolute_url()).content.decode()
    assert "First!<br>Second line." in page
    assert "Anna Reader" in page
    assert visible_count(article) == 1
    assert '<a class="comment-count" href="#comments">' in page
    assert SENTENCE not in page


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "javascript:alert(1)",
        '" rel="nofollow" onmouseover="alert(1)',
    ],
)
def test_markup_in_a_comment_renders_as_text(signed_in, article, payload):
    post(signed_in, article, payload)
    page = signed_in.get(article.get_absolute_url()).content.decode()
    body = page.split('class="comment__body">')[1].split("</div>")[0]
    assert "<" not in body.replace("<br>", "")
    assert 'href="javascript' not in page
    assert "onerror=" not in body.replace("onerror=&quot;", "")


def test_links_in_a_comment_are_made_with_nofollow_ugc_noopener(signed_in, article):
    post(signed_in, article, "See https://example.com/report for details.")
    page = signed_in.get(article.get_absolute_url()).content.decode()
    assert (
        '<a href="https://example.com/report" rel="nofollow ugc noopener">'
        "https://example.com/report</a>"
    ) in page


def test_a_draft_refuses_comments(signed_in):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    assert post(signed_in, draft).status_code == 404
    assert not Comment.objects.exists()


def test_a_scheduled_article_refuses_comments(signed_in):
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    assert post(signed_in, scheduled).status_code == 404
    assert not Comment.objects.exists()


def test_a_closed_article_refuses_comments_and_says_so_with_the_text_kept(signed_in):
    closed = make_article(comments_open=False)
    response = post(signed_in, closed, "Words I typed.")
    assert response.status_code == 403
    assert "Comments on this article are closed." in page_text(response)
    assert "Words I typed." in page_text(response)
    assert not Comment.objects.exists()
    page = signed_in.get(closed.get_absolute_url()).content.decode()
    assert "Comments on this article are closed." in page
    assert 'id="comment-form"' not in page


def test_comments_close_by_themselves_n_days_after_publication(signed_in, settings):
    settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = 7
    old = make_article(published_at=timezone.now() - timedelta(days=8))
    recent = make_article(published_at=timezone.now() - timedelta(days=6))
    post(signed_in, old)
    assert not Comment.objects.exists()
    signed_in.cookies.clear()
    signed_in.force_login(make_reader())
    post(signed_in, recent)
    assert Comment.objects.get().article == recent


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "Please write something before posting."), ("x" * 5001, "at most 5000 characters")],
)
def test_empty_or_overlong_text_comes_back_with_an_error_and_the_text(
    signed_in, article, body, error
):
    response = post(signed_in, article, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    if body.strip():
        assert body in page
    assert not Comment.objects.exists()


def test_a_second_comment_within_the_interval_is_refused_with_the_text_kept(signed_in, article):
    post(signed_in, article, "first")
    response = post(signed_in, article, "second, too soon")
    assert response.status_code == 429
    assert "You are commenting too fast" in response.content.decode()
    assert "second, too soon" in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_hourly_limit_holds(signed_in, article, settings):
    settings.NEWSROOM_COMMENT_MIN_INTERVAL = 0
    settings.NEWSROOM_COMMENTS_PER_HOUR = 3
    codes = [post(signed_in, article, f"comment {i}").status_code for i in range(5)]
    assert codes == [302, 302, 302, 429, 429]
    assert Comment.objects.count() == 3


def test_a_double_click_posts_once(signed_in, article):
    key = str(uuid.uuid4())
    first = post(signed_in, article, "once", submission_key=key)
    second = post(signed_in, article, "once", submission_key=key)
    assert Comment.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert visible_count(article) == 1


def test_a_double_click_while_the_first_post_is_still_saving_shows_no_error(
    signed_in, reader, article
):
    key = uuid.uuid4()
    claim_submission(reader.pk, key)  # the first request holds the key, not stored yet
    second = post(signed_in, article, "once", submission_key=str(key))
    assert second.status_code == 302
    assert second["Location"] == f"{article.get_absolute_url()}#comments"
    assert not Comment.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(article, reader):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert post(client, article).status_code == 403
    assert not Comment.objects.exists()


def test_deleting_a_reader_keeps_the_count_exact(article):
    reader = make_reader()
    make_comment(article, reader)
    make_comment(article)
    reader.delete()
    assert visible_count(article) == 1


def test_deleting_an_article_takes_its_comments_and_count_along(article):
    make_comment(article)
    article.delete()
    assert not Comment.objects.exists()


def test_a_reply_goes_under_its_parent(signed_in, article):
    parent = make_comment(article, body="The parent.")
    post(signed_in, article, "The reply.", parent=parent.pk)
    reply = Comment.objects.get(parent=parent)
    page = signed_in.get(article.get_absolute_url()).content.decode()
    replies_list = page.split('class="comments__replies"')[1]
    assert f'id="comment-{reply.pk}"' in replies_list
    assert visible_count(article) == 2


def test_the_author_edits_within_the_window_and_the_comment_is_marked_edited(signed_in, reader):
    article = make_article()
    comment = make_comment(article, reader, "Typo hre.")
    response = signed_in.post(reverse("comments:edit", args=[comment.pk]), {"body": "Typo here."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Typo here."
    assert comment.edited_at is not None
    assert ">edited<" in signed_in.get(article.get_absolute_url()).content.decode()


def test_after_the_window_the_author_can_neither_edit_nor_delete(signed_in, reader, article):
    comment = make_comment(article, reader, "Old words.")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    edit = signed_in.post(reverse("comments:edit", args=[comment.pk]), {"body": "New words."})
    delete = signed_in.post(reverse("comments:delete", args=[comment.pk]))
    assert (edit.status_code, delete.status_code) == (403, 403)
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Old words.", Comment.Status.VISIBLE)


def test_the_author_deletes_within_the_window_and_the_count_drops(signed_in, reader, article):
    comment = make_comment(article, reader)
    signed_in.post(reverse("comments:delete", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert visible_count(article) == 0


def test_delete_asks_first_on_a_page_of_its_own_and_a_get_deletes_nothing(
    signed_in, reader, article
):
    comment = make_comment(article, reader, "Second thoughts <here>.")
    url = reverse("comments:delete", args=[comment.pk])
    page = signed_in.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{url}" class="comment__delete"' in page  # without JavaScript: the page
    assert f'id="confirm-delete-{comment.pk}" hidden>' in page  # with it: the step in place

    asked = signed_in.get(url)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Delete your comment?" in html
    assert "Second thoughts &lt;here&gt;." in html
    assert f'href="{comment.get_absolute_url()}">Cancel</a>' in html
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE

    done = signed_in.post(url)
    assert done.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED


def test_the_confirmation_page_is_only_for_the_author_within_the_window(signed_in, article):
    theirs = make_comment(article, make_reader())
    assert signed_in.get(reverse("comments:delete", args=[theirs.pk])).status_code == 404


def test_the_forms_state_the_limit_without_javascript_and_the_server_checks_it(
    signed_in, reader, article
):
    make_comment(article)
    page = signed_in.get(article.get_absolute_url()).content.decode()
    assert page.count("Up to 5,000 characters.") == 2  # the comment form and the reply form
    assert 'data-template="{count} of {limit} characters"' in page
    assert 'maxlength="5000"' in page
    own = make_comment(article, reader)
    edit = signed_in.get(reverse("comments:edit", args=[own.pk])).content.decode()
    assert 'id="id_body-count"' in edit and "Up to 5,000 characters." in edit
    assert "js/comments.js" in edit
    too_long = post(signed_in, article, "x" * 5001)
    assert "at most 5000 characters long (it has 5001)" in too_long.content.decode()
    assert not Comment.objects.filter(body__startswith="xxx").exists()


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_another_readers_edit_or_delete_answers_404_and_changes_nothing(signed_in, article, action):
    comment = make_comment(article, make_reader(), "Mine, not yours.")
    response = signed_in.post(reverse(f"comments:{action}", args=[comment.pk]), {"body": "Hacked"})
    assert response.status_code == 404
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("Mine, not yours.", Comment.Status.VISIBLE)


def test_anonymous_edit_or_delete_is_refused(client, article):
    comment = make_comment(article)
    assert client.post(reverse("comments:delete", args=[comment.pk])).status_code == 403
    assert Comment.objects.get().status == Comment.Status.VISIBLE


def test_enough_reports_hide_a_comment_until_a_moderator_looks(client, article):
    ModerationSettings.objects.update(report_threshold=3)
    comment = make_comment(article, body="Rude words.")
    readers = [make_reader() for _ in range(3)]
    for number, reader in enumerate(readers, start=1):
        client.force_login(reader)
        url = reverse("comments:report", args=[comment.pk])
        client.post(url, {"reason": "rude"})
        client.post(url, {"reason": "rude again"})  # the same reader counts once
        comment.refresh_from_db()
        expected = Comment.Status.HELD if number == 3 else Comment.Status.VISIBLE
        assert comment.status == expected
    assert Report.objects.count() == 3
    assert visible_count(article) == 0
    assert "Rude words." not in client.get(article.get_absolute_url()).content.decode()


def test_a_reader_cannot_report_their_own_comment(signed_in, reader, article):
    comment = make_comment(article, reader)
    response = signed_in.post(reverse("comments:report", args=[comment.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_pre_moderation_holds_every_comment(signed_in, article):
    ModerationSettings.objects.update(premoderation=True)
    post(signed_in, article, "Waiting for approval.")
    assert Comment.objects.get().status == Comment.Status.HELD
    assert visible_count(article) == 0
    # Its author sees it waiting; nobody else sees it at all.
    own_page = signed_in.get(article.get_absolute_url()).content.decode()
    waiting = own_page.split('class="comments__held"')[1].split("</div>")[0]
    assert "Your comments awaiting moderation" in waiting and "Waiting for approval." in waiting
    assert "Waiting for approval." not in own_page.split('class="comments__held"')[0]
    signed_in.force_login(make_reader("other"))
    assert "Waiting for approval." not in signed_in.get(article.get_absolute_url()).content.decode()
    signed_in.logout()
    assert "Waiting for approval." not in signed_in.get(article.get_absolute_url()).content.decode()


def test_a_banned_word_refuses_the_comment_and_says_which_with_the_text_kept(signed_in, article):
    ModerationSettings.objects.update(banned_words="scam\nbuy now")
    response = post(signed_in, article, "This is a SCAM, clearly.")
    assert response.status_code == 200
    assert "Your comment contains “scam”, which is not allowed here." in page_text(response)
    assert "This is a SCAM, clearly." in page_text(response)
    assert not Comment.objects.exists()


def test_a_suspect_word_holds_the_comment_for_review(signed_in, article):
    ModerationSettings.objects.update(suspect_words="scam\nbuy now")
    post(signed_in, article, "This is a SCAM, clearly.")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.HELD
    assert comment.held_reason == "suspect word: scam"
    assert visible_count(article) == 0


def test_a_word_that_merely_contains_a_banned_word_passes(signed_in, article):
    ModerationSettings.objects.update(banned_words="scam")
    post(signed_in, article, "Scampi for dinner.")
    assert Comment.objects.get().status == Comment.Status.VISIBLE


def test_a_banned_reader_cannot_comment(signed_in, reader, article):
    CommentBan.objects.create(user=reader, reason="Spam")
    post(signed_in, article)
    assert not Comment.objects.exists()


def test_a_reader_without_a_verified_email_cannot_comment(client, article):
    client.force_login(make_reader(verified=False))
    post(client, article)
    assert not Comment.objects.exists()


def test_a_removed_comment_with_replies_leaves_a_placeholder(client, article):
    parent = make_comment(article, body="Removed text.")
    make_comment(article, body="A reply that stays.", parent=parent)
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.REMOVED)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Comment removed by a moderator" in page
    assert "Removed text." not in page
    assert "A reply that stays." in page


def test_long_discussions_come_in_pages(client, article, settings):
    settings.NEWSROOM_COMMENTS_PAGE_SIZE = 2
    for number in range(3):
        make_comment(article, body=f"Comment number {number}.")
    first = client.get(article.get_absolute_url()).content.decode()
    second = client.get(article.get_absolute_url() + "?comments=2").content.decode()
    assert "Comment number 1." in first and "Comment number 2." not in first
    assert "Comment number 2." in second and "Comment number 0." not in second
    assert client.get(article.get_absolute_url() + "?comments=x").status_code == 200


# Every part rendered afresh: the article (with its section); its authors, tags and corrections;
# related articles; navigation; Information pages; notices and labels in force; the comment
# count, a page of threads, their replies; the article's views and the "Most read" block; its
# versions in other languages.
COLD_QUERIES = 15
# Every shared part from the cache, the article's own row too: nothing.
WARM_QUERIES = 0
# Signed in: the session (from the cache once it is there), the reader, their own comments
# (kept per version of the discussion, like the shared part).
SIGNED_IN_COLD, SIGNED_IN_WARM = 3, 1


@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.usefixtures("no_page_cache")
def test_article_page_queries_do_not_grow_with_comments(
    client, django_assert_num_queries, signed, reader
):
    empty, busy = make_article(), make_article()
    for _ in range(20):
        parent = make_comment(busy)
        for _ in range(9):
            make_comment(busy, parent=parent)
    assert visible_count(busy) == 200
    if signed:
        client.force_login(reader)
    cold_extra, warm_extra = (SIGNED_IN_COLD, SIGNED_IN_WARM) if signed else (0, 0)
    ContentType.objects.get_for_model(Article)  # read once per process, then kept in memory
    for article in (empty, busy):
        cache.clear()
        with django_assert_num_queries(COLD_QUERIES + cold_extra):
            cold = client.get(article.get_absolute_url())
        with django_assert_num_queries(WARM_QUERIES + warm_extra):
            warm = client.get(article.get_absolute_url())
        assert cold.status_code == warm.status_code == 200
        assert strip_tokens(warm.content) == strip_tokens(cold.content)


def strip_tokens(html):
    """A page without what is new on every request (CSRF tokens, form keys)."""
    html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
    return re.sub(rb'name="submission_key" value="[^"]+"', b"", html)


def test_the_admin_queue_shows_held_and_reported_comments_first(client, article, moderator):
    visible = make_comment(article, body="Plain.")
    reported = make_comment(article, body="Reported.")
    held = make_comment(article, body="Held.")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.HELD)
    Report.objects.create(comment=reported, user=make_reader(), reason="rude")
    client.force_login(moderator)
    page = client.get(reverse("admin:comments_comment_changelist")).content.decode()
    positions = [page.index(text) for text in ("Held.", "Reported.", "Plain.")]
    assert positions == sorted(positions)
    assert visible.get_absolute_url() in page
    assert (
        client.get(
            reverse("admin:comments_comment_changelist") + f"?user__id__exact={visible.user_id}"
        ).status_code
        == 200
    )


def test_moderators_read_why_a_comment_is_held_in_the_sites_language(
    client, article, moderator, settings
):
    """Held reasons are stored in English (the code compares them) and shown translated."""
    settings.LANGUAGE_CODE = "ru"
    shown = {
        "pre-moderation": "премодерация",
        "suspect word: scam": "подозрительное слово: scam",
        "4 links (most allowed: 3)": "ссылок: 4 (допускается не больше 3)",
        "reported by readers": "жалобы читателей",
        "account deleted": "учётная запись удалена",
        "a reason from an older version": "a reason from an older version",
    }
    for n, reason in enumerate(shown):
        comment = make_comment(article, body=f"Held {n}.")
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HELD, held_reason=reason)
    client.force_login(moderator)
    page = client.get(reverse("admin:comments_comment_changelist")).content.decode()
    for russian in shown.values():
        assert russian in page
    for english in ["pre-moderation", "suspect word", "links (most", "reported by readers"]:
        assert english not in page
    assert set(Comment.objects.values_list("held_reason", flat=True)) == set(shown)


def test_moderators_approve_and_remove_in_bulk_and_the_count_follows(client, article, moderator):
    ModerationSettings.objects.update(premoderation=True)
    held = [make_comment(article, body=f"Held {i}") for i in range(3)]
    client.force_login(moderator)
    url = reverse("admin:comments_comment_changelist")
    client.post(url, {"action": "approve", "_selected_action": [c.pk for c in held]})
    assert visible_count(article) == 3
    client.post(url, {"action": "remove", "_selected_action": [held[0].pk]})
    assert visible_count(article) == 2
    client.post(url, {"action": "remove", "_selected_action": [held[0].pk]})  # again: no change
    assert visible_count(article) == 2


def test_moderators_ban_a_reader_with_a_reason(client, moderator):
    reader = make_reader()
    client.force_login(moderator)
    response = client.post(
        reverse("admin:comments_commentban_add"), {"user": reader.pk, "reason": "Abuse"}
    )
    assert response.status_code == 302
    ban = CommentBan.objects.get()
    assert (ban.user, ban.reason, ban.created_by) == (reader, "Abuse", moderator)


def test_the_moderator_group_can_moderate_and_nothing_on_articles_but_read():
    group = Group.objects.get(name="Moderator")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_comment", "add_commentban", "change_moderationsettings"} <= codenames
    # a model added after the migration that made the role: granted after migrate
    assert "view_replynotification" in codenames
    assert "change_article" not in codenames


@pytest.mark.parametrize(
    "data", [{"parent": "not-a-number"}, {"submission_key": "nope"}, {"parent": "999999"}]
)
def test_a_tampered_form_answers_with_an_error_not_a_500(signed_in, article, data):
    response = post(signed_in, article, "Kept text.", **data)
    assert response.status_code == 200
    assert "Kept text." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not Comment.objects.exists()


def test_a_reply_to_a_removed_comment_is_refused(signed_in, article):
    parent = make_comment(article)
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.REMOVED)
    post(signed_in, article, "Late reply.", parent=parent.pk)
    assert not Comment.objects.filter(parent=parent).exists()


@pytest.mark.parametrize(
    "text",
    [
        "Plain words. With <b>tags</b> & \"quotes\", 'apostrophes'\nand a second line.",
        "See https://example.org/a?b=1&c=2 now",
        "write to someone@example.com",
        "go to www.example.net.",
        "Example.COM is a site",
        "a.b.c: ratio 3:1, 10.5% (not links)",
    ],
)
def test_comment_text_is_what_urlize_makes_whether_or_not_it_holds_a_link(text):
    from django.template.defaultfilters import linebreaksbr
    from django.utils.html import urlize
    from django.utils.safestring import mark_safe

    from comments.templatetags.comments import comment_text

    expected = urlize(text, nofollow=True, autoescape=True).replace(
        ' rel="nofollow"', ' rel="nofollow ugc noopener"'
    )
    assert comment_text(text) == linebreaksbr(mark_safe(expected))


# Issue 12: no comment or reply is ever lost.


def later(seconds):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


def test_a_comment_refused_as_too_fast_says_when_and_posts_later_with_the_same_form(
    signed_in, article
):
    post(signed_in, article, "first")
    key = str(uuid.uuid4())
    refused = post(signed_in, article, "second, too soon", submission_key=key)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "15"
    page = page_text(refused)
    assert "You can post again in 15 seconds." in page
    assert "second, too soon" in page
    assert key in refused.content.decode()  # the same form comes back

    with later(16):
        retried = post(signed_in, article, "second, too soon", submission_key=key)
    assert retried.status_code == 302
    assert Comment.objects.filter(body="second, too soon").count() == 1


def test_the_hourly_limit_says_how_long_to_wait(signed_in, article, settings):
    settings.NEWSROOM_COMMENT_MIN_INTERVAL = 0
    settings.NEWSROOM_COMMENTS_PER_HOUR = 1
    post(signed_in, article, "first")
    with later(600):
        refused = post(signed_in, article, "second")
    assert refused.status_code == 429
    assert "You can post again in 50 minutes." in page_text(refused)
    assert int(refused["Retry-After"]) == 3000


def reply_form_of(html, thread):
    """The reply form under `thread`, as the page shows it."""
    match = re.search(
        rf'<details class="comment__reply" id="reply-form-{thread.pk}"[^>]*>.*?</details>',
        html,
        re.DOTALL,
    )
    assert match, f"no reply form under comment {thread.pk}"
    return match.group(0)


def test_a_reply_refused_as_too_fast_comes_back_open_in_its_thread_with_its_text(
    signed_in, article
):
    thread, other = make_comment(article, body="First thread."), make_comment(article)
    post(signed_in, article, "first")
    key = str(uuid.uuid4())
    refused = post(signed_in, article, "My <reply> & more", parent=thread.pk, submission_key=key)
    assert refused.status_code == 429
    html = refused.content.decode()
    form = reply_form_of(html, thread)
    assert f'id="reply-form-{thread.pk}" open>' in form
    assert "You are commenting too fast. You can post again in 15 seconds." in form
    assert ">My &lt;reply&gt; &amp; more</textarea>" in form
    assert f'name="submission_key" value="{key}"' in form
    assert f'action="/comments/article/{article.pk}/#reply-form-{thread.pk}"' in form
    assert " open>" not in reply_form_of(html, other)
    main_form = html[html.index('id="comment-form"') :]
    assert "My &lt;reply&gt;" not in main_form  # in one place only: its thread
    assert "too fast" not in main_form

    with later(16):
        retried = post(
            signed_in, article, "My <reply> & more", parent=thread.pk, submission_key=key
        )
    assert retried.status_code == 302
    assert Comment.objects.get(body="My <reply> & more").parent == thread


def test_a_reply_on_a_later_discussion_page_comes_back_on_that_page(signed_in, article, settings):
    settings.NEWSROOM_COMMENTS_PAGE_SIZE = 2
    threads = [make_comment(article, body=f"Thread {n}") for n in range(3)]
    page = signed_in.get(f"{article.get_absolute_url()}?comments=2").content.decode()
    action = f"/comments/article/{article.pk}/?comments=2#reply-form-{threads[2].pk}"
    assert f'action="{action}"' in reply_form_of(page, threads[2])
    post(signed_in, article, "first")
    refused = signed_in.post(action.split("#")[0], {"body": "Too soon", "parent": threads[2].pk})
    assert refused.status_code == 429
    assert ">Too soon</textarea>" in reply_form_of(refused.content.decode(), threads[2])


def fail_to_store_comments(execute, sql, params, many, context):
    if sql.lstrip().upper().startswith("INSERT") and "comments_comment" in sql:
        raise OperationalError("server closed the connection unexpectedly")
    return execute(sql, params, many, context)


def test_a_comment_that_met_a_database_failure_is_stored_when_the_same_form_is_sent_again(
    signed_in, article
):
    key = str(uuid.uuid4())
    with connection.execute_wrapper(fail_to_store_comments):
        failed = post(signed_in, article, "Kept through a failure.", submission_key=key)
    assert failed.status_code == 503
    assert "Kept through a failure." in failed.content.decode()
    assert not Comment.objects.exists()

    again = post(signed_in, article, "Kept through a failure.", submission_key=key)
    assert again.status_code == 302
    assert Comment.objects.get().body == "Kept through a failure."


def test_a_banned_readers_comment_comes_back_with_its_text_and_why(signed_in, reader, article):
    CommentBan.objects.create(user=reader, reason="Spam")
    response = post(signed_in, article, "Words I typed.")
    assert response.status_code == 403
    page = page_text(response)
    assert "You can no longer comment on this site." in page
    assert "Words I typed." in page
    assert not Comment.objects.exists()


def test_an_unverified_readers_comment_comes_back_with_its_text(client, article):
    client.force_login(make_reader(verified=False))
    response = post(client, article, "Words I typed.")
    assert response.status_code == 403
    page = page_text(response)
    assert "Please confirm your e-mail address" in page
    assert "Words I typed." in page


def test_a_reply_whose_parent_vanished_comes_back_to_be_posted_as_a_comment(signed_in, article):
    parent = make_comment(article)
    Comment.objects.filter(pk=parent.pk).update(status=Comment.Status.REMOVED)
    key = str(uuid.uuid4())
    response = post(signed_in, article, "My reply.", parent=parent.pk, submission_key=key)
    html = response.content.decode()
    assert "The comment you replied to no longer exists." in page_text(response)
    assert "My reply." in html
    assert f'name="parent" value="{parent.pk}"' not in html

    again = post(signed_in, article, "My reply.", parent="", submission_key=key)
    assert again.status_code == 302
    assert Comment.objects.get(body="My reply.").parent is None


def test_deleting_a_reader_keeps_other_readers_replies_under_a_placeholder(client, article):
    leaving, staying = make_reader(), make_reader()
    thread = make_comment(article, leaving, "Words of the reader who leaves.")
    reply = make_comment(article, staying, "A reply that must stay.", parent=thread)
    other_thread = make_comment(article, staying, "Another thread.")
    make_comment(article, leaving, "The leaver's own reply.", parent=other_thread)
    assert visible_count(article) == 4
    client.get(article.get_absolute_url())  # cached for anonymous readers

    leaving.delete()

    assert visible_count(article) == 2
    page = page_text(client.get(article.get_absolute_url()))
    assert "A reply that must stay." in page
    assert "Another thread." in page
    assert "Comment deleted by its author" in page
    assert "Words of the reader who leaves." not in page
    assert "The leaver's own reply." not in page
    reply.refresh_from_db()
    assert reply.is_visible and reply.parent_id == thread.pk
    thread.refresh_from_db()
    assert (thread.user, thread.status, thread.body) == (None, Comment.Status.REMOVED, "")


def test_a_moderator_deleting_a_comment_with_replies_is_refused(client, article, moderator):
    thread = make_comment(article)
    make_comment(article, body="A reply that must stay.", parent=thread)
    moderator.user_permissions.add(Permission.objects.get(codename="delete_comment"))
    client.force_login(moderator)
    client.post(reverse("admin:comments_comment_delete", args=[thread.pk]), {"post": "yes"})
    assert Comment.objects.filter(body="A reply that must stay.").exists()


def test_editing_an_approved_comment_under_premoderation_sends_it_back_to_the_queue(
    signed_in, reader, article
):
    ModerationSettings.objects.update(premoderation=True)
    comment = make_comment(article, reader, "Approved words.")
    set_status(Comment.objects.filter(pk=comment.pk), Comment.Status.VISIBLE)
    anonymous = Client()
    assert "Approved words." in anonymous.get(article.get_absolute_url()).content.decode()

    response = signed_in.post(
        reverse("comments:edit", args=[comment.pk]),
        {"body": "Something else entirely."},
        follow=True,
    )

    assert "once a moderator has read it" in page_text(response)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert visible_count(article) == 0
    page = anonymous.get(article.get_absolute_url()).content.decode()
    assert "Something else entirely." not in page
    assert "Approved words." not in page


def test_deleting_an_article_takes_its_replies_along_too(article):
    thread = make_comment(article)
    make_comment(article, parent=thread)
    article.delete()
    assert not Comment.objects.exists()


def test_the_moderation_queue_shows_comments_of_deleted_accounts(client, article, moderator):
    leaving = make_reader()
    thread = make_comment(article, leaving, "Gone.")
    make_comment(article, body="A reply.", parent=thread)
    leaving.delete()
    client.force_login(moderator)
    response = client.get(reverse("admin:comments_comment_changelist"))
    assert response.status_code == 200
    assert "(account deleted)" in response.content.decode()


def test_moderators_tune_the_abuse_controls_in_the_admin(moderator, signed_in, article):
    admin = Client()
    admin.force_login(moderator)
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    page = admin.get(url).content.decode()
    fields = ["banned_words", "suspect_words", "max_links", "duplicate_minutes", "report_threshold"]
    for field in fields:
        assert f'name="{field}"' in page
    response = admin.post(
        url,
        {
            "banned_words": "scam",
            "suspect_words": "crypto",
            "max_links": "1",
            "duplicate_minutes": "5",
            "report_threshold": "4",
        },
    )
    assert response.status_code == 302
    settings_row = ModerationSettings.load()
    assert (settings_row.suspect_words, settings_row.max_links) == ("crypto", 1)
    assert settings_row.report_threshold == 4

    post(signed_in, article, "Two links: https://a.example https://b.example")
    assert Comment.objects.get().held_reason == "2 links (most allowed: 1)"


def test_editing_a_comment_keeps_it_visible_when_nothing_asks_for_review(
    signed_in, reader, article
):
    comment = make_comment(article, reader, "Old words.")
    anonymous = Client()
    assert "Old words." in anonymous.get(article.get_absolute_url()).content.decode()
    signed_in.post(reverse("comments:edit", args=[comment.pk]), {"body": "New words."})
    comment.refresh_from_db()
    assert comment.is_visible
    assert visible_count(article) == 1
    assert "New words." in anonymous.get(article.get_absolute_url()).content.decode()


def test_a_refused_comment_costs_nothing_of_the_rate_limit(signed_in, article):
    ModerationSettings.objects.update(banned_words="scam")
    key = str(uuid.uuid4())
    assert post(signed_in, article, "A scam.", submission_key=key).status_code == 200
    corrected = post(signed_in, article, "A bargain.", submission_key=key)
    assert corrected.status_code == 302
    assert Comment.objects.get().body == "A bargain."
