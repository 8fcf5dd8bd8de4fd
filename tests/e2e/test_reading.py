import os

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_opens_the_home_page_and_reads_an_article(live_server, page, screenshot_dir):
    article = make_article(title="Parliament passes the budget", lead="The vote was close.")

    page.goto(live_server.url + "/")
    page.screenshot(path=os.path.join(screenshot_dir, "home.png"), full_page=True)
    page.get_by_role("link", name="Parliament passes the budget").first.click()

    assert page.url == live_server.url + article.get_absolute_url()
    assert page.locator("h1").inner_text() == "Parliament passes the budget"
    assert page.get_by_text("The vote was close.").is_visible()
