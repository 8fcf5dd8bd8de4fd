"""Attacks on accounts: open redirects through `next`, forged hosts in e-mailed links, account
enumeration, session fixation, brute force on password reset."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_reader, make_staff

pytestmark = pytest.mark.django_db

EVIL_NEXT = ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]


def assert_stays_here(response):
    """The redirect ends on this site as a browser reads it: browsers drop tabs and line
    breaks from addresses and take a backslash for a slash."""
    assert response.status_code == 302
    location = re.sub(r"[\t\r\n]", "", response["Location"]).replace("\\", "/")
    target = urlsplit(urljoin("http://testserver/accounts/login/", location))
    assert (target.scheme, target.netloc) == ("http", "testserver"), location


@pytest.mark.parametrize("next_url", EVIL_NEXT)
def test_sign_out_never_leads_to_another_site(client, reader, next_url):
    client.force_login(reader)
    assert_stays_here(client.post(reverse("account_logout"), {"next": next_url}))


@pytest.mark.parametrize("next_url", EVIL_NEXT)
def test_the_admin_sign_in_never_leads_to_another_site(client, next_url):
    make_staff("editor", group="Editor")
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "pw-12345678", "next": next_url},
    )
    assert_stays_here(response)


@pytest.mark.parametrize(
    "next_url",
    [
        "https:evil.example",
        "\\\\evil.example",
        "http://testserver@evil.example/",
        "/\t/evil.example/",
        "https://testserver.evil.example/",
        "%2F%2Fevil.example",
    ],
)
def test_reader_sign_in_never_leads_to_another_site_even_disguised(client, next_url):
    make_reader("anna")
    response = client.post(
        reverse("account_login"),
        {"login": "anna@example.com", "password": "pw-12345678", "next": next_url},
    )
    assert_stays_here(response)


@pytest.mark.parametrize("next_url", EVIL_NEXT[:2])
def test_the_admin_sign_out_never_leads_to_another_site(client, editor, next_url):
    client.force_login(editor)
    response = client.post(reverse("admin:logout") + f"?next={next_url}")
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert_stays_here(response)


def test_the_sign_in_link_in_the_header_only_carries_a_local_path(client):
    html = client.get("/", {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in html


# Host header poisoning: links in e-mails carry the site's host, never one an attacker sent.


def test_a_password_reset_with_a_forged_host_is_refused_and_sends_nothing(client, reader):
    response = client.post(
        reverse("account_reset_password"), {"email": reader.email}, HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert mail.outbox == []


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_SERVER"])
def test_forwarded_host_headers_do_not_get_into_the_reset_link(client, reader, header):
    client.post(
        reverse("account_reset_password"), {"email": reader.email}, **{header: "evil.example"}
    )
    assert len(mail.outbox) == 1
    assert "evil.example" not in mail.outbox[0].body
    assert re.search(r"https?://testserver/accounts/password/reset/key/", mail.outbox[0].body)


def test_forwarded_host_does_not_get_into_the_sign_up_confirmation_link(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "display_name": "New",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert len(mail.outbox) == 1
    assert "evil.example" not in mail.outbox[0].body


# Account enumeration: the answers are the same whether the account exists or not.


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, reader):
    known = client.post(reverse("account_reset_password"), {"email": reader.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_sign_up_with_a_taken_address_answers_like_a_new_one(client, reader):
    data = {
        "display_name": "X",
        "password1": "a-long-passphrase-9",
        "password2": "a-long-passphrase-9",
    }
    taken = client.post(reverse("account_signup"), data | {"email": reader.email})
    fresh = client.post(reverse("account_signup"), data | {"email": "fresh@example.com"})
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    # The owner of the taken address is told by e-mail, not the person at the keyboard.
    assert {m.to[0] for m in mail.outbox} == {reader.email, "fresh@example.com"}


def test_a_wrong_password_and_an_unknown_address_get_the_same_message(client):
    make_reader("anna")
    url = reverse("account_login")
    known = client.post(url, {"login": "anna@example.com", "password": "wrong-one"})
    unknown = client.post(url, {"login": "nobody@example.com", "password": "wrong-one"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors


# Sessions and brute force


def test_signing_in_as_a_reader_rotates_the_session(client):
    make_reader("anna")
    client.get(reverse("account_login"))
    client.cookies["sessionid"] = "attacker-fixed-session-id"
    response = client.post(
        reverse("account_login"), {"login": "anna@example.com", "password": "pw-12345678"}
    )
    assert response.status_code == 302
    assert client.cookies["sessionid"].value not in {"", "attacker-fixed-session-id"}
    assert "_auth_user_id" in client.session


def test_repeated_password_resets_for_one_address_are_limited(client, reader):
    responses = [
        client.post(reverse("account_reset_password"), {"email": reader.email}) for _ in range(8)
    ]
    assert responses[0].status_code == 302
    assert responses[-1].status_code == 429
    assert len(mail.outbox) < 8
