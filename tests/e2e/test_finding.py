import os

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_searches_from_the_header_and_opens_a_related_article(
    live_server, page, screenshot_dir
):
    article = make_article(
        title="Glaciers retreat in the Alps",
        lead="Scientists measured how fast the glaciers melt.",
        tags=["climate"],
    )
    related = make_article(title="Rivers run low", tags=["climate"])

    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="Search the site").fill("glaciers")
    page.get_by_role("searchbox", name="Search the site").press("Enter")

    page.wait_for_url("**/search/?q=glaciers")
    assert page.locator(".search-result mark").first.inner_text().lower() == "glaciers"
    page.screenshot(path=os.path.join(screenshot_dir, "search.png"), full_page=True)

    page.get_by_role("link", name="Glaciers retreat in the Alps").click()
    assert page.url == live_server.url + article.get_absolute_url()
    related_block = page.get_by_role("complementary", name="Related articles")
    page.screenshot(path=os.path.join(screenshot_dir, "article-related.png"), full_page=True)
    related_block.get_by_role("link", name="Rivers run low").click()
    assert page.url == live_server.url + related.get_absolute_url()
