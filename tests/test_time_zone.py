"""NEWSROOM_TIME_ZONE (issue 15, point 2): public pages and feeds show the newsroom's local
times with its offset; the database keeps UTC. Through the real middleware and page cache."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Correction
from tests.factories import make_article
from tests.test_settings import run

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def article():
    article = make_article(title="Время публикации", published_at=PUBLISHED)
    Correction.objects.create(article=article, kind=Correction.Kind.UPDATE, text="Добавлено.")
    article.updated_at = datetime(2026, 3, 10, 21, 5, tzinfo=UTC)
    type(article).objects.filter(pk=article.pk).update(updated_at=article.updated_at)
    return article


def json_ld(text):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    return [json.loads(block) for block in blocks]


def news_article(text):
    for block in json_ld(text):
        for item in block if isinstance(block, list) else [block]:
            if item.get("@type") == "NewsArticle":
                return item
    raise AssertionError("no NewsArticle")


@pytest.mark.parametrize(
    "zone, iso, shown, rfc822",
    [
        ("UTC", "2026-03-10T09:30:00+00:00", "March 10, 2026, 9:30 a.m. UTC", "09:30:00 +0000"),
        (
            "Europe/Moscow",
            "2026-03-10T12:30:00+03:00",
            "March 10, 2026, 12:30 p.m. MSK",
            "12:30:00 +0300",
        ),
        (
            "America/New_York",
            "2026-03-10T05:30:00-04:00",
            "March 10, 2026, 5:30 a.m. EDT",
            "05:30:00 -0400",
        ),
    ],
)
def test_public_pages_and_feeds_show_the_newsrooms_zone(
    settings, article, zone, iso, shown, rfc822
):
    settings.TIME_ZONE = zone
    page = Client().get(article.get_absolute_url())
    text = re.sub(r"<abbr[^>]*>(.*?)</abbr>", r"\1", page.content.decode())
    assert f'<time datetime="{iso}">{shown}</time>' in text
    assert f'<meta property="article:published_time" content="{iso}">' in text
    assert news_article(text)["datePublished"] == iso
    assert datetime.fromisoformat(news_article(text)["datePublished"]) == PUBLISHED
    # Lists show the local time too.
    assert f'datetime="{iso}"' in Client().get(reverse("articles:home")).content.decode()

    rss = Client().get(reverse("articles:feed_rss")).content.decode()
    assert f"<pubDate>Tue, 10 Mar 2026 {rfc822}</pubDate>" in rss
    atom = Client().get(reverse("articles:feed_atom")).content.decode()
    assert f"<published>{iso}</published>" in atom


def test_the_updated_time_is_local_too(settings, article):
    settings.TIME_ZONE = "Europe/Moscow"
    text = Client().get(article.get_absolute_url()).content.decode()
    # 21:05 UTC is past midnight in Moscow: the local date, not the UTC one.
    assert '<time datetime="2026-03-11T00:05:00+03:00">March 11, 2026, 12:05 a.m. <abbr' in text
    assert news_article(text)["dateModified"] == "2026-03-11T00:05:00+03:00"
    atom = Client().get(reverse("articles:feed_atom")).content.decode()
    assert "<updated>2026-03-11T00:05:00+03:00</updated>" in atom


@pytest.mark.parametrize(
    "env, zone",
    [
        ({}, "UTC"),
        ({"NEWSROOM_TIME_ZONE": "Europe/Moscow"}, "Europe/Moscow"),
        ({"DJANGO_TIME_ZONE": "Asia/Yekaterinburg"}, "Asia/Yekaterinburg"),
        ({"NEWSROOM_TIME_ZONE": "Europe/Moscow", "DJANGO_TIME_ZONE": "UTC"}, "Europe/Moscow"),
    ],
)
def test_newsroom_time_zone_sets_the_zone_and_times_stay_aware(env, zone):
    result = run(
        ["manage.py", "shell", "-c", "from django.conf import settings as s; "
         "print(s.TIME_ZONE, s.USE_TZ, s.LANGUAGE_CODE)"],
        {"NEWSROOM_TIME_ZONE": ""} | env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [zone, "True", "en-us"]


def test_django_language_code_sets_the_language():
    result = run(
        ["manage.py", "shell", "-c", "from django.conf import settings as s; "
         "print(s.LANGUAGE_CODE)"],
        {"DJANGO_LANGUAGE_CODE": "ru"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "ru"
