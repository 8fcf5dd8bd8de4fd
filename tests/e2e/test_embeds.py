"""In Chromium: an editor puts a video address and a table into a story and publishes it; a
reader sees a click-to-load block, and the video's provider is contacted only after the click.
The writer is told when an unsafe link was removed; the share preview follows the typing."""

import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.e2e.test_workflow import CHANGELIST, sign_in
from tests.factories import change_url, make_draft, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

VIDEO = "dQw4w9WgXcQ"
THIRD_PARTY = re.compile(r"youtube|ytimg|googlevideo|doubleclick|ggpht|google")


def record_requests(context, live_server):
    """Every request the pages of `context` make. The site itself is served; the video
    provider's frame is answered here (the machine has no internet), anything else refused."""
    own = urlsplit(live_server.url).netloc
    requests = []

    def handle(route):
        url = route.request.url
        requests.append(url)
        host = urlsplit(url).netloc
        if host == own:
            route.continue_()
        elif host == "www.youtube-nocookie.com":
            route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><body style='margin:0;background:#111;color:#eee;"
                "font:2rem sans-serif;display:grid;place-items:center;height:100vh'>"
                "<p>The video's player (stand-in)</p></body>",
            )
        else:
            route.abort()

    context.route("**/*", handle)
    return requests


def eventually(page, locator, predicate, seconds=3):
    """Whether `predicate` becomes true of the element within `seconds`. Not wait_for_function:
    it evaluates a string, which the site's Content-Security-Policy rightly refuses."""
    for _ in range(seconds * 10):
        if locator.evaluate(predicate):
            return True
        page.wait_for_timeout(100)
    return False


def policy_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def put_caret_after(paragraph):
    """Focus the editor at the end of `paragraph`. A click then End raced the editor's own
    handling of the click (the caret sometimes ended at the start of the text)."""
    paragraph.click()
    paragraph.evaluate(
        """p => {
            const range = document.createRange();
            range.selectNodeContents(p);
            range.collapse(false);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )


def test_an_editor_embeds_a_video_and_a_table_and_the_provider_waits_for_the_click(
    live_server, browser, page, screenshot_dir
):
    make_staff("editor", group="Editor")
    draft = make_draft(title="The budget debate", body="<p>The debate went on all night.</p>")

    sign_in(page, live_server, "editor")
    page.goto(live_server.url + change_url(draft))
    page.wait_for_load_state("networkidle")  # the editor and the edit lock are set up
    body = page.locator(".field-body .ProseMirror[contenteditable]")
    put_caret_after(body.locator("p", has_text="The debate went on all night."))
    page.keyboard.press("Enter")
    page.keyboard.type(f"https://www.youtube.com/watch?v={VIDEO}")
    page.keyboard.press("Enter")
    page.locator(".field-body button[title='Insert table']").click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=rows]").fill("2")
    dialog.locator("input[name=cols]").fill("2")
    dialog.locator("select[name=withHeaderRow]").select_option("Yes")
    dialog.get_by_role("button", name="Insert Table").click()
    for text in ["Party", "Seats", "Greens"]:
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.type("12")  # a Tab in the last cell would add a row
    page.screenshot(path=os.path.join(screenshot_dir, "embeds-admin-body.png"), full_page=True)
    page.get_by_role("button", name="Publish now").first.click()
    page.wait_for_url(CHANGELIST)
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert "<table>" in article.body and f"watch?v={VIDEO}" in article.body

    # A reader, whose every request is recorded.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests = record_requests(context, live_server)
    reader = context.new_page()
    errors = policy_errors(reader)
    reader.goto(live_server.url + article.get_absolute_url())
    reader.wait_for_load_state("networkidle")
    block = reader.locator(".embed[data-embed=youtube]")
    load = block.get_by_role("button", name="Load the video")
    assert load.is_visible()
    assert block.get_by_text("Loading this shows content from YouTube").is_visible()
    table = reader.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Party")).to_be_visible()
    expect(table.get_by_role("cell", name="Greens")).to_be_visible()
    block.scroll_into_view_if_needed()
    reader.screenshot(
        path=os.path.join(screenshot_dir, "embeds-public-before-click.png"), full_page=True
    )
    assert [url for url in requests if THIRD_PARTY.search(url)] == []
    assert reader.locator("iframe").count() == 0

    load.click()
    frame = block.locator(f'iframe[src^="https://www.youtube-nocookie.com/embed/{VIDEO}"]')
    frame.wait_for()
    expect(reader.frame_locator(".embed__frame").get_by_text("stand-in")).to_be_visible()
    contacted = [url for url in requests if THIRD_PARTY.search(url)]
    assert contacted and all(
        urlsplit(url).netloc == "www.youtube-nocookie.com" for url in contacted
    )
    assert block.get_by_role("link", name=f"https://www.youtube.com/watch?v={VIDEO}").is_visible()
    reader.screenshot(path=os.path.join(screenshot_dir, "embeds-public-after-click.png"))
    assert errors == []

    context.close()


def test_a_wide_table_scrolls_inside_its_region_on_a_phone(live_server, browser, screenshot_dir):
    from tests.factories import make_article

    header = "".join(f"<th>Constituency {n}</th>" for n in range(8))
    cells = "".join(f"<td>{n * 1000} votes</td>" for n in range(8))
    article = make_article(body=f"<table><tr>{header}</tr><tr>{cells}</tr></table>")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    region = page.get_by_role("region", name="Table")
    region.scroll_into_view_if_needed()
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the page does not
    region.focus()
    page.keyboard.press("ArrowRight")  # a keyboard scrolls it too
    assert eventually(page, region, "element => element.scrollLeft > 0")
    page.screenshot(path=os.path.join(screenshot_dir, "embeds-public-phone.png"))
    context.close()


def test_without_javascript_the_embed_is_a_plain_link(live_server, browser):
    from tests.factories import make_article

    article = make_article(body=f"<p>https://youtu.be/{VIDEO}</p>")
    context = browser.new_context(java_script_enabled=False)
    requests = record_requests(context, live_server)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    link = page.get_by_role("link", name=f"https://www.youtube.com/watch?v={VIDEO}")
    assert link.is_visible()
    assert (
        page.get_by_role("button", name="Load the video").count() == 0
        or not page.get_by_role("button", name="Load the video").is_visible()
    )
    assert [url for url in requests if THIRD_PARTY.search(url)] == []
    context.close()


def test_a_javascript_link_is_reported_to_the_writer(live_server, page, screenshot_dir):
    make_staff("editor", group="Editor")
    draft = make_draft(title="Leaks", body="<p>First paragraph.</p>")
    sign_in(page, live_server, "editor")
    page.goto(live_server.url + change_url(draft))
    page.wait_for_load_state("networkidle")  # the editor and the edit lock are set up
    first = page.locator(".field-body .ProseMirror[contenteditable] p", has_text="First paragraph.")
    put_caret_after(first)
    page.keyboard.press("Enter")
    page.keyboard.type("Read the report")
    page.keyboard.press("Shift+Home")
    page.locator(".field-body button[data-name=link]").click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=href]").fill("javascript:alert(document.cookie)")
    dialog.get_by_role("button", name="Update").click()
    page.get_by_role("button", name="Save", exact=True).first.click()

    page.wait_for_url(re.compile(re.escape(change_url(draft)) + "$"))  # the form stays open
    warning = page.locator(".messagelist .warning")
    assert "Removed a link with no address in paragraph 2 (“Read the report”)" in (
        warning.inner_text()
    )
    page.screenshot(path=os.path.join(screenshot_dir, "embeds-removed-link.png"))
    draft.refresh_from_db()
    assert "javascript" not in draft.body and 'href=""' not in draft.body


def test_without_javascript_a_typed_javascript_link_is_reported(live_server, browser):
    make_staff("editor", group="Editor")
    draft = make_draft(title="Leaks", body="<p>First paragraph.</p>")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "editor")
    page.goto(live_server.url + change_url(draft))
    page.fill(
        "#id_body",
        '<p>First paragraph.</p><p>Second.</p><p>Read <a href="javascript:alert(1)">this</a>.</p>',
    )
    page.get_by_role("button", name="Save", exact=True).first.click()
    warning = page.locator(".messagelist .warning")
    assert "Removed an unsafe link (javascript:) in paragraph 3 (“Read this.”)" in (
        warning.inner_text()
    )
    context.close()


def test_the_share_preview_follows_the_typing(live_server, page, screenshot_dir):
    make_staff("editor", group="Editor")
    draft = make_draft(title="Short", lead="A lead.", seo_description="")
    sign_in(page, live_server, "editor")
    page.goto(live_server.url + change_url(draft))
    preview = page.locator("[data-share-preview]")
    assert preview.locator("[data-share=search-title]").inner_text() == "Short"

    page.fill("#id_title", "")
    page.locator("#id_title").press_sequentially(
        "Parliament passes the budget after a night of debate over pensions and defence"
    )
    page.fill("#id_lead", "The vote was close. " * 12)
    search_title = preview.locator("[data-share=search-title]").inner_text()
    assert search_title.startswith("Parliament passes the budget") and search_title.endswith("…")
    assert len(search_title) <= 60
    description = preview.locator("[data-share=search-description]").inner_text()
    assert description.startswith("The vote was close.") and len(description) <= 160
    page.locator("#id_seo_description").fill("What search engines show.")
    assert preview.locator("[data-share=card-description]").inner_text() == (
        "What search engines show."
    )
    image = preview.locator("[data-share=image]")
    assert image.get_attribute("src").endswith("/static/img/logo.png")  # as og:image would
    # The image is chosen from the media library; the preview shows it once saved.
    preview.scroll_into_view_if_needed()
    preview.screenshot(path=os.path.join(screenshot_dir, "embeds-share-preview.png"))
