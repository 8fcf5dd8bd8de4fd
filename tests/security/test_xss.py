"""Stored and reflected script injection: whatever a reader or a reporter types is shown as
text, on the public page and in the admin, never run as markup."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Profile
from articles import workflow
from articles.models import Article
from comments.models import Comment, Report
from medialibrary.models import Image as LibraryImage
from tests.factories import (
    library_image_data,
    make_article,
    make_comment,
    make_reader,
    make_section,
)
from tests.test_workflow import ADD_URL, post_data

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "</textarea><svg onload=alert(1)>",
]


def assert_shown_as_text(html, payload):
    """The payload is on the page, escaped: present as text, absent as markup."""
    assert payload not in html
    assert escape(payload) in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_comment_body_is_shown_as_text_to_readers_and_moderators(
    client, article, moderator, payload
):
    reader = make_reader("anna")
    client.force_login(reader)
    client.post(reverse("comments:create", args=[article.pk]), {"body": payload})
    assert Comment.objects.get().body == payload
    client.logout()
    assert_shown_as_text(client.get(article.get_absolute_url()).content.decode(), payload)
    client.force_login(moderator)
    queue = client.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert payload not in queue


@pytest.mark.parametrize("payload", PAYLOADS[:2])
def test_a_display_name_from_sign_up_is_shown_as_text(client, article, payload):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "display_name": payload,
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
    )
    profile = Profile.objects.get()
    assert profile.display_name == payload
    make_comment(article, profile.user)
    assert_shown_as_text(client.get(article.get_absolute_url()).content.decode(), payload)


@pytest.mark.parametrize("payload", PAYLOADS[2:])
def test_a_display_name_from_the_profile_is_shown_as_text(client, article, reader, payload):
    make_comment(article, reader)
    client.force_login(reader)
    client.post(reverse("accounts:profile"), {"display_name": payload})
    profile_page = client.get(reverse("accounts:profile")).content.decode()
    assert_shown_as_text(profile_page, payload)
    client.logout()
    assert_shown_as_text(client.get(article.get_absolute_url()).content.decode(), payload)


def test_a_report_reason_is_shown_as_text_to_moderators(client, article, moderator):
    comment = make_comment(article)
    client.force_login(make_reader("anna"))
    client.post(reverse("comments:report", args=[comment.pk]), {"reason": PAYLOADS[1]})
    assert Report.objects.get().reason == PAYLOADS[1]
    client.force_login(moderator)
    change = client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert PAYLOADS[1] not in change.content.decode()


# A reporter's article: written in the admin, published by an editor, read by everybody.

REPORTER_FIELDS = ["title", "lead", "caption", "credit", "alt_text", "source_name"]
LIBRARY_FIELDS = {"caption", "credit", "alt_text", "credit_url"}


def reporter_writes(client, reporter, **fields):
    """The reporter uploads the image to the library (its description, caption and credit
    with it), then writes the article that uses it."""
    client.force_login(reporter)
    described = {name: fields.pop(name) for name in list(fields) if name in LIBRARY_FIELDS}
    upload = client.post(reverse("admin:media_image_add"), library_image_data(**described))
    assert upload.status_code == 302, upload.context["adminform"].form.errors
    image = LibraryImage.objects.latest("pk")
    data = post_data(section=make_section(), image=image.pk) | fields
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Article.objects.get()


@pytest.mark.parametrize("field", REPORTER_FIELDS)
def test_a_reporters_plain_text_field_is_shown_as_text_everywhere(client, reporter, editor, field):
    payload = '</script><script>alert("xss")</script>"><img src=x onerror=alert(1)>'
    extra = {"credit": "NATO", "source_name": "NATO"} if field != "title" else {}
    article = reporter_writes(client, reporter, **(extra | {field: payload}))
    workflow.publish(article, by=editor)
    client.force_login(editor)
    for url in [
        article.get_absolute_url(),
        reverse("articles:preview", args=[article.pk]),
        reverse("admin:articles_article_change", args=[article.pk]),
    ]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x onerror" not in html, url
    client.logout()
    assert_shown_as_text(client.get(article.get_absolute_url()).content.decode(), payload)


def test_a_reporters_tag_is_shown_as_text(client, reporter, editor):
    payload = '"><img src=x onerror=alert(1)>'
    article = reporter_writes(client, reporter, tags=f'"{payload}"')
    workflow.publish(article, by=editor)
    client.logout()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<img src=x onerror" not in html
    assert "onerror=alert(1)&gt;" in html


def test_script_in_a_reporters_body_is_removed_when_saved(client, reporter):
    article = reporter_writes(
        client,
        reporter,
        body='<p>Fine</p><script>alert(1)</script><p onclick="alert(1)">'
        '<a href="javascript:alert(1)">x</a></p><iframe src="https://evil.example"></iframe>',
    )
    assert "script" not in article.body
    assert "onclick" not in article.body and "javascript:" not in article.body
    assert "iframe" not in article.body
    assert "<p>Fine</p>" in article.body


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"])
def test_a_script_address_as_an_image_credit_link_is_refused(client, reporter, url):
    client.force_login(reporter)
    data = library_image_data(credit="NATO", credit_url=url)
    response = client.post(reverse("admin:media_image_add"), data)
    assert response.status_code == 200
    assert "credit_url" in response.context["adminform"].form.errors
    assert not LibraryImage.objects.exists()


@pytest.mark.parametrize("field", ["source_url"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"])
def test_a_script_address_in_a_link_field_is_refused(client, reporter, field, url):
    client.force_login(reporter)
    data = post_data(section=make_section()) | {field: url, "source_name": "NATO"}
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Article.objects.exists()


@pytest.mark.parametrize("payload", [*PAYLOADS, "</title><script>alert(1)</script>"])
def test_search_terms_are_reflected_as_text(client, payload):
    make_article(title="Budget")
    response = client.get(reverse("articles:search"), {"q": payload})
    assert response.status_code == 200
    html = response.content.decode()
    assert payload not in html
    assert escape(payload) in html
