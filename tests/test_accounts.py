"""Reader accounts on django-allauth: sign-up with a verified e-mail, sign-in back to the
article, POST-only sign-out, safe `next`, rate limits, and the profile's display name."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Profile
from tests.factories import make_reader

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new@example.com",
    "display_name": "New Reader",
    "password1": "a-long-passphrase-9",
    "password2": "a-long-passphrase-9",
}


def sign_in(client, email, next_url=None, password="pw-12345678"):
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": password})


def test_sign_up_sends_a_verification_link_and_stores_the_display_name(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="new@example.com")
    assert Profile.objects.get(user=user).display_name == "New Reader"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "Newsroom" in mail.outbox[0].body and "New Reader" in mail.outbox[0].body
    assert "example.com" not in mail.outbox[0].body.replace("new@example.com", "")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    assert sign_in(client, "new@example.com", password=SIGNUP["password1"])["Location"] == (
        reverse("account_email_verification_sent")
    )
    path = link.split("testserver", 1)[1]
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_without_a_display_name_keeps_what_was_typed(client):
    response = client.post(reverse("account_signup"), SIGNUP | {"display_name": "  "})
    assert response.status_code == 200
    assert "Please enter a display name." in response.content.decode()
    assert 'value="new@example.com"' in response.content.decode()
    assert not get_user_model().objects.exists()


def test_a_failed_sign_up_follows_the_error_pattern(client):
    page = client.post(reverse("account_signup"), SIGNUP | {"password1": "short"}).content.decode()
    title = " ".join(re.search(r"<title>(.*?)</title>", page, re.S).group(1).split())
    assert title.startswith("Error: ")
    summary = page[
        page.index('class="error-summary"') : page.index("</ul>", page.index("error-summary"))
    ]
    assert 'tabindex="-1"' in summary and "autofocus" in summary
    assert '<a href="#id_password1">' in summary
    field = re.search(r"<input[^>]*id=\"id_password1\"[^>]*>", page).group()
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in field
    # The rules and the message stand in the elements the field names (no <p> to break them).
    rules = page[page.index('id="id_password1_helptext"') :]
    assert rules.index("at least 8 characters") < rules.index("</div>")
    assert 'id="id_password1_error"' in page


def test_signing_in_from_an_article_returns_to_it(client, article):
    make_reader("anna")
    response = sign_in(client, "anna@example.com", next_url=article.get_absolute_url())
    assert response["Location"] == article.get_absolute_url()


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"]
)
def test_next_never_leads_to_another_site(client, next_url):
    make_reader("anna")
    response = sign_in(client, "anna@example.com", next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:home")


def test_sign_out_is_post_only(client, reader):
    client.force_login(reader)
    client.get(reverse("account_logout"))
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_repeated_failed_sign_ins_are_rate_limited(client):
    make_reader("anna")
    pages = [sign_in(client, "anna@example.com", password="wrong") for _ in range(6)]
    assert "Too many failed login attempts" not in pages[0].content.decode()
    assert "Too many failed login attempts" in pages[-1].content.decode()
    # Now not even the right password gets in until the limit has passed.
    assert sign_in(client, "anna@example.com").status_code == 200


def test_the_header_offers_sign_in_back_to_the_page_and_sign_out_as_a_form(client, article, reader):
    page = client.get(article.get_absolute_url()).content.decode()
    next_url = article.get_absolute_url().replace("/", "%2F")
    assert f'href="{reverse("account_login")}?next={next_url}"' in page
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<form method="post" action="{reverse("account_logout")}"' in page


def test_allauth_pages_wear_the_site_design(client):
    for name in ["account_login", "account_signup", "account_reset_password"]:
        page = client.get(reverse(name)).content.decode()
        assert 'class="site-header"' in page
        assert "/static/css/site.css" in page


def test_a_reader_changes_their_display_name(client, reader):
    client.force_login(reader)
    response = client.post(reverse("accounts:profile"), {"display_name": "Anna K."})
    assert response.status_code == 302
    assert Profile.objects.get(user=reader).display_name == "Anna K."
    response = client.post(reverse("accounts:profile"), {"display_name": ""})
    assert response.status_code == 200
    assert Profile.objects.get(user=reader).display_name == "Anna K."


def test_the_profile_page_needs_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_password_reset_sends_a_link_that_sets_a_new_password(client, reader):
    client.post(reverse("account_reset_password"), {"email": reader.email})
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(path.group(1), follow=True)
    new = "another-long-passphrase-7"
    client.post(response.redirect_chain[-1][0], {"password1": new, "password2": new})
    reader.refresh_from_db()
    assert reader.check_password(new)


def test_a_signed_in_reader_changes_their_password(client, reader):
    client.force_login(reader)
    new = "another-long-passphrase-7"
    client.post(
        reverse("account_change_password"),
        {"oldpassword": "pw-12345678", "password1": new, "password2": new},
    )
    reader.refresh_from_db()
    assert reader.check_password(new)
