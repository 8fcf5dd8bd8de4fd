"""Guessing one account's password from many addresses: each address has its own few tries,
and the account as a whole has a limit too, which never locks its owner out where they
usually sign in, nor other accounts."""

import itertools

import pytest
from django.urls import reverse

from tests.factories import make_reader, make_staff

pytestmark = pytest.mark.django_db

addresses = (f"203.0.113.{n}" for n in itertools.count(1))


@pytest.fixture(autouse=True)
def no_allauth_limits(settings):
    """allauth's own rate limits would answer first; these tests are about django-axes."""
    settings.ACCOUNT_RATE_LIMITS = False


def admin_sign_in(client, password, address, username="editor"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def reader_sign_in(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def spread_failures(settings, attempt):
    """Wrong passwords from many addresses, each staying under the per-address limit, until
    the account's own limit is reached."""
    per_address = settings.AXES_FAILURE_LIMIT - 1
    remaining = settings.NEWSROOM_SIGNIN_ACCOUNT_FAILURE_LIMIT
    while remaining > 0:
        address = next(addresses)
        for _ in range(min(per_address, remaining)):
            # The failure that reaches the limit is answered "too many attempts" already.
            assert attempt(address).status_code == (429 if remaining == 1 else 200)
            remaining -= 1


def test_guessing_an_admin_password_from_many_addresses_locks_the_account(client, settings):
    make_staff("editor", group="Editor")
    spread_failures(settings, lambda address: admin_sign_in(client, "wrong", address))
    # A new address, even with the right password, is refused now.
    assert admin_sign_in(client, "pw-12345678", next(addresses)).status_code == 429


def test_guessing_a_reader_password_from_many_addresses_locks_the_account(client, settings):
    make_reader("anna")
    spread_failures(
        settings, lambda address: reader_sign_in(client, "anna@example.com", "wrong", address)
    )
    response = reader_sign_in(client, "ANNA@example.com", "pw-12345678", next(addresses))
    assert response.status_code == 429


def test_the_owner_still_signs_in_from_an_address_they_used_before(client, settings):
    make_staff("editor", group="Editor")
    home = "192.0.2.10"
    assert admin_sign_in(client, "pw-12345678", home).status_code == 302
    client.logout()
    spread_failures(settings, lambda address: admin_sign_in(client, "wrong", address))
    assert admin_sign_in(client, "pw-12345678", next(addresses)).status_code == 429
    assert admin_sign_in(client, "pw-12345678", home).status_code == 302


def test_a_locked_account_does_not_lock_other_accounts(client, settings):
    make_staff("editor", group="Editor")
    make_staff("moderator", group="Moderator")
    spread_failures(settings, lambda address: admin_sign_in(client, "wrong", address))
    response = admin_sign_in(client, "pw-12345678", next(addresses), username="moderator")
    assert response.status_code == 302


def test_below_the_account_limit_a_new_address_still_signs_in(client, settings):
    make_staff("editor", group="Editor")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_sign_in(client, "wrong", next(addresses))
    assert admin_sign_in(client, "pw-12345678", next(addresses)).status_code == 302
