"""The comment form's details, in Chromium: a reply refused as too fast comes back open in its
thread with its text, deleting asks first (in place with JavaScript, on a page without), the
character count is live without moving the page; and the reply mail and the profile's e-mail
preferences as readers see them."""

import os
import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.e2e.axe import AXE_VERSION, wcag_violations
from tests.factories import make_article, make_comment, make_reader

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("NEWSROOM_SHOTS", "/work/shots/notify")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def assert_accessible(page):
    violations = wcag_violations(page)
    assert not violations, f"{page.url} ({AXE_VERSION}):\n" + "\n".join(violations)


def sign_in(page, live_server, username, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=login]", f"{username}@example.com")
    page.fill("input[name=password]", "pw-12345678")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(live_server.url + next_url)


def test_a_reply_refused_as_too_fast_comes_back_open_under_its_comment(live_server, page):
    article = make_article(title="Allies meet in Brussels")
    thread = make_comment(article, body="The talks will fail.")
    make_comment(article, body="Another view.")
    make_reader("quick")
    sign_in(page, live_server, "quick", article.get_absolute_url())

    page.get_by_label("Your comment").fill("My first comment.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment__body", has_text="My first comment.")).to_be_visible()

    reply = page.locator(f"#reply-form-{thread.pk}")
    reply.locator("summary").click()
    reply.get_by_label("Your reply").fill("They will not, and here is why.")
    reply.get_by_role("button", name="Post reply").click()

    reply = page.locator(f"#reply-form-{thread.pk}")
    expect(reply.get_by_role("alert")).to_contain_text(
        re.compile(r"You can post again in \d+ seconds\.")
    )
    expect(reply.get_by_label("Your reply")).to_have_value("They will not, and here is why.")
    expect(reply.get_by_label("Your reply")).to_be_focused()
    assert reply.get_attribute("open") is not None
    expect(page.get_by_label("Your comment")).to_have_value("")
    assert page.evaluate("location.hash") == f"#reply-form-{thread.pk}"
    assert_accessible(page)
    shot(page, "429-reply-in-thread")
    assert not Comment.objects.filter(parent=thread).exists()


def test_deleting_asks_first_in_place_and_a_keep_changes_nothing(live_server, page):
    article = make_article()
    author = make_reader("author")
    comment = make_comment(article, author, "Words I may regret.")
    sign_in(page, live_server, "author", article.get_absolute_url())

    actions = page.locator(f"#comment-{comment.pk} .comment__actions")
    actions.get_by_role("link", name="Delete").click()
    confirm = actions.get_by_role("button", name="Yes, delete it")
    expect(confirm).to_be_visible()
    expect(confirm).to_be_focused()
    shot(page, "delete-confirm-in-place")
    actions.get_by_role("button", name="Keep it").click()
    expect(confirm).to_be_hidden()
    expect(actions.get_by_role("link", name="Delete")).to_be_focused()
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.VISIBLE

    actions.get_by_role("link", name="Delete").click()
    actions.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".message")).to_contain_text("Your comment has been deleted.")
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REMOVED


def test_without_javascript_deleting_asks_on_a_page_of_its_own(live_server, browser):
    article = make_article()
    author = make_reader("author")
    comment = make_comment(article, author, "Words I may regret.")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "author", article.get_absolute_url())
        page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Delete").click()
        expect(page.get_by_role("heading", name="Delete your comment?")).to_be_visible()
        expect(page.locator("blockquote")).to_have_text("Words I may regret.")
        shot(page, "delete-confirm-page")
        assert Comment.objects.get(pk=comment.pk).status == Comment.Status.VISIBLE
        page.get_by_role("button", name="Delete my comment").click()
        expect(page.locator(".message")).to_contain_text("Your comment has been deleted.")
        assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REMOVED
    finally:
        context.close()


def test_the_character_count_is_live_and_moves_nothing(live_server, page):
    article = make_article()
    make_comment(article)
    make_reader("writer")
    sign_in(page, live_server, "writer", article.get_absolute_url())

    count = page.locator("#id_body-count")
    expect(count).to_have_text("0 of 5,000 characters")
    before = count.bounding_box()
    below = page.get_by_role("button", name="Post comment").bounding_box()
    page.get_by_label("Your comment").fill("x" * 1840)
    expect(count).to_have_text("1,840 of 5,000 characters")
    assert count.get_attribute("class") == "char-count"
    page.get_by_label("Your comment").fill("x" * 4600)
    expect(count).to_have_text("4,600 of 5,000 characters")
    expect(count).to_have_class("char-count char-count--near")
    # (Boxes are measured from the viewport, which filling the field may scroll.)
    after = count.bounding_box()
    assert after["height"] == before["height"]
    button = page.get_by_role("button", name="Post comment").bounding_box()
    assert button["y"] - after["y"] == below["y"] - before["y"]
    # The browser cuts at the limit; the count shows where.
    page.get_by_label("Your comment").fill("x" * 6000)
    expect(count).to_have_text("5,000 of 5,000 characters")
    expect(page.locator("#id_body-count [aria-live=polite]")).to_have_text(
        "5,000 of 5,000 characters"
    )
    page.get_by_label("Your comment").fill("x" * 1840)
    page.locator("#id_body-count").scroll_into_view_if_needed()
    shot(page, "character-count")

    page.locator(".comment__reply summary").first.click()
    reply_count = page.locator(".comment__reply .char-count").first
    expect(reply_count).to_have_text("0 of 5,000 characters")
    page.get_by_label("Your reply").first.fill("Short.")
    expect(reply_count).to_have_text("6 of 5,000 characters")
    assert_accessible(page)


def test_the_reply_mail_and_the_profiles_preferences_as_readers_see_them(
    live_server, page, smtp_server
):
    from comments.models import post_comment

    anna = make_reader("anna", display_name="Anna Reader")
    article = make_article(title="Allies meet in Brussels")
    thread = post_comment(article=article, user=anna, body="The talks will fail.")[0]
    post_comment(
        article=article,
        user=make_reader(display_name="Boris Replier"),
        body="They will not: both sides want a deal before winter.",
        parent=thread,
    )
    message = smtp_server.only_message_to("anna@example.com")
    page.set_content(smtp_server.html_of(message))
    expect(page.get_by_role("link", name="Read the reply")).to_be_visible()
    shot(page, "reply-mail")

    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    page.goto(unsubscribe.replace("http://localhost:8000", live_server.url))
    assert_accessible(page)
    shot(page, "unsubscribe-page")

    sign_in(page, live_server, "anna", "/accounts/profile/")
    section = page.locator("#notifications")
    expect(section.get_by_label("E-mail me when someone replies to my comments")).to_be_checked()
    section.get_by_label("E-mail me when someone replies to my comments").uncheck()
    section.get_by_role("button", name="Save e-mail preferences").click()
    expect(page.locator(".message")).to_contain_text("Your e-mail preferences have been saved.")
    expect(
        page.locator("#notifications").get_by_label("E-mail me when someone replies to my comments")
    ).not_to_be_checked()
    assert_accessible(page)
    shot(page, "profile-preferences")
