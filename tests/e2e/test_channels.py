"""Readers come back: the editable "Our news channels" block, feeds that read as a page in a
browser, and share links, in a real Chromium with the page cache on."""

import os
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.management.commands.load_demo import SEED_TITLE
from articles.models import Article
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("NEWSROOM_SHOTS", "/work/shots/channels")


def shot(locator_or_page, name, **options):
    os.makedirs(SHOTS, exist_ok=True)
    locator_or_page.screenshot(path=os.path.join(SHOTS, name), **options)


def policy_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def outside_requests(page, live_server):
    """Every request the page makes to anywhere but the site."""
    site = urlsplit(live_server.url).netloc
    found = []
    page.on(
        "request",
        lambda request: (
            found.append(request.url)
            if urlsplit(request.url).scheme in {"http", "https", "ws", "wss"}
            and urlsplit(request.url).netloc != site
            else None
        ),
    )
    return found


@pytest.fixture
def seed():
    call_command("load_demo", "--articles", "0", stdout=None)
    return Article.objects.get(title=SEED_TITLE)


def channel_names(page):
    return page.locator(".channels .channel__name").all_inner_texts()


def test_an_editor_adds_a_channel_moves_it_first_and_the_reader_sees_it_first(
    live_server, browser, page, seed
):
    make_staff("editor", group="Editor")
    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    article_url = live_server.url + seed.get_absolute_url()
    reader.goto(article_url)
    expect(reader.locator(".channels .channel__name")).to_have_text(
        ["Newsletter", "Telegram", "VK", "RSS", "Atom"]
    )

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/notices/notice/")
    page.get_by_role("link", name="Our news channels").click()
    # the empty row after the five channels
    page.fill("#id_channels-5-position", "60")
    page.fill("#id_channels-5-name", "Max")
    page.select_option("#id_channels-5-kind", "messenger")
    page.fill("#id_channels-5-link", "https://max.ru/newsroom_demo")
    page.fill("#id_channels-5-description", "Our channel on Max.")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    reader.reload()
    expect(reader.locator(".channels .channel__name")).to_have_text(
        ["Newsletter", "Telegram", "VK", "RSS", "Atom", "Max"]
    )

    row = page.locator("tr.form-row").filter(has=page.locator('input[value="Max"]'))
    row.locator("input[name$='-position']").fill("5")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    # the admin lists the channels in the readers' order too
    expect(page.locator("tr.form-row input[name$='-name']").first).to_have_value("Max")

    reader.reload()
    expect(reader.locator(".channels .channel__name")).to_have_text(
        ["Max", "Newsletter", "Telegram", "VK", "RSS", "Atom"]
    )
    expect(reader.locator(".channels .channel").first.locator("a")).to_have_attribute(
        "href", "https://max.ru/newsroom_demo"
    )
    reader.context.close()


def test_the_channels_block_on_desktop_and_a_phone(live_server, browser, page, seed):
    errors = policy_errors(page)
    outside = outside_requests(page, live_server)
    page.goto(live_server.url + seed.get_absolute_url())
    block = page.locator(".notice--article_end")
    expect(block.get_by_role("heading", name="Our news channels")).to_be_visible()
    signup = block.locator("form.channel__signup")
    expect(signup).to_have_attribute("action", "/newsletters/")
    expect(signup.locator("input[name=csrfmiddlewaretoken]")).to_have_count(0)
    expect(block.get_by_label("Newsletter")).to_have_attribute("type", "email")
    expect(block.get_by_role("link", name="Telegram")).to_have_attribute("rel", "noopener")
    expect(block.get_by_role("link", name="RSS")).to_have_attribute("href", "/feeds/rss/")
    # the icons come from the site's own sprite and are drawn
    icon = block.locator(".channel__link .icon").first
    assert icon.bounding_box()["width"] >= 16
    shot(block, "channels-desktop.png")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    small = phone.new_page()
    small.goto(live_server.url + seed.get_absolute_url())
    small_block = small.locator(".notice--article_end")
    expect(small_block.locator(".channel")).to_have_count(5)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    shot(small_block, "channels-390.png")
    phone.close()
    assert errors == [] and outside == []


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_feed_opens_as_a_styled_page_and_its_address_copies(live_server, browser, seed, kind):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    errors = policy_errors(page)
    outside = outside_requests(page, live_server)
    feed_url = f"{live_server.url}/feeds/{kind}/"
    response = page.goto(feed_url)
    # the browser gets the feed as XML, which it styles; a feed reader its own type
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    reader = page.request.get(feed_url, headers={"Accept": f"application/{kind}+xml, */*"})
    assert reader.headers["content-type"] == f"application/{kind}+xml; charset=utf-8"
    assert b'<?xml-stylesheet href="/feeds/feed.xsl" type="text/xsl"?>' in reader.body()
    expect(page.get_by_role("heading", level=1)).to_contain_text("This is a news feed")
    expect(page.get_by_role("heading", name="How to subscribe")).to_be_visible()
    expect(page.get_by_role("link", name=SEED_TITLE)).to_have_attribute(
        "href", live_server.url + seed.get_absolute_url()
    )
    expect(page.get_by_label("Feed address")).to_have_value(feed_url)
    # in the site's look: its stylesheet applied (the header's red rule)
    border = page.locator(".site-header").evaluate("e => getComputedStyle(e).borderBottomWidth")
    assert border == "4px"
    if kind == "rss":
        shot(page, "feed-rss.png", full_page=False)

    page.get_by_role("link", name="Copy the address").click()
    expect(page.get_by_role("status")).to_have_text(
        "Address copied: paste it into your feed reader."
    )
    assert page.evaluate("navigator.clipboard.readText()") == feed_url
    assert page.url == feed_url  # copied, not followed
    assert outside == []
    # Chromium adds its own banner to a page made by XSLT (which it is deprecating), with
    # inline styles and a handler that the site's policy blocks; the page itself has none.
    inline = page.evaluate(
        """[...document.querySelectorAll("*")].filter(e => !e.closest("xslt-warning-banner")
            && (e.tagName === "STYLE" || (e.tagName === "SCRIPT" && !e.src)
                || [...e.attributes].some(
                    a => (a.name === "style" && a.value) || a.name.startsWith("on")))
        ).map(e => e.outerHTML.slice(0, 200))"""
    )
    assert inline == [], inline
    banner = ("Applying inline style", "Executing inline event handler")
    assert [error for error in errors if not error.startswith(banner)] == []
    context.close()


def test_share_links_and_copy_link_work_with_no_outside_request(live_server, browser, seed):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    errors = policy_errors(page)
    outside = outside_requests(page, live_server)
    article_url = live_server.url + seed.get_absolute_url()
    page.goto(article_url)
    share = page.get_by_role("region", name="Share")
    names = share.get_by_role("link").all_inner_texts()
    assert [name.strip() for name in names] == [
        "E-mail",
        "Telegram",
        "WhatsApp",
        "VK",
        "X",
        "Facebook (banned in Russia)",
        "Copy link",
    ]
    telegram = share.get_by_role("link", name="Telegram").get_attribute("href")
    assert telegram.startswith("https://t.me/share/url?url=")
    shot(share, "share-links.png")

    share.get_by_role("link", name="Copy link").click()
    expect(share.get_by_role("status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == article_url
    assert page.url == article_url
    page.wait_for_load_state("networkidle")
    assert outside == []  # nothing fetched from elsewhere, before or after the click
    assert errors == []
    context.close()


@pytest.mark.parametrize("where", ["article", "feed"])
def test_the_channels_share_links_and_feed_page_have_no_wcag_21_aa_violation(
    live_server, page, seed, where
):
    from tests.e2e.axe import AXE_VERSION, wcag_violations

    url = seed.get_absolute_url() if where == "article" else "/feeds/atom/"
    for scheme in ["light", "dark"]:
        page.emulate_media(color_scheme=scheme)
        page.goto(live_server.url + url)
        if where == "feed":  # the stylesheet replaces the XML document once it has loaded
            expect(page.locator(".feed-about h1")).to_be_visible()
            page.wait_for_load_state("load")
        # Chromium's own XSLT deprecation banner is not the site's
        page.evaluate("document.querySelector('xslt-warning-banner')?.remove()")
        violations = wcag_violations(page)
        assert not violations, f"{where} ({scheme}, {AXE_VERSION}):\n" + "\n".join(violations)


def test_an_editor_drags_a_channel_to_the_top_and_the_reader_sees_it_first(
    live_server, browser, page, seed
):
    make_staff("editor", group="Editor")
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + "/admin/notices/notice/")
    page.get_by_role("link", name="Our news channels").click()

    rows = page.locator("#channels-group tr.form-row.has_original")
    expect(rows.first.locator(".channel-drag")).to_be_visible()
    shot(page.locator("#channels-group"), "admin-channels.png")
    atom = rows.filter(has=page.locator('input[value="Atom"]'))
    atom.locator(".channel-drag").drag_to(rows.first, target_position={"x": 10, "y": 3})
    names = page.locator("#channels-group tr.has_original input[name$='-name']")
    expect(names.first).to_have_value("Atom")
    positions = page.locator("#channels-group tr.has_original input[name$='-position']")
    assert [positions.nth(i).input_value() for i in range(5)] == ["10", "20", "30", "40", "50"]
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    reader = browser.new_context().new_page()
    reader.goto(live_server.url + seed.get_absolute_url())
    expect(reader.locator(".channels .channel__name")).to_have_text(
        ["Atom", "Newsletter", "Telegram", "VK", "RSS"]
    )
    reader.context.close()
