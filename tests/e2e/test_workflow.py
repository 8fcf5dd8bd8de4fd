import os
import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import make_article, make_section, make_staff

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
    page.wait_for_load_state("networkidle")  # the form's scripts (autosave, slugs) are set up
    page.locator("#id_title").press_sequentially("Parliament passes the budget")
    page.locator(".field-section .select2-selection").click()
    # the section's own search box, once its list is open (the authors' field has one too)
    page.fill(".select2-container--open .select2-search__field", "Poli")
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


def test_an_editor_compares_two_versions_previews_and_restores(live_server, page, screenshot_dir):
    make_staff("editor", group="Editor")
    article = make_article(title="Budget passes", body="<p>The vote was 52 to 48.</p>")
    article.title, article.body = "Budget passes narrowly", "<p>The vote was 51 to 49.</p>"
    article.save()

    sign_in(page, live_server, "editor")
    page.goto(live_server.url + reverse("admin:articles_article_history", args=[article.pk]))
    page.screenshot(path=os.path.join(screenshot_dir, "workflow-history.png"), full_page=True)
    page.get_by_role("button", name="Compare the chosen versions").click()
    assert page.locator("del", has_text="52").is_visible()
    assert page.locator("ins", has_text="51").is_visible()
    page.screenshot(path=os.path.join(screenshot_dir, "workflow-diff.png"), full_page=True)

    with page.expect_popup() as popup:
        page.get_by_role("link", name="Preview it").click()
    preview = popup.value
    preview.wait_for_load_state()
    assert preview.get_by_text("Preview — not published").is_visible()
    assert preview.locator("h1").inner_text() == "Budget passes"
    preview.screenshot(path=os.path.join(screenshot_dir, "workflow-preview.png"))
    preview.close()

    page.get_by_role("button", name="Restore the older version").click()
    page.wait_for_url(f"**{reverse('admin:articles_article_change', args=[article.pk])}")
    assert page.locator("#id_title").input_value() == "Budget passes"
