"""Drafts of live articles: the desk edits a published article while readers keep the
published text, until an editor publishes the changes. Through the admin and the public pages,
with the page cache on."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import workflow
from articles.models import Article, PendingChanges
from audit.models import AuditEntry
from tests.factories import (
    change_url,
    make_article,
    make_author,
    make_draft,
    make_staff,
    post_data,
)
from tests.test_invalidation import cached, fetch, page_cache  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def edit(client, article, **fields):
    """Open the change form as an editor would, then post it with `fields` changed."""
    form = client.get(change_url(article)).context["adminform"].form
    data = post_data(article, editor_fields=True)
    for name in ("title", "slug", "lead", "body", "opened_version"):
        data[name] = form[name].value()
    data["authors"] = [str(pk) for pk in form["authors"].value()]
    data["tags"] = form["tags"].field.widget.format_value(form["tags"].value()) or ""
    return client.post(change_url(article), data | fields)


@pytest.fixture
def desk(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.mark.usefixtures("page_cache")
def test_saving_a_live_article_keeps_the_published_text_on_the_public_page(desk):
    article = make_article(title="Old headline", body="<p>Old text.</p>")
    url = article.get_absolute_url()
    cached(url)

    response = edit(desk, article, title="New headline", body="<p>Half-finished.</p>")

    assert response.status_code == 302
    state, page = fetch(url)
    assert state == "hit"  # nothing readers see changed, so nothing was invalidated
    assert "Old headline" in page and "Half-finished" not in page
    article.refresh_from_db()
    assert (article.title, article.body) == ("Old headline", "<p>Old text.</p>")
    assert article.pending_changes.data["title"] == "New headline"


@pytest.mark.usefixtures("page_cache")
def test_publish_changes_shows_them_on_the_next_request(desk):
    article = make_article(title="Old headline")
    url = article.get_absolute_url()
    edit(desk, article, title="New headline")
    cached(url)

    response = edit(desk, article, _workflow="publish_changes")

    assert response.status_code == 302
    state, page = fetch(url)
    assert state != "hit"
    assert "New headline" in page and "Old headline" not in page
    assert not PendingChanges.objects.filter(article=article).exists()
    version = article.history.first()
    assert version.history_change_reason == "Changes published"
    assert version.title == "New headline"
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.PUBLISH_CHANGES, object_id=article.pk
    ).exists()


def test_the_form_opens_on_the_changes_and_says_so(desk):
    article = make_article(title="Old headline", lead="Old lead.")
    edit(desk, article, title="New headline", lead="New lead.")

    response = desk.get(change_url(article))

    form = response.context["adminform"].form
    assert form["title"].value() == "New headline"
    assert form["lead"].value() == "New lead."
    page = response.content.decode()
    assert "Unpublished changes." in page
    assert "Publish changes" in page
    assert "Discard the changes" in page


def test_authors_and_tags_wait_with_the_text(desk):
    old, new = make_author(name="Old Byline"), make_author(name="New Byline")
    article = make_article(authors=[old], tags=["nato"])

    edit(desk, article, authors=[new.pk], tags="ukraine, nato")

    assert list(article.authors.all()) == [old]
    assert sorted(article.tags.names()) == ["nato"]
    form = desk.get(change_url(article)).context["adminform"].form
    assert [int(pk) for pk in form["authors"].value()] == [new.pk]
    assert "ukraine" in form["tags"].field.widget.format_value(form["tags"].value())

    edit(desk, article, _workflow="publish_changes")

    assert list(article.authors.all()) == [new]
    assert sorted(article.tags.names()) == ["nato", "ukraine"]
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "New Byline" in page and "Old Byline" not in page


def test_preview_shows_the_changes_and_the_public_page_does_not(desk):
    article = make_article(title="Old headline")
    edit(desk, article, title="New headline")

    preview = desk.get(reverse("articles:preview", args=[article.pk])).content.decode()
    public = Client().get(article.get_absolute_url()).content.decode()

    assert "New headline" in preview and "Unpublished changes of" in preview
    assert "New headline" not in public


def test_the_list_and_the_desk_say_live_with_unpublished_changes(desk):
    changed, untouched = make_article(title="Changed one"), make_article(title="Untouched one")
    edit(desk, changed, lead="A better lead.")

    listing = desk.get(reverse("admin:articles_article_changelist") + "?state=changes")
    desk_page = desk.get(reverse("admin:index")).content.decode()

    assert [a.pk for a in listing.context["cl"].result_list] == [changed.pk]
    assert "Live, with unpublished changes" in listing.content.decode()
    assert "Changed one" in desk_page.split("Live, with unpublished changes")[1]
    assert untouched.title in desk_page


def test_discarding_goes_back_to_the_published_text(desk):
    article = make_article(title="Old headline")
    edit(desk, article, title="Abandoned headline")

    response = desk.post(reverse("admin:articles_article_discard_changes", args=[article.pk]))

    assert response.status_code == 302
    assert not PendingChanges.objects.filter(article=article).exists()
    assert desk.get(change_url(article)).context["adminform"].form["title"].value() == (
        "Old headline"
    )
    assert desk.get(
        reverse("admin:articles_article_discard_changes", args=[article.pk])
    ).status_code in (403, 405)


def test_two_editors_saving_changes_do_not_overwrite_each_other(desk):
    article = make_article(title="Old headline")
    opened = workflow.version_of(article, None)  # the form as the desk opened it
    other = Client()
    other.force_login(make_staff("other-editor", group="Editor"))
    edit(other, article, title="Their headline")

    response = desk.post(
        change_url(article),
        post_data(article, editor_fields=True, title="My headline", opened_version=opened),
    )

    assert response.status_code == 200
    assert "Not saved: other-editor changed this article" in str(
        response.context["adminform"].form.errors
    )
    assert "My headline" in response.content.decode()
    assert article.pending_changes.data["title"] == "Their headline"


def test_closing_comments_acts_at_once_while_the_text_waits(desk):
    article = make_article(title="Old headline")
    data = {"title": "New headline"}
    data_without_comments = post_data(article, editor_fields=True) | data
    del data_without_comments["comments_open"]
    form = desk.get(change_url(article)).context["adminform"].form
    data_without_comments["opened_version"] = form["opened_version"].value()

    desk.post(change_url(article), data_without_comments)

    article.refresh_from_db()
    assert article.comments_open is False
    assert article.title == "Old headline"


def test_sending_a_live_article_back_takes_its_changes_into_the_draft(desk):
    article = make_article(title="Old headline")
    edit(desk, article, title="Reworked headline")

    edit(desk, article, _workflow="send_back", title="Reworked headline")

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.title == "Reworked headline"
    assert not PendingChanges.objects.filter(article=article).exists()


def test_a_draft_or_a_scheduled_article_is_saved_as_before(desk):
    draft = make_draft(title="Draft headline")
    edit(desk, draft, title="Better draft headline")
    draft.refresh_from_db()
    assert draft.title == "Better draft headline"
    assert not PendingChanges.objects.exists()


def test_publish_changes_is_for_editors_and_needs_changes(editor, reporter):
    article = make_article()
    with pytest.raises(workflow.WorkflowError):
        workflow.publish_changes(article, by=editor)
    workflow.keep_changes(article, {"title": "X"}, by=editor)
    with pytest.raises(workflow.PermissionDenied):
        workflow.publish_changes(article, by=reporter)
    with pytest.raises(workflow.PermissionDenied):
        workflow.keep_changes(article, {"title": "Y"}, by=reporter)


def test_the_public_page_reads_no_more_with_pending_changes(
    editor, django_assert_num_queries, no_page_cache
):
    article = make_article()
    url = article.get_absolute_url()
    with CaptureQueriesContext(connection) as without:
        Client().get(url)
    workflow.keep_changes(article, {"title": "Pending"}, by=editor)
    cache.clear()  # cold, as before

    with django_assert_num_queries(len(without)):
        response = Client().get(url)

    assert "Pending" not in response.content.decode()


def test_unpublished_changes_are_sanitized_like_the_article(editor, client):
    article = make_article()
    workflow.keep_changes(
        article,
        {"body": '<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p>'},
        by=editor,
    )
    body = PendingChanges.objects.get(article=article).data["body"]
    assert "javascript" not in body and "onclick" not in body
    client.force_login(editor)
    preview = client.get(reverse("articles:preview", args=[article.pk])).content.decode()
    assert "javascript:alert" not in preview
