import os
import re

import pytest

from articles.models import Article
from tests.factories import make_section, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = re.compile(r".*/admin/articles/article/(\?.*)?$")


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-12345678")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")


def test_a_reporter_submits_an_editor_publishes_a_reader_reads(
    live_server, browser, page, screenshot_dir
):
    make_section(name="Politics", slug="politics")
    make_staff("reporter", group="Reporter")
    make_staff("editor", group="Editor")

    # The reporter writes a draft and submits it.
    sign_in(page, live_server, "reporter")
    page.get_by_role("link", name="Write a new article").click()
    page.locator("#id_title").press_sequentially("Parliament passes the budget")
    page.locator(".field-section .select2-selection").click()
    page.fill(".select2-search__field", "Poli")
    page.locator(".select2-results__option", has_text="Politics").click()
    page.fill("#id_lead", "The vote was close.")
    page.locator(".field-body .ProseMirror[contenteditable]").click()
    page.keyboard.type("The budget passed by three votes after a long night.")
    page.screenshot(
        path=os.path.join(screenshot_dir, "workflow-reporter-draft.png"), full_page=True
    )
    page.get_by_role("button", name="Submit for review").first.click()
    page.wait_for_url(CHANGELIST)
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW

    # The editor opens the review queue and publishes it.
    editor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor_page = editor_context.new_page()
    sign_in(editor_page, live_server, "editor")
    editor_page.screenshot(
        path=os.path.join(screenshot_dir, "workflow-dashboard.png"), full_page=True
    )
    editor_page.get_by_role("link", name="Waiting for review").click()
    editor_page.get_by_role("link", name="Parliament passes the budget").click()
    editor_page.screenshot(
        path=os.path.join(screenshot_dir, "workflow-editor-review.png"), full_page=True
    )
    editor_page.get_by_role("button", name="Publish now").first.click()
    editor_page.wait_for_url(CHANGELIST)
    editor_page.screenshot(path=os.path.join(screenshot_dir, "workflow-published.png"))
    assert editor_page.locator(".messagelist").get_by_text("Published").is_visible()
    editor_context.close()

    # A reader sees it on the home page.
    reader_context = browser.new_context()
    reader_page = reader_context.new_page()
    reader_page.goto(live_server.url + "/")
    reader_page.get_by_role("link", name="Parliament passes the budget").first.click()
    assert reader_page.get_by_text("The budget passed by three votes").is_visible()
    reader_context.close()
