import os

import pytest
from django.core.management import call_command

from articles.management.commands.load_demo import SEED_TITLE
from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reader_sees_the_seed_pages_notices_below_the_article(live_server, page, screenshot_dir):
    call_command("load_demo", "--articles", "0", stdout=None)
    seed = Article.objects.get(title=SEED_TITLE)

    page.goto(live_server.url + seed.get_absolute_url())
    page.screenshot(path=os.path.join(screenshot_dir, "seed-notices.png"), full_page=True)

    channels = page.get_by_role("heading", name="Our news channels")
    organizations = page.get_by_text('"Right Sector" (banned in Russia)')
    agents = page.get_by_text("Meduza; Voice of America;")
    information = page.get_by_role("heading", name="Information")
    tops = [
        locator.bounding_box()["y"] for locator in [channels, organizations, agents, information]
    ]
    assert tops == sorted(tops)
