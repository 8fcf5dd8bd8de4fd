"""The language of the site and of each article: DJANGO_LANGUAGE_CODE, a second language under
its own prefix with a switch (NEWSROOM_LANGUAGES), and an article's translations offered to
readers and search engines (hreflang, inLanguage)."""

import json
import re

import pytest
from django.urls import clear_url_caches

from articles import workflow
from tests.factories import make_article, make_section, make_staff
from tests.test_invalidation import cached, page_cache  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"
    settings.LANGUAGES = [("ru", "Russian")]


@pytest.fixture
def bilingual(settings):
    settings.LANGUAGE_CODE = "ru"
    settings.LANGUAGES = [("ru", "Russian"), ("en", "English")]
    settings.ROOT_URLCONF = "tests.bilingual_urls"
    clear_url_caches()
    yield
    clear_url_caches()


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def hreflangs(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)"', html))


def test_an_article_is_in_the_sites_language_and_says_so(client, russian):
    article = make_article(title="Бюджет принят")
    assert article.language == "ru"
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<html lang="ru">' in html
    assert '<article class="article" lang=' not in html  # the page's own language
    news = next(d for d in json_ld(html) if d["@type"] == "NewsArticle")
    assert news["inLanguage"] == "ru"
    assert hreflangs(html) == {}  # no other version


def test_translations_link_each_other_and_a_withdrawn_one_leaves_at_once(
    client,
    russian,
    page_cache,  # noqa: F811
):
    original = make_article(title="Бюджет принят")
    # In another section, so that only the translation link can refresh the original's page.
    english = make_article(
        title="Budget passes",
        language="en",
        translation_of=original,
        section=make_section(name="World", slug="world"),
    )
    original_page = cached(original.get_absolute_url())
    english_page = cached(english.get_absolute_url())
    base = "http://testserver"
    assert hreflangs(original_page) == {
        "ru": base + original.get_absolute_url(),
        "en": base + english.get_absolute_url(),
    }
    assert hreflangs(english_page) == hreflangs(original_page)
    assert 'hreflang="en" lang="en">English</a>' in original_page
    assert '<article class="article" lang="en"' in english_page  # an English text on a Russian page
    news = next(d for d in json_ld(english_page) if d["@type"] == "NewsArticle")
    assert news["inLanguage"] == "en"

    workflow.withdraw(english, by=make_staff("chief", group="Editor"), reason="Ошибка")
    assert hreflangs(cached(original.get_absolute_url())) == {}  # the cached page was refreshed


def test_a_second_language_has_its_own_addresses_and_a_switch(client, bilingual):
    article = make_article(title="Бюджет принят")
    home = client.get("/")
    html = home.content.decode()
    assert '<html lang="ru">' in html and home["Content-Language"] == "ru"
    assert 'href="/en/" hreflang="en" lang="en">English</a>' in html
    english = client.get("/en/", HTTP_ACCEPT_LANGUAGE="ru")
    text = english.content.decode()
    assert '<html lang="en">' in text and english["Content-Language"] == "en"
    assert "Skip to content" in text and 'href="/" hreflang="ru" lang="ru">Русский</a>' in text
    assert f'href="/en{article.get_absolute_url()}"' in text  # its links stay in English
    # The address alone decides: a browser asking for English still gets the Russian page.
    assert '<html lang="ru">' in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Accept-Language" not in home.get("Vary", "")
    assert client.get("/en/admin/").status_code == 404  # the admin has one address
