"""Acting on somebody else's things: readers on others' comments (IDOR), reporters beyond
their role, readers in the admin. Refused on the server, whatever the page offered."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Article
from comments.models import Comment, ModerationSettings, Report
from tests.factories import (
    make_article,
    make_comment,
    make_draft,
    make_notice,
    make_reader,
    make_staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def victims_comment(article):
    return make_comment(article, make_reader("victim"), "The victim's words.")


@pytest.fixture
def attacker(client):
    client.force_login(make_reader("attacker"))
    return client


def unchanged(comment):
    comment.refresh_from_db()
    return (comment.body, comment.status) == ("The victim's words.", Comment.Status.VISIBLE)


def test_opening_the_edit_form_of_anothers_comment_answers_404(attacker, victims_comment):
    response = attacker.get(reverse("comments:edit", args=[victims_comment.pk]))
    assert response.status_code == 404
    assert "The victim&#x27;s words." not in response.content.decode()


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_changing_anothers_comment_by_its_number_answers_404(attacker, victims_comment, action):
    url = reverse(f"comments:{action}", args=[victims_comment.pk])
    assert attacker.post(url, {"body": "Hijacked"}).status_code == 404
    assert unchanged(victims_comment)


def test_a_reader_cannot_report_their_own_comment_to_hide_it(attacker, article):
    mine = make_comment(article, get_user_model().objects.get(username="attacker"))
    response = attacker.post(reverse("comments:report", args=[mine.pk]), {"reason": "spam"})
    assert response.status_code == 403
    assert not Report.objects.exists()


@pytest.mark.parametrize("status", [Comment.Status.HELD, Comment.Status.REMOVED])
def test_a_hidden_comment_cannot_be_reported_or_seen_through_the_report_form(
    attacker, victims_comment, status
):
    Comment.objects.filter(pk=victims_comment.pk).update(status=status)
    url = reverse("comments:report", args=[victims_comment.pk])
    assert attacker.get(url).status_code == 404
    assert attacker.post(url, {"reason": "x"}).status_code == 404
    assert not Report.objects.exists()


def test_one_reader_reporting_many_times_counts_once(attacker, victims_comment):
    ModerationSettings.objects.update(report_threshold=2)
    url = reverse("comments:report", args=[victims_comment.pk])
    for _ in range(5):
        attacker.post(url, {"reason": "I do not like it"})
    assert Report.objects.count() == 1
    assert unchanged(victims_comment)


def test_a_reply_cannot_be_attached_to_a_comment_under_another_article(attacker, victims_comment):
    other_article = make_article()
    attacker.post(
        reverse("comments:create", args=[other_article.pk]),
        {"body": "Sneaky reply", "parent": victims_comment.pk},
    )
    assert not Comment.objects.filter(parent=victims_comment).exists()


# Reporters beyond their role, readers in the admin


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:comments_comment_changelist"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:notices_notice_add"),
    ],
)
def test_a_reporter_cannot_open_what_is_not_theirs_in_the_admin(client, reporter, url):
    client.force_login(reporter)
    assert client.get(url).status_code == 403


def test_a_reporter_cannot_make_themselves_an_editor(client, reporter):
    client.force_login(reporter)
    editor_group = Group.objects.get(name="Editor")
    response = client.post(
        reverse("admin:auth_user_change", args=[reporter.pk]),
        {"username": "reporter", "groups": [editor_group.pk], "is_superuser": "on"},
    )
    assert response.status_code == 403
    reporter.refresh_from_db()
    assert not reporter.is_superuser
    assert list(reporter.groups.values_list("name", flat=True)) == ["Reporter"]


def test_a_reporter_cannot_delete_anothers_article(client, reporter):
    theirs = make_draft(created_by=make_staff("other", group="Reporter"))
    client.force_login(reporter)
    response = client.post(
        reverse("admin:articles_article_delete", args=[theirs.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk=theirs.pk).exists()


def test_a_reporter_cannot_change_a_notice(client, reporter):
    notice = make_notice(body="<p>Original.</p>")
    client.force_login(reporter)
    response = client.post(
        reverse("admin:notices_notice_change", args=[notice.pk]), {"body": "<p>Forged.</p>"}
    )
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.body == "<p>Original.</p>"


@pytest.mark.parametrize(
    "url", [reverse("admin:index"), reverse("admin:articles_article_changelist")]
)
def test_a_signed_in_reader_is_not_let_into_the_admin(client, url):
    client.force_login(make_reader("anna"))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "withdraw",
    [
        lambda article: Article.objects.filter(pk=article.pk).update(
            status=Article.Status.WITHDRAWN
        ),
        lambda article: Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT),
    ],
    ids=["withdrawn", "back-to-draft"],
)
def test_a_comment_under_an_article_no_longer_public_cannot_be_read_through_its_report_page(
    attacker, victims_comment, article, withdraw
):
    withdraw(article)
    url = reverse("comments:report", args=[victims_comment.pk])
    response = attacker.get(url)
    assert response.status_code == 404
    assert "The victim" not in response.content.decode()
    assert attacker.post(url, {"reason": "x"}).status_code == 404
    assert not Report.objects.exists()


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_a_comment_under_an_article_no_longer_public_cannot_be_edited_or_deleted(
    client, article, action
):
    author = make_reader("author")
    comment = make_comment(article, author, "My words.")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    client.force_login(author)
    url = reverse(f"comments:{action}", args=[comment.pk])
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {"body": "Changed"}).status_code == 404
    comment.refresh_from_db()
    assert (comment.body, comment.status) == ("My words.", Comment.Status.VISIBLE)
