"""The production profile's headers, on the pages readers and editors use."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_article

pytestmark = pytest.mark.django_db


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.fixture
def public_urls():
    article = make_article()
    return [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.section.get_absolute_url(),
    ]


def test_public_pages_allow_no_inline_script(client, public_urls):
    for url in public_urls:
        response = client.get(url, secure=True)
        directives = csp_directives(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "<script>" not in response.content.decode()


def test_public_pages_carry_the_security_headers(client, public_urls):
    for url in public_urls:
        response = client.get(url, secure=True)
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_admin_has_its_own_policy_for_the_editor(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:articles_article_add"), secure=True)
    directives = csp_directives(response)
    assert "'unsafe-inline'" in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_admin_sign_in_page_carries_the_headers(client):
    response = client.get(reverse("admin:login"), secure=True)
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


def test_plain_http_is_redirected_to_https_in_production(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/")  # a new client builds its middleware with this setting
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_the_reader_sign_in_page_carries_the_headers_and_is_never_shared(client):
    response = client.get(reverse("account_login"), secure=True)
    assert response.status_code == 200
    directives = csp_directives(response)
    assert directives["script-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_a_page_with_a_csrf_form_is_private_even_when_it_sets_no_cookie(client, url):
    """A reader who already holds the CSRF cookie gets the form without a new cookie: the
    page must still not be kept by a shared cache (its token is the reader's)."""
    client.get(url)  # the CSRF cookie is set now
    response = client.get(url)
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
