"""A reader's own data in a browser: they sign in, find their comments on the profile, download
their data as a file, delete their account after confirming with the password, and the article
page (cached for anonymous readers before) shows "comment deleted" with the other reader's
reply still there. Profile and delete pages are checked with axe-core and photographed at
desktop and phone width."""

import json
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.axe import AXE_VERSION, wcag_violations
from tests.factories import make_article, make_comment, make_reader

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("NEWSROOM_SHOTS_DIR")


def shot(page, screenshot_dir, name):
    for folder in filter(None, [screenshot_dir, SHOTS]):
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def assert_accessible(page):
    violations = wcag_violations(page)
    assert not violations, f"{page.url} ({AXE_VERSION}):\n" + "\n".join(violations)


def test_a_reader_downloads_their_data_and_deletes_their_account(live_server, page, screenshot_dir):
    article = make_article(title="Harbour reopens after the storm")
    leaving = make_reader("mia", display_name="Mia Leaving")
    staying = make_reader("otto", display_name="Otto Staying")
    thread = make_comment(article, leaving, "The harbour master deserves thanks.")
    make_comment(article, staying, "Agreed, and the crews too.", parent=thread)
    for n in range(3):
        make_comment(make_article(title=f"Older story {n}"), leaving, f"Older words {n}.")
    url = live_server.url + article.get_absolute_url()

    # An anonymous reader's visit puts the article page in the page cache.
    page.goto(url)
    expect(page.locator(".comment__body").first).to_contain_text("The harbour master")

    # Sign in, and find the comments on the profile.
    page.goto(live_server.url + reverse("account_login") + "?next=" + reverse("accounts:profile"))
    page.fill("input[name=login]", "mia@example.com")
    page.fill("input[name=password]", "pw-12345678")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Your profile", exact=True)).to_be_visible()
    comments = page.locator("#my-comments .my-comment")
    expect(comments).to_have_count(4)
    expect(comments.first).to_contain_text("Older story 2")  # newest first
    on_this_story = comments.last
    expect(on_this_story).to_contain_text("Harbour reopens after the storm")
    expect(on_this_story).to_contain_text("Visible")
    expect(on_this_story.get_by_role("link", name="Show on the page")).to_have_attribute(
        "href", thread.get_absolute_url()
    )
    assert_accessible(page)
    shot(page, screenshot_dir, "my-data-profile-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, screenshot_dir, "my-data-profile-phone")
    nav = page.locator(".profile__nav")
    assert nav.bounding_box()["width"] <= 390
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Download the data: a JSON file named for today.
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download my data").click()
    download = downloading.value
    assert download.suggested_filename == (f"newsroom-data-{timezone.localdate().isoformat()}.json")
    with open(download.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert data["account"]["display_name"] == "Mia Leaving"
    texts = sorted(comment["text"] for comment in data["comments"])
    assert texts[-1] == "The harbour master deserves thanks."
    assert len(texts) == 4
    assert "Otto" not in json.dumps(data) and "Agreed" not in json.dumps(data)

    # Delete the account: what happens, a wrong password first, then the right one.
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_visible()
    assert_accessible(page)
    shot(page, screenshot_dir, "my-data-delete")
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("alert")).to_contain_text("This is not your password")
    assert_accessible(page)
    shot(page, screenshot_dir, "my-data-delete-wrong-password")
    assert get_user_model().objects.filter(username="mia").exists()
    page.get_by_label("Your password").fill("pw-12345678")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    expect(page.locator(".account-menu").get_by_role("link", name="Sign in")).to_be_visible()
    shot(page, screenshot_dir, "my-data-deleted")
    assert not get_user_model().objects.filter(username="mia").exists()

    # The article page, for anyone: the comment reads "deleted", the reply stays.
    page.goto(url)
    expect(page.locator(".comment__placeholder")).to_have_text("Comment deleted by its author")
    expect(page.locator(".comments__replies .comment__body")).to_have_text(
        "Agreed, and the crews too."
    )
    expect(page.locator(".comments")).not_to_contain_text("harbour master")
    expect(page.locator(".comments")).not_to_contain_text("Mia Leaving")
    assert re.match(r"\s*1\b", page.locator(".comment-count").first.inner_text())
