"""The demo seed article carries the seed page's notices, word for word and in order."""

import html
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.management.commands.load_demo import SEED_TITLE
from articles.models import Article
from notices.models import Label, Notice

pytestmark = pytest.mark.django_db

SEED_LINES = (Path(__file__).parent / "data" / "article-page.txt").read_text().splitlines()
ORGANIZATIONS_LINE = next(line for line in SEED_LINES if line.startswith('"Right Sector"'))
AGENTS_LINE = next(line for line in SEED_LINES if line.startswith('"Non-profit'))


def page_text(client, url):
    content = client.get(url).content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def test_the_seed_article_shows_the_seed_pages_blocks_in_the_seeds_order(client):
    call_command("load_demo", "--articles", "1", stdout=None)
    seed = Article.objects.get(title=SEED_TITLE)
    text = page_text(client, seed.get_absolute_url())
    blocks = [
        "in a broader sense.",  # the end of the body
        "Our news channels Subscribe and stay up to date with the latest news and the most "
        "important events of the day.",
        ORGANIZATIONS_LINE,
        AGENTS_LINE,
        "Information",
    ]
    positions = [text.find(block) for block in blocks]
    assert -1 not in positions, [b for b, p in zip(blocks, positions, strict=True) if p == -1]
    assert positions == sorted(positions)


def test_every_name_of_both_seed_lists_is_a_label_with_the_seeds_designation():
    call_command("load_demo", "--articles", "1", stdout=None)
    organizations = Notice.objects.get(list_format=Notice.ListFormat.DESIGNATIONS)
    listed = ", ".join(
        f"{label.listing} ({label.label_text})" for label in organizations.labels.all()
    )
    assert listed == ORGANIZATIONS_LINE
    assert organizations.labels.count() == 22
    names = AGENTS_LINE.split(": ", 1)[1].split("; ")
    agents = Notice.objects.get(list_format=Notice.ListFormat.NAMES)
    assert [label.name for label in agents.labels.all()] == names
    assert Label.objects.get(name="Jabhat Fatah al-Sham").terms == [
        "Jabhat Fatah al-Sham",
        "Jabhat al-Nusra",
    ]


def test_loading_the_demo_notices_twice_adds_nothing():
    call_command("load_demo", "--articles", "1", stdout=None)
    counts = Notice.objects.count(), Label.objects.count()
    call_command("load_demo", "--articles", "1", stdout=None)
    assert (Notice.objects.count(), Label.objects.count()) == counts == (3, 55)
