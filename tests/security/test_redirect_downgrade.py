"""A redirect after sign-in or sign-out never takes a reader from https to http, even on the
same host: the session cookie is Secure, but the page and what the reader types next are not."""

from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from tests.factories import make_reader, make_staff

pytestmark = pytest.mark.django_db

DOWNGRADES = ["http://testserver/", "http://testserver/accounts/profile/", "//testserver/"]


def assert_stays_on_https(response):
    assert response.status_code == 302
    target = urlsplit(urljoin("https://testserver/accounts/login/", response["Location"]))
    assert (target.scheme, target.netloc) == ("https", "testserver"), response["Location"]


@pytest.mark.parametrize("next_url", DOWNGRADES)
def test_reader_sign_in_over_https_never_leads_to_http(client, next_url):
    make_reader("anna")
    response = client.post(
        reverse("account_login"),
        {"login": "anna@example.com", "password": "pw-12345678", "next": next_url},
        secure=True,
    )
    assert_stays_on_https(response)


@pytest.mark.parametrize("next_url", DOWNGRADES)
def test_reader_sign_out_over_https_never_leads_to_http(client, reader, next_url):
    client.force_login(reader)
    assert_stays_on_https(client.post(reverse("account_logout"), {"next": next_url}, secure=True))


@pytest.mark.parametrize("next_url", DOWNGRADES)
def test_admin_sign_in_over_https_never_leads_to_http(client, next_url):
    make_staff("editor", group="Editor")
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "pw-12345678", "next": next_url},
        secure=True,
    )
    assert_stays_on_https(response)


@pytest.mark.parametrize("next_url", DOWNGRADES)
def test_admin_sign_out_over_https_never_leads_to_http(client, editor, next_url):
    client.force_login(editor)
    response = client.post(reverse("admin:logout") + f"?next={next_url}", secure=True)
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert_stays_on_https(response)


def test_a_same_host_https_address_is_still_followed(client):
    make_reader("anna")
    response = client.post(
        reverse("account_login"),
        {"login": "anna@example.com", "password": "pw-12345678", "next": "https://testserver/x/"},
        secure=True,
    )
    assert response["Location"] == "https://testserver/x/"


def test_over_plain_http_a_same_host_http_address_is_followed(client):
    make_reader("anna")
    response = client.post(
        reverse("account_login"),
        {"login": "anna@example.com", "password": "pw-12345678", "next": "http://testserver/x/"},
    )
    assert response["Location"] == "http://testserver/x/"
