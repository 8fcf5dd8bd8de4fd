from datetime import timedelta

import feedparser
import pytest
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import image_upload, make_article, make_author, make_section

# Query budgets and settings switches measure rendering, not the page cache.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

KINDS = ["rss", "atom"]


@pytest.fixture
def newsroom():
    """One published article with everything, and a draft and a scheduled one beside it."""
    section = make_section(name="World", slug="world")
    author = make_author(name="Anna Keller", slug="anna-keller")
    common = {"section": section, "authors": [author], "tags": ["NATO"]}
    published = make_article(
        title="NATO summit opens",
        lead="Leaders <arrive> today & talk.",
        body="<p>The full <strong>story</strong>.</p>",
        image=image_upload(),
        **common,
    )
    make_article(title="Secret draft", status=Article.Status.DRAFT, **common)
    make_article(title="Scheduled story", published_at=timezone.now() + timedelta(days=1), **common)
    return published


def feed_urls(kind):
    return [
        reverse(f"articles:feed_{kind}"),
        reverse(f"articles:section_feed_{kind}", args=["world"]),
        reverse(f"articles:tag_feed_{kind}", args=["nato"]),
        reverse(f"articles:author_feed_{kind}", args=["anna-keller"]),
    ]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed


@pytest.mark.parametrize("kind", KINDS)
def test_every_feed_is_valid_absolute_and_lists_only_published_articles(client, newsroom, kind):
    for url in feed_urls(kind):
        feed = parse(client, url)
        assert feed.version == ("rss20" if kind == "rss" else "atom10")
        assert feed.feed.link.startswith("http://testserver/")
        assert [entry.title for entry in feed.entries] == ["NATO summit opens"], url
        entry = feed.entries[0]
        assert entry.link == "http://testserver" + newsroom.get_absolute_url()
        assert entry.author == "Anna Keller"
        assert {tag.term for tag in entry.tags} == {"World", "NATO"}
        assert entry.published_parsed is not None
        enclosure = entry.enclosures[0]
        assert enclosure.href == "http://testserver" + newsroom.image.file.url
        assert enclosure.type == "image/jpeg"
        assert int(enclosure.length) == newsroom.image.file.size


@pytest.mark.parametrize("kind", KINDS)
def test_feeds_carry_the_lead_unless_full_text_is_set(client, newsroom, settings, kind):
    entry = parse(client, reverse(f"articles:feed_{kind}")).entries[0]
    assert entry.summary == "Leaders &lt;arrive&gt; today &amp; talk."
    assert "story" not in entry.summary

    settings.NEWSROOM_FEED_FULL_TEXT = True
    entry = parse(client, reverse(f"articles:feed_{kind}")).entries[0]
    assert "<strong>story</strong>" in entry.summary
    assert "Leaders &lt;arrive&gt; today &amp; talk." in entry.summary


def test_feed_links_carry_the_host_the_reader_asked_for(client, newsroom):
    response = client.get(reverse("articles:feed_rss"), HTTP_HOST="localhost", secure=True)
    feed = feedparser.parse(response.content)
    assert feed.entries[0].link == "https://localhost" + newsroom.get_absolute_url()
    assert "example.com" not in response.content.decode()


def test_a_tag_only_drafts_use_has_no_feed(client):
    make_article(status=Article.Status.DRAFT, tags=["secret-plans"])
    for kind in KINDS:
        url = reverse(f"articles:tag_feed_{kind}", args=["secret-plans"])
        assert client.get(url).status_code == 404


def test_unknown_sections_and_authors_have_no_feed(client):
    assert client.get(reverse("articles:section_feed_rss", args=["nowhere"])).status_code == 404
    assert client.get(reverse("articles:author_feed_atom", args=["nobody"])).status_code == 404


@pytest.mark.parametrize("size", [1, 20])
@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("feed_rss", [], 3),  # articles (with section), authors, tags
        ("feed_atom", [], 3),
        ("section_feed_rss", ["world"], 4),  # and the section
        ("tag_feed_atom", ["nato"], 4),  # and the tag
        ("author_feed_rss", ["anna-keller"], 4),  # and the author
    ],
)
def test_feed_queries_do_not_grow_with_content(
    client, django_assert_num_queries, size, name, args, expected
):
    section = make_section(slug="world")
    authors = [make_author(slug="anna-keller"), make_author()]
    for n in range(size):
        make_article(section=section, authors=authors, tags=["nato", f"tag-{n}"])
    Site.objects.get_current()  # the syndication framework's cached Site lookup
    with django_assert_num_queries(expected):
        feed = client.get(reverse(f"articles:{name}", args=args))
    assert len(feedparser.parse(feed.content).entries) == size


def test_pages_announce_their_feeds_in_the_head(client, newsroom):
    home = client.get(reverse("articles:home")).content.decode()
    head = home.split("</head>")[0]
    assert (
        f'type="application/rss+xml" title="Newsroom (RSS)" href="{reverse("articles:feed_rss")}"'
        in head
    )
    assert f'href="{reverse("articles:feed_atom")}"' in head

    section = client.get(reverse("articles:section", args=["world"])).content.decode()
    head = section.split("</head>")[0]
    assert f'href="{reverse("articles:section_feed_rss", args=["world"])}"' in head
    assert f'href="{reverse("articles:section_feed_atom", args=["world"])}"' in head
    for url in [
        reverse("articles:tag", args=["nato"]),
        reverse("articles:author", args=["anna-keller"]),
    ]:
        head = client.get(url).content.decode().split("</head>")[0]
        assert head.count('rel="alternate"') == 4, url


# A feed opened in a browser: the stylesheet makes it a readable page.

STYLESHEET_PI = b'<?xml-stylesheet href="/feeds/feed.xsl" type="text/xsl"?>'


@pytest.mark.parametrize("kind", KINDS)
def test_every_feed_names_the_sites_stylesheet_before_its_root_element(client, newsroom, kind):
    root = b"<rss " if kind == "rss" else b"<feed "
    for url in feed_urls(kind):
        response = client.get(url)
        assert response["Content-Type"] == f"application/{kind}+xml; charset=utf-8", url
        content = response.content
        assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n' + STYLESHEET_PI)
        assert content.index(STYLESHEET_PI) < content.index(root)
        assert feedparser.parse(content).entries[0].title == "NATO summit opens"  # and parse()


def test_the_stylesheet_is_served_from_the_site_and_the_policy_allows_it(client, newsroom):
    import xml.etree.ElementTree as ET

    from django.contrib.staticfiles import finders

    response = client.get(reverse("articles:feed_rss"))
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    # same origin: 'self' covers the XSL, and the site's stylesheet and script it names
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    stylesheet = client.get(reverse("articles:feed_stylesheet"))
    assert stylesheet["Content-Type"] == "text/xsl; charset=utf-8"
    assert "public" in stylesheet["Cache-Control"]
    text = stylesheet.content.decode()
    root = ET.fromstring(stylesheet.content)
    assert root.tag == "{http://www.w3.org/1999/XSL/Transform}stylesheet"
    for linked in ["/static/css/site.css", "/static/js/copy-link.js", "/static/img/icons.svg"]:
        assert linked in text
        assert finders.find(linked.removeprefix("/static/").split("#")[0])
    assert "https://" not in text.replace("http://www.w3.org/", "")  # nothing from elsewhere


def test_a_feed_with_its_stylesheet_is_still_served_from_the_page_cache(client, newsroom, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    first = client.get(reverse("articles:feed_atom"))
    second = client.get(reverse("articles:feed_atom"))
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert STYLESHEET_PI in second.content and second.content == first.content


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("kind", KINDS)
def test_a_browser_gets_the_feed_as_xml_to_style_and_a_feed_reader_its_own_type(
    client, newsroom, settings, kind
):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 60
    url = reverse(f"articles:feed_{kind}")
    reader = client.get(url, HTTP_ACCEPT=f"application/{kind}+xml, application/xml;q=0.9")
    browser = client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)
    plain = client.get(url)  # no Accept at all, like many feed readers
    assert (
        reader["Content-Type"] == plain["Content-Type"] == f"application/{kind}+xml; charset=utf-8"
    )
    # Chromium styles application/xml, but shows application/rss+xml as plain text
    assert browser["Content-Type"] == "application/xml; charset=utf-8"
    assert browser.content == reader.content == plain.content
    assert [r["X-Page-Cache"] for r in (reader, browser, plain)] == ["miss", "hit", "hit"]
    for response in (reader, browser, plain):
        assert "Accept" in response["Vary"]
    assert not feedparser.parse(browser.content).bozo


def test_pages_that_are_not_feeds_keep_their_type(client, newsroom):
    response = client.get(reverse("articles:home"), HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" not in response.get("Vary", "")
