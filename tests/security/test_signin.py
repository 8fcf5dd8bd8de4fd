"""Brute force on the admin sign-in is refused; staff-only means staff-only."""

import pytest
from django.urls import reverse

from tests.factories import make_staff

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


def attempt(client, password, username="editor"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="203.0.113.9",
    )


def test_repeated_wrong_passwords_lock_the_admin_sign_in(client, settings):
    make_staff("editor", group="Editor")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200
    locked = attempt(client, "wrong")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    # Even the right password is refused while locked.
    assert attempt(client, "pw-12345678").status_code == 429


def test_the_lock_is_per_address_so_others_can_still_sign_in(client, settings):
    make_staff("editor", group="Editor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")
    other = client.post(
        LOGIN,
        {"username": "editor", "password": "pw-12345678", "next": "/admin/"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 302


def test_a_right_password_signs_in_and_rotates_the_session(client):
    make_staff("editor", group="Editor")
    client.get(LOGIN)
    client.cookies["sessionid"] = "attacker-fixed-session-id"
    response = attempt(client, "pw-12345678")
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != "attacker-fixed-session-id"


def test_the_admin_sign_in_does_not_say_whether_an_account_exists(client):
    make_staff("editor", group="Editor")
    known = attempt(client, "wrong").context["form"].errors
    unknown = attempt(client, "wrong", username="nobody").context["form"].errors
    assert known == unknown


def reader_sign_in(client, email, password, address="203.0.113.9"):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


@pytest.fixture
def no_allauth_limits(settings):
    """allauth's own rate limits would answer first; these tests are about django-axes."""
    settings.ACCOUNT_RATE_LIMITS = False


def test_wrong_passwords_lock_the_reader_account_only_from_the_attackers_address(
    client, settings, no_allauth_limits
):
    from tests.factories import make_reader

    make_reader("anna")
    make_reader("bob")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        reader_sign_in(client, "anna@example.com", "wrong")
    assert reader_sign_in(client, "anna@example.com", "pw-12345678").status_code == 429
    # The attacker's address in other letters is the same account.
    assert reader_sign_in(client, "ANNA@example.com", "pw-12345678").status_code == 429
    # Somebody else behind the same address, and Anna from her own, still sign in.
    assert reader_sign_in(client, "bob@example.com", "pw-12345678").status_code == 302
    client.logout()
    other = reader_sign_in(client, "anna@example.com", "pw-12345678", address="198.51.100.7")
    assert other.status_code == 302


def test_a_successful_reader_sign_in_clears_the_failures(client, settings, no_allauth_limits):
    from tests.factories import make_reader

    make_reader("anna")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        reader_sign_in(client, "anna@example.com", "wrong")
    assert reader_sign_in(client, "anna@example.com", "pw-12345678").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert reader_sign_in(client, "anna@example.com", "wrong").status_code == 200
