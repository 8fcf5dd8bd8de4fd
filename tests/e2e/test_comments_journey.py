"""A newcomer signs up, confirms the e-mail, signs in from an article and comments; an
anonymous reader sees the sentence and no form. Every page the journey passes is checked with
axe-core against WCAG 2.1 A and AA."""

import os
import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from comments.models import visible_count
from tests.e2e.axe import AXE_VERSION, wcag_violations
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db(transaction=True)

SENTENCE = "Dear reader, to leave comments on the publication, you must sign in."


def shot(page, screenshot_dir, name):
    page.screenshot(path=os.path.join(screenshot_dir, f"{name}.png"), full_page=True)


def assert_accessible(page):
    violations = wcag_violations(page)
    assert not violations, f"{page.url} ({AXE_VERSION}):\n" + "\n".join(violations)


def test_an_anonymous_reader_sees_the_sentence_and_no_form(live_server, page, screenshot_dir):
    article = make_article(title="Budget vote tonight")
    make_comment(article, body="An earlier comment.\nOn two lines.")

    page.goto(live_server.url + article.get_absolute_url())
    shot(page, screenshot_dir, "article-anonymous")

    assert page.locator(".comments__signin").inner_text() == SENTENCE
    assert page.locator("#comment-form").count() == 0
    assert page.locator(".comment-count").inner_text().strip().startswith("1")
    assert_accessible(page)


def test_sign_up_verify_sign_in_from_the_article_and_comment(live_server, page, screenshot_dir):
    article = make_article(title="Allies meet in Brussels")

    # Sign up from the header.
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(".account-menu").get_by_role("link", name="Sign up").click()
    assert_accessible(page)
    shot(page, screenshot_dir, "sign-up")
    page.fill("input[name=email]", "newcomer@example.com")
    page.fill("input[name=display_name]", "Newcomer")
    page.fill("input[name=password1]", "a-long-passphrase-9")
    page.fill("input[name=password2]", "a-long-passphrase-9")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    shot(page, screenshot_dir, "verification-sent")
    assert_accessible(page)

    # Open the link from the e-mail and confirm.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    page.goto(live_server.url + link.group(1))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    # Confirmed in the browser that signed up: signed in at once (ACCOUNT_LOGIN_ON_EMAIL_
    # CONFIRMATION). Sign out, to sign in again the way a returning reader does.
    sign_out = page.locator(".account-menu").get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    sign_out.click()
    expect(page.locator(".account-menu").get_by_role("link", name="Sign in")).to_be_visible()

    # Sign in from the article: the link under the discussion comes back to it.
    page.goto(live_server.url + article.get_absolute_url())
    page.locator(".comments__signin").get_by_role("link", name="sign in").click()
    page.wait_for_url(re.compile(re.escape(reverse("account_login"))))
    assert_accessible(page)
    shot(page, screenshot_dir, "sign-in")
    page.fill("input[name=login]", "newcomer@example.com")
    page.fill("input[name=password]", "a-long-passphrase-9")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(live_server.url + article.get_absolute_url())

    # Comment, and see it with the new count.
    assert page.locator(".comments__signin").count() == 0
    page.get_by_label("Your comment").fill("Good to see the talks moving.\nSee https://example.com")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".comment__body")
    shot(page, screenshot_dir, "article-commented")

    assert "Good to see the talks moving." in page.locator(".comment__body").inner_text()
    assert page.locator(".comment__author").inner_text() == "Newcomer"
    assert page.locator(".comment-count").inner_text().strip().startswith("1")
    assert page.locator(".comment__body a").get_attribute("rel") == "nofollow ugc noopener"
    assert visible_count(article) == 1
    assert_accessible(page)

    # The author's own pages: edit within the window, and the profile.
    page.locator(".comment__actions").get_by_role("link", name="Edit").click()
    assert_accessible(page)
    page.get_by_label("Your comment").fill("Good to see the talks moving at last.")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".comment__edited").inner_text() == "edited"
    page.locator(".account-menu").get_by_role("link", name="Your profile").click()
    assert_accessible(page)
    shot(page, screenshot_dir, "profile")


def test_a_form_sent_twice_at_once_stores_one_comment(live_server, page):
    from comments.models import Comment
    from tests.factories import make_reader

    article = make_article()
    make_reader("clicker")
    page.goto(live_server.url + reverse("account_login") + f"?next={article.get_absolute_url()}")
    page.fill("input[name=login]", "clicker@example.com")
    page.fill("input[name=password]", "pw-12345678")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(live_server.url + article.get_absolute_url())

    page.get_by_label("Your comment").fill("Posted with a double click.")
    # The same form sent twice at once, as a double click on a slow connection does.
    answers = page.evaluate(
        """form => Promise.all([1, 2].map(() =>
            fetch(form.action, {method: "POST", body: new FormData(form), redirect: "manual"})
            .then(response => response.type)))""",
        page.locator("#comment-form").element_handle(),
    )

    assert answers == ["opaqueredirect", "opaqueredirect"]  # both answered, neither an error
    assert Comment.objects.count() == 1
    assert visible_count(article) == 1
