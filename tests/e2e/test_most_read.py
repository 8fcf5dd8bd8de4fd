"""A reader reads an article: the page sends one beacon, the view is counted once the batch is
flushed, and the article shows in "Most read" and with its count; cards show comment counts."""

import os
import time

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from articles import counting
from articles.models import ArticleViews
from tests.e2e.axe import wcag_violations
from tests.factories import make_article, make_comment

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("NEWSROOM_SHOTS") or os.path.join("/work/shots", "mostread")


def shot(page, name, screenshot_dir):
    for folder in (screenshot_dir, SHOTS):
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_reading_an_article_counts_one_view_and_puts_it_in_most_read(
    live_server, page, screenshot_dir
):
    read = make_article(title="Parliament passes the budget", lead="The vote was close.")
    talked = make_article(title="Storm closes the coast road", lead="Drivers turned back.")
    make_article(title="Museum reopens after repairs", lead="Queues from early morning.")
    for _ in range(3):
        make_comment(talked)
    beacons = []
    page.on("request", lambda request: "/views/" in request.url and beacons.append(request))

    with page.expect_response(lambda response: "/views/" in response.url) as answer:
        page.goto(live_server.url + read.get_absolute_url())
    assert answer.value.status == 204
    page.wait_for_timeout(500)  # anything else the page would send has gone by now
    assert len(beacons) == 1
    beacon = beacons[0]
    assert beacon.method == "POST"
    assert "cookie" not in beacon.all_headers()

    # Read again within the hour: a beacon, but no second view.
    with page.expect_response(lambda response: "/views/" in response.url):
        page.reload()
    assert len(beacons) == 2

    assert not ArticleViews.objects.exists()  # nothing written while reading
    assert counting.flush(now=time.time() + 120) == 1  # the queued task, once the minute is over
    cache.clear()  # the block's and the count's lag (NEWSROOM_MOST_READ_SECONDS) is over

    page.goto(live_server.url + read.get_absolute_url())
    expect(page.locator(".article__meta .view-count")).to_have_text("1 view")

    page.goto(live_server.url + "/")
    block = page.get_by_role("complementary", name="Most read")
    expect(block.get_by_role("link")).to_have_text(["Parliament passes the budget"])
    card = page.locator("article.card", has_text="Storm closes the coast road")
    expect(card.locator(".card__comments")).to_contain_text("3")
    shot(page, "home-most-read-desktop.png", screenshot_dir)
    assert wcag_violations(page) == []

    block.get_by_role("link", name="Parliament passes the budget").click()
    expect(page.locator("h1")).to_have_text("Parliament passes the budget")
    shot(page, "article-most-read-desktop.png", screenshot_dir)
    assert wcag_violations(page) == []

    # A fuller block for the screenshots: more articles read this hour.
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for n, views in enumerate((40, 25, 12, 7)):
        more = make_article(title=f"Council votes on the new tram line, part {n + 1}")
        ArticleViews.add({(more.pk, hour): views})
    cache.clear()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("complementary", name="Most read").get_by_role("link")).to_have_count(5)
    shot(page, "home-most-read-full-desktop.png", screenshot_dir)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    expect(page.get_by_role("complementary", name="Most read")).to_be_visible()
    shot(page, "home-most-read-390.png", screenshot_dir)
