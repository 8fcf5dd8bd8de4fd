import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap
from tests.factories import make_article, make_author, make_section

# Query budgets and settings switches measure rendering, not the page cache.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
SECTIONS = ["articles", "sections", "tags", "authors", "pages"]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def locations(root):
    locs = [loc.text for loc in root.iterfind(".//sm:loc", NS)]
    assert all(loc.startswith("http://testserver/") for loc in locs), locs
    return locs


@pytest.fixture
def newsroom():
    now = timezone.now()
    section = make_section(slug="world")
    author = make_author(slug="anna-keller")
    hidden_author = make_author(slug="ghost-writer")
    public = make_article(title="Public story", section=section, authors=[author], tags=["nato"])
    make_article(
        title="Draft", status=Article.Status.DRAFT, authors=[hidden_author], tags=["secret"]
    )
    make_article(title="Scheduled", published_at=now + timedelta(hours=1), tags=["future"])
    page = FlatPage.objects.create(url="/about/", title="About us", content="<p>Us.</p>")
    page.sites.add(Site.objects.get_current())
    return public


def test_the_sitemap_index_lists_every_sitemap_with_lastmod(client, newsroom):
    root = parse(client, reverse("articles:sitemap_index"))
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    assert locations(root) == [
        "http://testserver" + reverse("articles:sitemap", args=[name]) for name in SECTIONS
    ]
    assert all(entry.find("sm:lastmod", NS) is not None for entry in root)


def test_sitemaps_list_only_published_content_with_absolute_urls(client, newsroom):
    urls = {
        name: locations(parse(client, reverse("articles:sitemap", args=[name])))
        for name in SECTIONS
    }
    host = "http://testserver"
    assert urls["articles"] == [host + newsroom.get_absolute_url()]
    assert host + reverse("articles:section", args=["world"]) in urls["sections"]
    assert urls["tags"] == [host + reverse("articles:tag", args=["nato"])]
    assert urls["authors"] == [host + reverse("articles:author", args=["anna-keller"])]
    assert urls["pages"] == [host + "/", host + "/pages/about/"]


def test_article_entries_carry_the_last_modification_date(client, newsroom):
    root = parse(client, reverse("articles:sitemap", args=["articles"]))
    lastmod = root.find("sm:url/sm:lastmod", NS).text
    assert lastmod == newsroom.updated_at.date().isoformat()


def test_the_articles_sitemap_splits_into_pages_the_index_lists(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)  # 50,000 in production
    section = make_section()
    for _ in range(5):
        make_article(section=section)
    index = locations(parse(client, reverse("articles:sitemap_index")))
    articles_url = "http://testserver" + reverse("articles:sitemap", args=["articles"])
    assert [url for url in index if url.startswith(articles_url)] == [
        articles_url,
        articles_url + "?p=2",
        articles_url + "?p=3",
    ]
    third = parse(client, reverse("articles:sitemap", args=["articles"]) + "?p=3")
    assert len(locations(third)) == 1
    assert client.get(reverse("articles:sitemap", args=["articles"]) + "?p=4").status_code == 404


def test_an_unknown_sitemap_is_not_found(client):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_the_news_sitemap_holds_only_the_last_48_hours(client):
    now = timezone.now()
    fresh = make_article(title="Fresh & new", published_at=now - timedelta(hours=47))
    make_article(title="Old news", published_at=now - timedelta(hours=49))
    make_article(title="Fresh draft", status=Article.Status.DRAFT, published_at=now)
    make_article(title="Scheduled", published_at=now + timedelta(hours=1))

    root = parse(client, reverse("articles:news_sitemap"))
    assert locations(root) == ["http://testserver" + fresh.get_absolute_url()]
    news = root.find("sm:url/news:news", NS)
    assert news.find("news:publication/news:name", NS).text == "Newsroom"
    assert news.find("news:publication/news:language", NS).text == "en"
    assert news.find("news:title", NS).text == "Fresh & new"
    published = news.find("news:publication_date", NS).text
    assert published == fresh.published_at.isoformat()


def test_robots_txt_names_the_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines
    assert "Disallow: /admin/" in lines


@pytest.mark.parametrize("size", [1, 20])
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/sitemap.xml", 10),  # per sitemap: latest lastmod, number of pages
        ("/sitemap-articles.xml", 2),  # count, page
        ("/sitemap-sections.xml", 2),  # count, page with lastmod subquery
        ("/sitemap-tags.xml", 2),
        ("/sitemap-authors.xml", 2),
        ("/sitemap-pages.xml", 2),  # latest lastmod of the home page, Information pages
        ("/sitemap-news.xml", 2),  # count, page
    ],
)
def test_sitemap_queries_do_not_grow_with_content(
    client, django_assert_num_queries, size, url, expected
):
    for _ in range(size):
        make_article(authors=[make_author()], tags=[f"tag-{size}"])
    Site.objects.get_current()  # the sitemaps framework's cached Site lookup
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
