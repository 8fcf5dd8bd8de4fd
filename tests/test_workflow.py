"""The editorial workflow: roles checked on the server, states, scheduling, history, preview,
corrections and the refusal of stale saves."""

from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Correction
from comments.models import Comment, ModerationSettings
from tests.factories import (
    change_url,
    make_article,
    make_comment,
    make_draft,
    make_section,
    make_staff,
    make_user,
    post_data,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


def form_errors(response):
    return str(response.context["adminform"].form.errors)


# Roles, enforced on the server


@pytest.mark.parametrize(
    "crafted",
    [
        {"status": "published"},
        {"published_at_0": "2020-01-01", "published_at_1": "10:00"},
        {"review_note": "self-approved"},
    ],
)
def test_a_reporters_crafted_post_setting_the_state_is_refused(client, reporter, crafted):
    client.force_login(reporter)

    response = client.post(ADD_URL, post_data(section=make_section(), **crafted))

    assert response.status_code == 200
    assert "Only editors set the status" in form_errors(response)
    assert not Article.objects.exists()


@pytest.mark.parametrize("step", ["publish", "schedule", "withdraw", "send_back", "bogus"])
def test_a_reporters_crafted_post_on_their_own_draft_cannot_publish_it(client, reporter, step):
    draft = make_draft(created_by=reporter)
    client.force_login(reporter)

    response = client.post(change_url(draft), post_data(draft, status="published"))
    assert "Only editors set the status" in form_errors(response)
    response = client.post(change_url(draft), post_data(draft, _workflow=step))
    assert "not available" in form_errors(response)

    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert draft.published_at is None


def test_a_reporter_cannot_change_another_reporters_article(client, reporter):
    other = make_staff("other-reporter", group="Reporter")
    theirs = make_draft(created_by=other, title="Their headline")
    client.force_login(reporter)

    page = client.get(change_url(theirs))
    response = client.post(change_url(theirs), post_data(theirs, title="Hijacked"))

    assert page.status_code == 200  # read-only
    assert "You can read this article but not change it." in page.content.decode()
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == "Their headline"


def test_a_reporter_cannot_change_their_article_once_submitted(client, reporter):
    article = make_draft(created_by=reporter, status=Article.Status.REVIEW)
    client.force_login(reporter)

    response = client.post(change_url(article), post_data(article, title="Sneaky edit"))

    assert response.status_code == 403
    assert Article.objects.get().title != "Sneaky edit"


def test_a_reporter_cannot_withdraw_or_restore_by_posting(client, reporter):
    article = make_article()
    article.title = "Second version"
    article.save()
    client.force_login(reporter)

    client.post(CHANGELIST_URL, {"action": "withdraw", "_selected_action": [article.pk]})
    version = article.history.last()
    restore_url = reverse(
        "admin:articles_article_history_restore", args=[article.pk, version.history_id]
    )
    response = client.post(restore_url)

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.title == "Second version"


def test_the_workflow_functions_check_the_user_themselves(reporter, editor):
    draft = make_draft(created_by=reporter)
    for step in (workflow.publish, partial(workflow.withdraw, reason="Wrong."), workflow.send_back):
        with pytest.raises(PermissionDenied):
            step(draft, by=reporter)
    with pytest.raises(workflow.WorkflowError):
        workflow.withdraw(draft, by=editor, reason="Wrong.")  # a draft is not published
    with pytest.raises(workflow.WorkflowError):
        workflow.schedule(draft, by=editor, at=timezone.now() - timedelta(hours=1))


# States


def test_a_reporter_writes_a_draft_and_submits_it_for_review(client, reporter):
    client.force_login(reporter)

    response = client.post(ADD_URL, post_data(section=make_section()))
    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.status, article.created_by) == (Article.Status.DRAFT, reporter)

    client.post(change_url(article), post_data(article, body="<p>Now finished.</p>"))
    article.refresh_from_db()
    response = client.post(change_url(article), post_data(article, _workflow="submit"))

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert article.body == "<p>Now finished.</p>"
    assert article.history.first().history_change_reason == "Submitted for review"
    assert article.history.first().history_user == reporter


def test_an_editor_sends_an_article_back_with_a_note_the_reporter_then_sees(
    client, editor, reporter
):
    article = make_draft(created_by=reporter, status=Article.Status.REVIEW)
    client.force_login(editor)

    no_note = client.post(
        change_url(article), post_data(article, editor_fields=True, _workflow="send_back")
    )
    assert "Say what the reporter should change." in form_errors(no_note)
    client.post(
        change_url(article),
        post_data(article, editor_fields=True, review_note="Add a source.", _workflow="send_back"),
    )

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    client.force_login(reporter)
    page = client.get(change_url(article)).content.decode()
    assert "Note from the editor:" in page
    assert "Add a source." in page


def test_an_editor_publishes_from_the_review_queue(client, editor, reporter):
    article = make_draft(created_by=reporter, status=Article.Status.REVIEW, title="Queued story")
    client.force_login(editor)

    queue = client.get(CHANGELIST_URL, {"state": "review"}).content.decode()
    assert "Queued story" in queue
    client.post(change_url(article), post_data(article, editor_fields=True, _workflow="publish"))

    article.refresh_from_db()
    assert article.is_public
    assert "Queued story" in client.get(reverse("articles:home")).content.decode()


def test_a_scheduled_article_shows_as_scheduled_and_appears_by_itself_when_due(client, editor):
    article = make_draft(title="Tomorrow's story", status=Article.Status.REVIEW)
    client.force_login(editor)
    at = timezone.now() + timedelta(hours=3)

    past = post_data(article, editor_fields=True, _workflow="schedule")
    response = client.post(change_url(article), past)
    assert "set a publication time in the future" in form_errors(response)
    local = timezone.localtime(at)
    data = post_data(article, editor_fields=True, _workflow="schedule")
    data |= {
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
    }
    client.post(change_url(article), data)

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.is_scheduled
    assert "Scheduled" in client.get(CHANGELIST_URL).content.decode()
    client.logout()
    assert "Tomorrow&#x27;s story" not in client.get(reverse("articles:home")).content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(at + timedelta(minutes=1)):
        assert "Tomorrow&#x27;s story" in client.get(reverse("articles:home")).content.decode()
        assert client.get(article.get_absolute_url()).status_code == 200


def test_a_withdrawn_article_answers_410_with_its_headline_and_the_reason(client, editor):
    article = make_article(title="Retracted claim")
    client.force_login(editor)

    client.post(
        CHANGELIST_URL,
        {
            "action": "withdraw",
            "_selected_action": [article.pk],
            "reason": "The claim was false.",
            "post": "yes",
        },
    )
    client.logout()
    response = client.get(article.get_absolute_url())

    assert response.status_code == 410
    page = response.content.decode()
    assert "This article has been withdrawn" in page
    assert "Retracted claim" in page
    assert ": The claim was false." in page
    assert 'class="site-footer"' in page  # in the site's design


# History


def test_every_save_is_kept_with_who_and_why(client, editor):
    article = make_draft()
    client.force_login(editor)

    client.post(
        change_url(article), post_data(article, editor_fields=True, title="A better headline")
    )
    article.refresh_from_db()
    client.post(change_url(article), post_data(article, editor_fields=True, _workflow="publish"))

    newest, middle, first = article.history.all()[:3]
    assert (newest.history_user, newest.history_change_reason) == (editor, "Published")
    assert (middle.history_user, middle.title) == (editor, "A better headline")
    assert first.title != "A better headline"
    page = client.get(reverse("admin:articles_article_history", args=[article.pk])).content
    assert b"Published" in page and b"A better headline" in page


def test_the_diff_between_two_versions_shows_words_removed_and_added_escaped(client, editor):
    article = make_article(title="Old <b>title</b>", body="<p>One two three.</p><p>Same.</p>")
    article.title = "New <b>title</b>"
    article.body = "<p>One four three.</p><p>Same.</p>"
    article.save()
    old, new = article.history.last(), article.history.first()
    client.force_login(editor)

    response = client.get(
        reverse("admin:articles_article_history_compare", args=[article.pk]),
        {"old": old.history_id, "new": new.history_id},
    )

    page = response.content.decode()
    assert "<del>Old</del><ins>New</ins> &lt;b&gt;title&lt;/b&gt;" in page
    assert "<p>One <del>two</del><ins>four</ins> three.</p>" in page
    assert "<p>Same.</p>" in page
    assert "Lead <small>(unchanged)</small>" in page


def test_one_click_restore_brings_back_the_text_as_a_new_version(client, editor):
    article = make_article(title="Original", body="<p>Original text.</p>")
    article.title, article.body = "Vandalised", "<p>Oops.</p>"
    article.save()
    original = article.history.last()
    client.force_login(editor)
    url = reverse("admin:articles_article_history_restore", args=[article.pk, original.history_id])

    assert client.get(url).status_code == 403  # a restore is a POST
    response = client.post(url)

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.title, article.body) == ("Original", "<p>Original text.</p>")
    assert article.status == Article.Status.PUBLISHED
    assert article.history.count() == 3
    assert article.history.first().history_change_reason.startswith("Restored the version of")


# Preview


def test_staff_preview_a_draft_with_a_banner_never_cached_and_not_indexed(client, reporter):
    draft = make_draft(title="Work in progress")
    client.force_login(reporter)

    response = client.get(reverse("articles:preview", args=[draft.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Preview — not published" in page
    assert "Work in progress" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "no-cache" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_staff_preview_an_earlier_version(client, editor):
    article = make_draft(title="First headline")
    article.title = "Second headline"
    article.save()
    client.force_login(editor)

    url = reverse("articles:preview", args=[article.pk, article.history.last().history_id])
    page = client.get(url).content.decode()

    assert "First headline" in page
    assert "Second headline" not in page


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_the_preview_is_a_404_for_everybody_else(client, who):
    draft = make_draft()
    if who == "reader":
        client.force_login(make_user())
    assert client.get(reverse("articles:preview", args=[draft.pk])).status_code == 404
    version = draft.history.first().history_id
    assert client.get(reverse("articles:preview", args=[draft.pk, version])).status_code == 404


# Corrections


def test_a_correction_moves_updated_at_and_the_page_says_updated(client):
    article = make_article(published_at=timezone.now() - timedelta(days=1))
    before = article.updated_at

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        Correction.objects.create(article=article, text="The vote was 51 to 49, not 52 to 48.")
    article.refresh_from_db()

    assert article.updated_at > before + timedelta(minutes=59)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Updated" in page
    assert article.updated_at.isoformat() in page
    assert "The vote was 51 to 49, not 52 to 48." in page


def test_a_fresh_article_does_not_say_updated(client):
    article = make_article()
    assert "Updated" not in client.get(article.get_absolute_url()).content.decode()


def test_the_corrections_page_lists_published_articles_corrections_newest_first(client):
    now = timezone.now()
    public = make_article(title="Public story")
    hidden = make_draft(title="Hidden draft")
    Correction.objects.create(article=public, text="Older fix", created_at=now - timedelta(days=2))
    Correction.objects.create(article=public, text="Newer fix", created_at=now - timedelta(days=1))
    Correction.objects.create(article=hidden, text="Draft fix")

    page = client.get(reverse("articles:corrections")).content.decode()

    assert page.index("Newer fix") < page.index("Older fix")
    assert "Draft fix" not in page and "Hidden draft" not in page


@pytest.mark.parametrize("size", [1, 25])
@pytest.mark.usefixtures("no_page_cache")
def test_the_corrections_page_runs_fixed_queries(client, django_assert_num_queries, size):
    section = make_section()
    for _ in range(size):
        Correction.objects.create(article=make_article(section=section), text="Fixed.")
    # nav sections, footer pages, count, page of corrections with their articles;
    # footer notices and labels in force (cold cache)
    with django_assert_num_queries(4 + 2):
        response = client.get(reverse("articles:corrections"))
    assert response.status_code == 200


# No lost edits


def test_saving_over_a_newer_version_is_refused_and_keeps_the_editors_text(client, editor):
    article = make_article(title="Headline", body="<p>Original.</p>")
    opened = post_data(article, editor_fields=True)
    other = make_staff("other-editor", group="Editor")
    client.force_login(other)
    client.post(
        change_url(article), post_data(article, editor_fields=True, body="<p>Their change.</p>")
    )
    client.force_login(editor)

    response = client.post(change_url(article), opened | {"body": "<p>My long rewrite.</p>"})

    assert response.status_code == 200
    errors = form_errors(response)
    assert "Not saved: other-editor changed this article" in errors
    assert "My long rewrite." in response.content.decode()
    article.refresh_from_db()
    # The article is live: the other editor's save waits, unpublished, and is not overwritten.
    assert article.body == "<p>Original.</p>"
    assert article.pending_changes.data["body"] == "<p>Their change.</p>"


@pytest.mark.parametrize("opened", [None, "", "yesterday", "2026-13-45T10:00:00+00:00"])
def test_a_form_without_a_valid_opened_version_is_refused(client, editor, opened):
    article = make_article(title="Headline")
    data = post_data(article, editor_fields=True, title="Blind overwrite")
    if opened is None:
        del data["opened_version"]
    else:
        data["opened_version"] = opened
    client.force_login(editor)

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert "Not saved" in form_errors(response)
    assert Article.objects.get().title == "Headline"


# Dashboard


def test_the_dashboard_shows_drafts_review_scheduled_and_recent(client, editor):
    now = timezone.now()
    make_draft(created_by=editor, title="My own draft")
    make_draft(title="Somebody else's draft")
    make_draft(title="Needs a look", status=Article.Status.REVIEW)
    make_article(title="Due tonight", published_at=now + timedelta(hours=5))
    make_article(title="Due next week", published_at=now + timedelta(days=7))
    make_article(title="Just out", published_at=now - timedelta(minutes=5))
    client.force_login(editor)

    page = client.get(reverse("admin:index")).content.decode()

    for heading in ["My drafts", "Waiting for review", "Scheduled in the next 24 hours"]:
        assert heading in page
    for title in ["My own draft", "Needs a look", "Due tonight", "Just out"]:
        assert title in page
    assert "Somebody else" not in page
    assert "Due next week" not in page
    assert "Comments waiting for moderation" not in page  # no comments app here


def test_the_dashboard_counts_held_comments_for_those_who_moderate(client):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"premoderation": True})
    article = make_article()
    for number in range(3):
        make_comment(article, body=f"Waiting {number}.")
    make_comment(article, body="Already approved.", status=Comment.Status.VISIBLE)
    client.force_login(make_staff("desk-moderator", group="Moderator"))

    page = client.get(reverse("admin:index")).content.decode()

    assert "Comments waiting for moderation" in page
    assert "3 comments held" in page
    assert reverse("admin:comments_comment_changelist") in page
