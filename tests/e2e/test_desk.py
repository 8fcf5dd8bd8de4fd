"""The desk in Chromium: a live article edited safely, and a moderator's decision on record."""

import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from articles.models import Article
from audit.models import AuditEntry
from comments.models import Comment
from tests.e2e.test_embeds import THIRD_PARTY, record_requests
from tests.e2e.test_workflow import sign_in
from tests.factories import (
    image_upload,
    make_article,
    make_comment,
    make_image,
    make_reader,
    make_staff,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_changes_a_live_article_readers_keep_the_old_text_until_published(
    live_server, browser, page, screenshot_dir
):
    make_staff("editor", group="Editor")
    article = make_article(title="Budget passes", body="<p>The vote was 52 to 48.</p>")
    reader = browser.new_context().new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    assert reader.get_by_role("heading", name="Budget passes").is_visible()

    # The editor rewrites the headline and the text, and saves: nothing goes public.
    sign_in(page, live_server, "editor")
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    assert page.get_by_text("This article is live.").is_visible()
    page.fill("#id_title", "Budget passes after a long night")
    body = page.locator(".field-body .ProseMirror[contenteditable]")
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" Two members abstained.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    page.wait_for_load_state()
    expect(page.locator(".messagelist").get_by_text("saved but not published")).to_be_visible()
    assert page.get_by_text("Unpublished changes.").is_visible()
    assert page.locator("#id_title").input_value() == "Budget passes after a long night"
    page.screenshot(path=os.path.join(screenshot_dir, "desk-live-draft.png"), full_page=True)

    reader.reload()
    assert reader.get_by_role("heading", name="Budget passes", exact=True).is_visible()
    assert reader.get_by_text("Two members abstained.").count() == 0

    # The preview shows the changes.
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Preview the changes").click()
    preview = popup.value
    preview.wait_for_load_state()
    expect(preview.get_by_text("Unpublished changes of")).to_be_visible()
    assert preview.get_by_text("Two members abstained.").is_visible()
    preview.screenshot(path=os.path.join(screenshot_dir, "desk-live-draft-preview.png"))
    preview.close()

    # The list says so; then the editor publishes the changes.
    page.goto(live_server.url + "/admin/articles/article/")
    expect(page.get_by_text("Live, with unpublished changes").first).to_be_visible()
    # The list names the article by its published headline.
    page.locator("#result_list").get_by_role("link", name="Budget passes", exact=True).click()
    page.get_by_role("button", name="Publish changes").first.click()
    page.wait_for_url(re.compile(r".*/admin/articles/article/(\?.*)?$"))
    expect(page.locator(".messagelist").get_by_text("Changes published")).to_be_visible()

    reader.reload()
    expect(reader.get_by_role("heading", name="Budget passes after a long night")).to_be_visible()
    assert reader.get_by_text("Two members abstained.").is_visible()
    reader.screenshot(path=os.path.join(screenshot_dir, "desk-live-published.png"))
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert not article.has_pending_changes


def test_a_moderator_removes_a_comment_and_the_audit_log_shows_who_when_and_why(
    live_server, browser, page, screenshot_dir
):
    make_staff("moderator", group="Moderator")
    article = make_article(title="Budget passes")
    comment = make_comment(article, make_reader("loud-reader"), body="Buy pills at spam.example")
    reader = browser.new_context().new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    assert reader.get_by_text("Buy pills at spam.example").is_visible()

    sign_in(page, live_server, "moderator")
    page.goto(live_server.url + "/admin/comments/comment/")
    row = page.locator("#result_list tbody tr", has_text="Buy pills at spam.example")
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "remove")
    page.fill("input[name=reason]", "Advertising, against the comment rules")
    page.locator("button[name=index]").first.click()
    expect(page.locator(".messagelist").get_by_text("1 comment(s) removed.")).to_be_visible()

    reader.reload()
    assert reader.get_by_text("Buy pills at spam.example").count() == 0
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED

    page.goto(live_server.url + "/admin/audit/auditentry/")
    entry = page.locator("#result_list tbody tr", has_text="Advertising, against the comment")
    assert entry.count() == 1
    text = entry.inner_text()
    assert "moderator" in text and "removed" in text
    page.screenshot(path=os.path.join(screenshot_dir, "desk-audit-log.png"), full_page=True)
    recorded = AuditEntry.objects.get(action=AuditEntry.Action.REMOVE)
    assert recorded.actor_name == "moderator"
    assert recorded.reason == "Advertising, against the comment rules"
    assert recorded.object_id == comment.pk


def test_a_reader_sees_the_library_image_cropped_at_its_focal_point_and_a_click_to_load_video(
    live_server, browser, screenshot_dir
):
    """What the desk made, as a reader gets it: the lead image from the library (its 16:9
    rendition named after its focal point, description, caption, credit) and a video that
    contacts its provider only when asked to."""
    image = make_image(
        file=image_upload(size=(1600, 600)),
        title="Harbour at dawn",
        alt_text="Ferries leaving the harbour at dawn",
        caption="The harbour at six",
        credit="Port authority",
        credit_url="https://port.example/photos",
        focal_x=0.9,
        focal_y=0.3,
    )
    article = make_article(
        title="Ferries resume",
        image=image,
        body="<p>The first ferries left at six.</p><p>https://youtu.be/dQw4w9WgXcQ</p>",
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests = record_requests(context, live_server)
    reader = context.new_page()

    reader.goto(live_server.url + article.get_absolute_url())

    lead = reader.locator(".article__figure img")
    assert lead.get_attribute("alt") == "Ferries leaving the harbour at dawn"
    assert lead.evaluate("img => img.complete && img.naturalWidth") > 0
    width, height = lead.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert abs(width / height - 16 / 9) < 0.02  # cropped, not the 8:3 original
    figure = reader.locator(".article__figure").inner_text()
    assert "The harbour at six" in figure and "Port authority" in figure
    block = reader.locator(".embed[data-embed=youtube]")
    assert block.is_visible()
    reader.screenshot(path=os.path.join(screenshot_dir, "desk-reader-image-embed.png"))
    assert not [url for url in requests if THIRD_PARTY.search(urlsplit(url).netloc)]

    block.get_by_role("button").click()

    block.locator('iframe[src^="https://www.youtube-nocookie.com/embed/"]').wait_for()
    assert any(urlsplit(url).netloc == "www.youtube-nocookie.com" for url in requests)
    context.close()
