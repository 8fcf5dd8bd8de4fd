"""Cross-site request forgery: every form that changes something refuses a POST that does not
carry the page's token, and changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from articles.models import Article
from comments.models import Comment, Report
from tests.factories import make_article, make_comment, make_reader, make_section, make_staff
from tests.test_admin import article_form

pytestmark = pytest.mark.django_db


def forged(user=None):
    """A browser that sends the victim's session cookie but not the page's token, as a form on
    another site would."""
    client = Client(enforce_csrf_checks=True)
    if user:
        client.force_login(user)
    return client


def comment_post():
    article, reader = make_article(), make_reader("anna")
    url = reverse("comments:create", args=[article.pk])
    return reader, url, {"body": "Forged"}, lambda: not Comment.objects.exists()


def comment_edit():
    reader = make_reader("anna")
    comment = make_comment(make_article(), reader, body="Mine")
    url = reverse("comments:edit", args=[comment.pk])
    return reader, url, {"body": "Forged"}, lambda: Comment.objects.get().body == "Mine"


def comment_delete():
    reader = make_reader("anna")
    comment = make_comment(make_article(), reader)
    url = reverse("comments:delete", args=[comment.pk])
    return reader, url, {}, lambda: Comment.objects.get().is_visible


def comment_report():
    comment = make_comment(make_article())
    url = reverse("comments:report", args=[comment.pk])
    return make_reader("anna"), url, {"reason": "Forged"}, lambda: not Report.objects.exists()


def profile():
    reader = make_reader("anna", display_name="Anna")
    url = reverse("accounts:profile")
    return (
        reader,
        url,
        {"display_name": "Forged"},
        lambda: Profile.objects.get().display_name == "Anna",
    )


def account_delete():
    reader = make_reader("anna")
    data = {"password": "pw-12345678"}
    return reader, reverse("accounts:delete"), data, lambda: get_user_model().objects.exists()


def sign_out():
    reader = make_reader("anna")
    return reader, reverse("account_logout"), {}, None  # checked below: still signed in


def password_change():
    reader = make_reader("anna")
    data = {
        "oldpassword": "pw-12345678",
        "password1": "forged-pass-99",
        "password2": "forged-pass-99",
    }
    return (
        reader,
        reverse("account_change_password"),
        data,
        lambda: get_user_model().objects.get().check_password("pw-12345678"),
    )


def email_add():
    reader = make_reader("anna")
    data = {"email": "attacker@evil.example", "action_add": ""}
    return reader, reverse("account_email"), data, lambda: reader.emailaddress_set.count() == 1


def sign_in():
    make_reader("anna")
    data = {"login": "anna@example.com", "password": "pw-12345678"}
    return None, reverse("account_login"), data, None  # checked below: not signed in


def admin_article_add():
    editor = make_staff("editor", group="Editor")
    data = article_form(make_section())
    return editor, reverse("admin:articles_article_add"), data, lambda: not Article.objects.exists()


def admin_moderation_action():
    moderator = make_staff("moderator", group="Moderator")
    comment = make_comment(make_article())
    data = {"action": "remove", "_selected_action": [comment.pk]}
    url = reverse("admin:comments_comment_changelist")
    return moderator, url, data, lambda: Comment.objects.get().is_visible


def admin_sign_out():
    editor = make_staff("editor", group="Editor")
    return editor, reverse("admin:logout"), {}, None


@pytest.mark.parametrize(
    "scenario",
    [
        comment_post,
        comment_edit,
        comment_delete,
        comment_report,
        profile,
        account_delete,
        sign_out,
        password_change,
        email_add,
        sign_in,
        admin_article_add,
        admin_moderation_action,
        admin_sign_out,
    ],
    ids=lambda scenario: scenario.__name__,
)
def test_a_post_without_the_token_is_refused_and_changes_nothing(scenario):
    user, url, data, unchanged = scenario()
    client = forged(user)
    response = client.post(url, data)
    assert response.status_code == 403
    signed_in = user is not None
    if unchanged:
        assert unchanged()
    # The session is what it was: still signed in if it was, not signed in if it was not.
    assert ("_auth_user_id" in client.session) == signed_in

    # The same request from the site's own page does change it, so the checks above can fail.
    client = Client()
    if user:
        client.force_login(user)
    client.post(url, data)
    if unchanged:
        assert not unchanged()
    else:
        assert ("_auth_user_id" in client.session) != signed_in
