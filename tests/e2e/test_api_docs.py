"""The API's documentation page works in a real browser from our own static files: it lists the
endpoints, and "Try it out" fetches a real answer, under the public pages' security policy."""

import os

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_documentation_page_lists_and_tries_the_endpoints(live_server, page, screenshot_dir):
    article = make_article(title="Summit in Brussels")
    problems, outside = [], []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector("#operations-Articles-api_views_article_detail")
    assert page.locator(".opblock").count() == 13
    page.click("#operations-Articles-api_views_article_detail .opblock-summary")
    page.click("#operations-Articles-api_views_article_detail button.try-out__btn")
    page.fill(
        "#operations-Articles-api_views_article_detail input[placeholder=article_id]",
        str(article.pk),
    )
    page.click("#operations-Articles-api_views_article_detail button.execute")
    page.wait_for_selector("#operations-Articles-api_views_article_detail .live-responses-table")
    body = page.locator(
        "#operations-Articles-api_views_article_detail .responses-inner"
    ).inner_text()
    assert "Summit in Brussels" in body
    page.screenshot(path=os.path.join(screenshot_dir, "api-docs.png"), full_page=False)
    assert problems == []
    assert outside == []  # no CDN, nothing fetched from anywhere else
