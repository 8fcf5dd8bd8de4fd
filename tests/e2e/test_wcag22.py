"""WCAG 2.2 AA beyond what axe checks on its own: focus indicator contrast, reflow at 320 px,
error summaries that take focus, and the admin's editing screens, in light and dark at a phone's
narrowest width, a common phone's and a desktop's."""

import itertools
import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.axe import AXE_VERSION, WCAG22AA, wcag_violations
from tests.factories import make_notice, make_reader

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMES = ["light", "dark"]
WIDTHS = [320, 390, 1280]
MODES = list(itertools.product(SCHEMES, WIDTHS))
MODE_IDS = [f"{scheme}-{width}" for scheme, width in MODES]


@pytest.fixture
def at(browser):
    """A page in the colour scheme and at the width asked for."""
    contexts = []

    def open_page(scheme, width):
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.emulate_media(color_scheme=scheme)
        return page

    yield open_page
    for context in contexts:
        # As conftest's page fixture: no article form's lock release reaches the emptied database.
        for page in context.pages:
            page.route("**/*", lambda route: route.abort())
            page.goto("about:blank")
        context.close()


# The WCAG relative luminance and contrast ratio, and the colour a focus ring is drawn on: the
# first opaque background colour among the element's ancestors (the ring is drawn outside the
# element, 2px off it), translucent layers blended over what lies beneath.
FOCUS_STOP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgba = text => { const m = text.match(/[\\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const blend = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
  const behind = node => {
    const layers = [];
    for (let n = node; n; n = n.parentElement) {
      const colour = rgba(getComputedStyle(n).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    let result = [255, 255, 255];  // the canvas, when nothing is opaque
    for (const layer of layers.reverse()) result = blend(layer, result);
    return result;
  };
  const luminance = rgb => {
    const [r, g, b] = rgb.map(c => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(el);
  const background = behind(el.parentElement || el);
  const outline = blend(rgba(style.outlineColor), background);
  const [light, dark] = [luminance(outline), luminance(background)].sort((a, b) => b - a);
  return {
    element: el.outerHTML.slice(0, 120),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    ratio: (light + 0.05) / (dark + 0.05),
  };
}"""


@pytest.mark.parametrize("scheme,width", MODES, ids=MODE_IDS)
def test_every_focus_stop_of_the_article_page_has_a_ring_of_3_to_1(
    live_server, at, content, scheme, width
):
    """Method: Tab from the top of the article page through every focus stop until focus
    leaves the document; at each stop, read the focused element's computed outline (style,
    width, colour) and compare the outline colour with the opaque background behind it (the
    nearest ancestor's background colour, translucent ones blended in), by WCAG's contrast
    ratio. WCAG 2.2 1.4.11 asks for 3:1; 2.4.7 for an indicator at all."""
    page = at(scheme, width)
    page.goto(live_server.url + content.get_absolute_url())
    stops, seen = [], set()
    for _ in range(300):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STOP)
        if stop is None or stop["element"] in seen:
            break
        seen.add(stop["element"])
        stops.append(stop)
    assert len(stops) > 15, stops  # the header, the navigation, the article, the footer
    weak = [
        f"{stop['ratio']:.2f}:1 {stop['style']} {stop['width']}px — {stop['element']}"
        for stop in stops
        if stop["style"] == "none" or stop["width"] < 2 or stop["ratio"] < 3
    ]
    assert not weak, f"{scheme} {width}px:\n" + "\n".join(weak)


def public_pages(content, reader_page_urls=()):
    return {
        "home": reverse("articles:home"),
        "article": content.get_absolute_url(),
        "section": content.section.get_absolute_url(),
        "tag": reverse("articles:tag", args=["budget"]),
        "author": content.authors.first().get_absolute_url(),
        "search": reverse("articles:search") + "?q=budget",
        "sign-in": reverse("account_login"),
        "sign-up": reverse("account_signup"),
        "password-reset": reverse("account_reset_password"),
        "newsletters": reverse("newsletters:subscribe"),
        "not-found": "/no-such-page/",
    }


@pytest.mark.parametrize("scheme,width", MODES, ids=MODE_IDS)
def test_no_public_page_scrolls_sideways(live_server, at, content, screenshot_dir, scheme, width):
    """WCAG 1.4.10 Reflow: at 320 CSS px nothing needs a horizontal scroll bar (the document is
    no wider than the viewport), nor at the wider widths."""
    page = at(scheme, width)
    reader = make_reader("reflow")
    pages = public_pages(content)
    too_wide = []
    for name, url in pages.items():
        page.goto(live_server.url + url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide.append(f"{name}: {scroll_width}px")
        if name in ("home", "article"):
            shot = os.path.join(screenshot_dir, f"wcag22-{name}-{scheme}-{width}.png")
            page.screenshot(path=shot, full_page=name == "home")
    # Signed in: the profile and the article's comment form.
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", reader.email)
    page.fill("input[name=password]", "pw-12345678")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    for name, url in {
        "profile": reverse("accounts:profile"),
        "article-signed-in": content.get_absolute_url(),
    }.items():
        page.goto(live_server.url + url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide.append(f"{name}: {scroll_width}px")
    assert not too_wide, f"{scheme} {width}px, wider than the viewport: {too_wide}"


def assert_error_summary(page, scheme, width, *, fields):
    """The pattern every failed form follows: the title says so, the summary comes first in
    the main content and has focus, it links to each field, and each field is marked invalid
    and described by its message."""
    where = f"{page.url} ({scheme}, {width}px)"
    assert page.title().startswith("Error: "), where
    summary = page.locator(".error-summary")
    assert summary.count() == 1, where
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), (
        where + ": focus is on " + page.evaluate("document.activeElement.outerHTML.slice(0, 80)")
    )
    assert page.evaluate(
        "document.querySelector('main').firstElementChild.classList.contains('error-summary')"
    ), where
    assert summary.get_attribute("tabindex") == "-1"
    assert summary.get_by_role("heading").count() == 1
    links = [link.get_attribute("href") for link in summary.locator("a").all()]
    for field in fields:
        assert f"#{field}" in links, f"{where}: {links}"
        control = page.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true", f"{where}: {field}"
        described = control.get_attribute("aria-describedby") or ""
        messages = [page.locator(f"#{id}").inner_text().strip() for id in described.split()]
        assert any(messages), f"{where}: {field} is described by {described!r}"
    violations = wcag_violations(page, WCAG22AA)
    assert not violations, f"{where} ({AXE_VERSION}):\n" + "\n".join(violations)


@pytest.mark.parametrize("scheme,width", MODES, ids=MODE_IDS)
def test_a_failed_submit_focuses_its_error_summary(
    live_server, at, content, screenshot_dir, scheme, width
):
    reader = make_reader("errors")
    page = at(scheme, width)

    # Sign-up: the password rules are tied to the password field before anything fails.
    page.goto(live_server.url + reverse("account_signup"))
    described = page.locator("#id_password1").get_attribute("aria-describedby")
    assert "password" in page.locator(f"#{described.split()[0]}").inner_text().lower()
    page.fill("#id_email", "new@example.com")
    page.fill("#id_display_name", "A new reader")
    page.fill("#id_password1", "short")
    page.fill("#id_password2", "short")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert_error_summary(page, scheme, width, fields=["id_password1"])
    page.screenshot(path=os.path.join(screenshot_dir, f"wcag22-sign-up-error-{scheme}-{width}.png"))

    # The newsletter sign-up page, with no newsletter chosen and no address.
    page.goto(live_server.url + reverse("newsletters:subscribe"))
    if page.locator("#id_email").count():
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        assert_error_summary(page, scheme, width, fields=["id_email"])

    # Sign-in with the wrong password: the error is the form's, not one field's.
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", reader.email)
    page.fill("input[name=password]", "not-the-password")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert_error_summary(page, scheme, width, fields=[])

    # A comment too long to post is refused and its field marked.
    page.fill("input[name=password]", "pw-12345678")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(live_server.url + content.get_absolute_url())
    page.evaluate("document.querySelector('#id_body').removeAttribute('maxlength')")
    page.fill("#id_body", "x" * 6000)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_load_state()
    assert_error_summary(page, scheme, width, fields=["id_body"])


@pytest.fixture
def editor_page(live_server, at):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("chief", "chief@example.com", "pw-12345678")

    def open_page(scheme, width):
        page = at(scheme, width)
        page.goto(live_server.url + "/admin/login/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", "pw-12345678")
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.wait_for_url(live_server.url + "/admin/")
        return page

    return open_page


@pytest.mark.parametrize("scheme,width", MODES, ids=MODE_IDS)
def test_the_admins_editing_screens_pass_wcag_22_aa(
    live_server, editor_page, content, screenshot_dir, scheme, width
):
    notice = make_notice()
    page = editor_page(scheme, width)
    failures = []
    for url in [
        "/admin/articles/article/add/",
        f"/admin/articles/article/{content.pk}/change/",
        "/admin/comments/comment/",
        "/admin/notices/notice/add/",
        f"/admin/notices/notice/{notice.pk}/change/",
    ]:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        if url.endswith("/change/") and "articles" in url:
            shot = os.path.join(screenshot_dir, f"wcag22-admin-article-{scheme}-{width}.png")
            page.screenshot(path=shot, full_page=True)
        if violations := wcag_violations(page, WCAG22AA):
            failures.append(f"{url}:\n  " + "\n  ".join(violations))
    assert not failures, f"{scheme} {width}px ({AXE_VERSION}):\n" + "\n".join(failures)


def test_the_authors_clear_button_moved_out_of_the_list_still_clears(
    live_server, editor_page, content
):
    """admin-a11y.js moves select2's clear button out of its <ul>: it must still work, once."""
    page = editor_page("light", 1280)
    page.goto(live_server.url + f"/admin/articles/article/{content.pk}/change/")
    box = page.locator("select#id_authors + .select2")
    expect(box.locator(".select2-selection__choice")).to_have_count(1)
    expect(box.locator(".select2-selection__clear")).to_have_count(1)
    assert box.locator("ul.select2-selection__rendered > :not(li)").count() == 0
    box.locator(".select2-selection__clear").click()
    page.keyboard.press("Escape")
    expect(box.locator(".select2-selection__choice")).to_have_count(0)
    expect(box.locator(".select2-selection__clear")).to_have_count(0)
    assert page.locator("#id_authors").evaluate("select => select.selectedOptions.length") == 0
