"""Desk comforts: admin search, the word count, the moderation queue, plain app names and the
workflow's mails."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import workflow
from articles.models import Article
from comments.models import Comment, ModerationSettings, report_comment
from tests.factories import (
    change_url,
    make_article,
    make_author,
    make_comment,
    make_draft,
    make_reader,
    make_section,
    make_staff,
    post_data,
)

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:articles_article_changelist")
QUEUE_URL = reverse("admin:comments_comment_changelist")


# Admin search


def found(client, query):
    response = client.get(CHANGELIST_URL, {"q": query})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_article_search_finds_by_author_name_body_text_and_tag_once_each(client, editor):
    anna, andrew = make_author(name="Anna Politkovskaya"), make_author(name="Andrew Ann")
    by_both = make_article(authors=[anna, andrew], tags=["ann-tag", "annals"])
    in_body = make_article(body="<p>The minister resigned over the pipeline.</p>")
    tagged = make_article(tags=["Energy security"])
    make_article(title="Unrelated")
    client.force_login(editor)

    assert found(client, "Politkovskaya") == [by_both]
    assert found(client, "Ann") == [by_both]  # two authors and two tags match: listed once
    assert found(client, "pipeline") == [in_body]
    assert found(client, "energy security") == [tagged]


def test_searching_many_articles_runs_as_many_queries_as_searching_one(client, editor):
    author = make_author(name="Olga Searchable")
    make_article(authors=[author], tags=["a", "b"])
    client.force_login(editor)
    client.get(CHANGELIST_URL, {"q": "Searchable"})  # sessions, permissions warmed up

    with CaptureQueriesContext(connection) as one:
        client.get(CHANGELIST_URL, {"q": "Searchable"})
    for _ in range(10):
        make_article(authors=[author, make_author()], tags=["a", "b", "c"])
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(CHANGELIST_URL, {"q": "Searchable"})

    assert response.context["cl"].result_count == 11
    assert len(eleven) == len(one)


# Word count and reading time


def test_the_change_form_shows_the_word_count_and_reading_time(client, editor):
    words = " ".join(["word"] * 450)
    article = make_article(body=f"<p>{words}</p><p><strong>and</strong> more</p>")
    client.force_login(editor)

    page = client.get(change_url(article)).content.decode()

    assert "452 words, about 3 minutes to read" in page


def test_a_short_text_reads_in_about_a_minute():
    from articles.admin import ArticleAdmin

    assert ArticleAdmin.reading_time(None, make_article(body="<p>Three short words</p>")) == (
        "3 words, about 1 minute to read"
    )


# The moderation queue


def test_the_queue_shows_the_whole_comment_escaped_with_its_line_breaks(client, moderator):
    body = "First line <b>not bold</b>\nSecond line " + "long " * 40 + "END-OF-COMMENT"
    make_comment(make_article(), body=body)
    client.force_login(moderator)

    page = client.get(QUEUE_URL).content.decode()

    assert "END-OF-COMMENT" in page
    assert "First line &lt;b&gt;not bold&lt;/b&gt;<br>Second line" in page


@pytest.mark.parametrize(
    "step, status",
    [("approve", "visible"), ("hold", "held"), ("remove", "removed")],
)
def test_a_row_button_moderates_that_one_comment(client, moderator, step, status):
    article = make_article()
    comment = make_comment(article)
    other = make_comment(article)
    Comment.objects.filter(pk=comment.pk).update(status="held" if step == "approve" else "visible")
    client.force_login(moderator)
    url = reverse("admin:comments_comment_moderate", args=[comment.pk, step])

    assert f'formaction="{url}"' in client.get(QUEUE_URL).content.decode()
    response = client.post(url)

    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == status
    assert Comment.objects.get(pk=other.pk).status == "visible"


def test_row_buttons_refuse_a_get_and_an_unknown_step(client, moderator):
    comment = make_comment(make_article())
    client.force_login(moderator)
    url = reverse("admin:comments_comment_moderate", args=[comment.pk, "remove"])
    assert client.get(url).status_code == 405
    assert Comment.objects.get().status == "visible"
    response = client.post(reverse("admin:comments_comment_moderate", args=[comment.pk, "bogus"]))
    assert response.status_code == 404


def test_row_buttons_need_the_csrf_token(moderator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    comment = make_comment(make_article())
    client.force_login(moderator)
    response = client.post(reverse("admin:comments_comment_moderate", args=[comment.pk, "remove"]))
    assert response.status_code == 403
    assert Comment.objects.get().status == "visible"


def test_a_reporter_cannot_use_the_row_buttons(client, reporter):
    comment = make_comment(make_article())
    client.force_login(reporter)
    response = client.post(reverse("admin:comments_comment_moderate", args=[comment.pk, "remove"]))
    assert response.status_code == 403
    assert Comment.objects.get().status == "visible"


def test_the_report_threshold_is_a_moderation_setting(moderator):
    ModerationSettings.objects.update(report_threshold=2)
    comment = make_comment(make_article())

    report_comment(comment=comment, user=make_reader(), reason="rude")
    assert Comment.objects.get().status == "visible"
    report_comment(comment=comment, user=make_reader(), reason="rude")
    assert Comment.objects.get().status == "held"


def test_the_report_threshold_starts_from_the_environment_setting(settings):
    settings.NEWSROOM_COMMENT_REPORT_THRESHOLD = 7
    ModerationSettings.objects.all().delete()
    assert ModerationSettings.load().report_threshold == 7


# Plain app names


def test_the_admin_index_names_the_apps_as_editors_say_them(client, editor, moderator):
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Articles, sections and authors" in page
    assert "Notices and labels" in page
    client.force_login(moderator)
    assert "Comments and moderation" in client.get(reverse("admin:index")).content.decode()


# Mails on the workflow


@pytest.fixture
def editors(db):
    second = make_staff("second-editor", group="Editor")
    make_staff("gone-editor", group="Editor").__class__.objects.filter(
        username="gone-editor"
    ).update(is_active=False)
    return second


def test_submitting_for_review_mails_every_active_editor(
    reporter, editor, editors, django_capture_on_commit_callbacks
):
    draft = make_draft(created_by=reporter, title="Budget vote")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(draft, by=reporter)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([editor.email, editors.email])
    assert "Budget vote" in message.subject
    assert change_url(draft) in message.body


def test_sending_back_mails_the_reporter_the_editors_note(
    reporter, editor, django_capture_on_commit_callbacks
):
    draft = make_draft(created_by=reporter, title="Budget vote", status="review")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.send_back(draft, by=editor, note="Check the figures in paragraph two.")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reporter.email]
    assert "Check the figures in paragraph two." in message.body
    assert change_url(draft) in message.body


def test_publishing_mails_the_reporter(reporter, editor, django_capture_on_commit_callbacks):
    draft = make_draft(created_by=reporter, title="Budget vote", status="review")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(draft, by=editor)

    assert [message.to for message in mail.outbox] == [[reporter.email]]
    assert "Budget vote" in mail.outbox[0].subject
    assert change_url(draft) in mail.outbox[0].body


def test_no_mail_before_the_transaction_commits(
    reporter, editor, django_capture_on_commit_callbacks
):
    draft = make_draft(created_by=reporter, status="review")
    with django_capture_on_commit_callbacks() as callbacks:
        workflow.publish(draft, by=editor)
    assert mail.outbox == []
    assert callbacks


def test_nobody_is_mailed_about_their_own_step(editor, django_capture_on_commit_callbacks):
    draft = make_draft(created_by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_for_review(draft, by=editor)
        workflow.publish(draft, by=editor)
    assert mail.outbox == []


def test_a_new_article_submitted_from_the_add_form_mails_the_editors_its_link(
    client, reporter, editor, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    data = post_data(section=make_section(), _workflow="submit")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get()
    assert [message.to for message in mail.outbox] == [[editor.email]]
    assert change_url(article) in mail.outbox[0].body
