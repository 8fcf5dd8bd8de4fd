"""Impersonation through display names: invisible characters, look-alike letters, the site's
and its staff's names, other readers' names; and names that leak a sign-in name."""

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse

from accounts.models import Profile, display_name
from tests.factories import make_reader, make_staff

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new@example.com",
    "password1": "a-long-passphrase-9",
    "password2": "a-long-passphrase-9",
}

INVISIBLE = [
    "Anna\u200bReader",  # zero-width space
    "Anna\u200dReader",  # zero-width joiner
    "\u202eredaeR annA",  # right-to-left override
    "Anna\u2066Reader\u2069",  # isolate controls
    "Anna\u00adReader",  # soft hyphen
    "Anna\u3164Reader",  # Hangul filler
    "Anna\ufeff",  # byte order mark
    "Anna\nReader",
]

RESERVED = [
    "admin",
    "Editor",
    "Moderator",
    "Newsroom",
    "NEWSROOM",
    "ａｄｍｉｎ",
    "Αdmin",
    "The Editors",
]


def sign_up(client, name, email="new@example.com"):
    return client.post(reverse("account_signup"), SIGNUP | {"email": email, "display_name": name})


def assert_refused(response, message, typed):
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # What the reader typed is kept for them to correct.
    assert 'value="new@example.com"' in html
    assert response.context["form"]["display_name"].value() == typed
    assert not get_user_model().objects.filter(email="new@example.com").exists()


@pytest.mark.parametrize("name", INVISIBLE)
def test_sign_up_refuses_a_name_with_invisible_or_direction_characters(client, name):
    assert_refused(sign_up(client, name), "invisible or text-direction characters", name.strip())


@pytest.mark.parametrize("name", RESERVED)
def test_sign_up_refuses_the_names_of_the_site_and_its_staff(client, name):
    assert_refused(sign_up(client, name), "kept for the site and its staff", name)


def test_the_site_name_is_reserved_whatever_it_is(client, settings):
    settings.SITE_NAME = "Daily Planet"
    assert_refused(
        sign_up(client, "daily  PLANET"), "kept for the site and its staff", "daily  PLANET"
    )


@pytest.mark.parametrize(
    "name",
    [
        "Anna Reader",
        "anna reader",
        "ANNA   READER",
        "\u0410nna Reader",  # Cyrillic capital A
        "Anna Rеader",  # Cyrillic small ie
        "Ａｎｎａ Reader",  # full-width letters
    ],
)
def test_sign_up_refuses_a_name_that_looks_like_another_readers(client, reader, name):
    assert_refused(sign_up(client, name), "Another reader already uses this name", name)


def test_a_name_is_stored_normalised(client):
    response = sign_up(client, "  Ｊｏｈｎ   Smith ")
    assert response.status_code == 302
    assert Profile.objects.get(user__email="new@example.com").display_name == "John Smith"


def test_a_reader_cannot_rename_themselves_after_another_reader(client, reader):
    other = make_reader("bob", display_name="Bob")
    client.force_login(other)
    response = client.post(reverse("accounts:profile"), {"display_name": "Аnna Reader"})
    assert response.status_code == 200
    assert "Another reader already uses this name" in response.content.decode()
    assert 'value="Аnna Reader"' in response.content.decode()
    assert Profile.objects.get(user=other).display_name == "Bob"


def test_a_reader_keeps_their_own_name_when_saving_the_profile(client, reader):
    client.force_login(reader)
    response = client.post(reverse("accounts:profile"), {"display_name": "anna reader"})
    assert response.status_code == 302
    assert Profile.objects.get(user=reader).display_name == "anna reader"


def test_names_made_in_bulk_are_compared_too(client):
    user = get_user_model().objects.create_user("bulk", "bulk@example.com")
    Profile.objects.bulk_create([Profile(user=user, display_name="Reader 7")])
    assert_refused(sign_up(client, "reader 7"), "Another reader already uses this name", "reader 7")


# The sign-in name is a secret: it never shows where readers can see it.


def test_a_staff_account_without_a_profile_shows_a_neutral_name(db):
    staff = make_staff("jsmith.admin", group="Editor")
    shown = display_name(staff)
    assert shown == "Reader"
    rendered = Template("{% load accounts %}{{ user|display_name }}").render(
        Context({"user": staff})
    )
    assert rendered == "Reader"


def test_a_profile_without_a_name_does_not_show_the_sign_in_name(db):
    user = make_staff("jsmith.admin", group="Editor")
    Profile.objects.create(user=user, display_name="")
    assert display_name(user) == "Reader"


def test_the_profile_page_does_not_offer_the_sign_in_name_as_display_name(client):
    staff = make_staff("jsmith.admin", group="Editor")
    client.force_login(staff)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "jsmith.admin" not in html


# A right-to-left name cannot reorder the text around it.

RTL_NAME = "שרה כהן"


def test_the_name_fields_take_their_direction_from_what_is_typed(client, reader):
    assert 'dir="auto"' in client.get(reverse("account_signup")).content.decode()
    client.force_login(reader)
    assert 'dir="auto"' in client.get(reverse("accounts:profile")).content.decode()


def test_the_signed_in_message_isolates_the_readers_name(client):
    make_reader("sara", display_name=RTL_NAME)
    response = client.post(
        reverse("account_login"),
        {"login": "sara@example.com", "password": "pw-12345678"},
        follow=True,
    )
    assert f"\u2068{RTL_NAME}\u2069" in response.content.decode()


def test_the_e_mail_confirmation_page_isolates_the_readers_name(client):
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    user = make_reader("sara", display_name=RTL_NAME, verified=False)
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key
    page = client.get(reverse("account_confirm_email", args=[key])).content.decode()
    assert f"<bdi>{RTL_NAME}</bdi>" in page
