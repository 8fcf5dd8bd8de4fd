import json
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import image_upload, make_article, make_author, make_section

pytestmark = pytest.mark.django_db

HOST = "http://testserver"


class Head(HTMLParser):
    """The <head>'s meta tags, links and JSON-LD, as a reader of metadata sees them."""

    def __init__(self, html):
        super().__init__()
        self.meta, self.links, self.json_ld = {}, {}, []
        self._in_json_ld = False
        self.feed(html.split("</head>")[0])

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs["name"]
            self.meta.setdefault(key, []).append(attrs["content"])
        elif tag == "link":
            self.links.setdefault(attrs["rel"], []).append(attrs["href"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True

    def handle_endtag(self, tag):
        self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))

    def one(self, key):
        (value,) = self.meta[key]
        return value

    def of_type(self, kind):
        (data,) = [item for item in self.json_ld if item["@type"] == kind]
        return data


@pytest.fixture
def full_article():
    section = make_section(name="World", slug="world")
    author = make_author(name="Anna Keller", slug="anna-keller")
    return make_article(
        title="NATO summit opens",
        lead="Leaders arrive today.",
        seo_description="What the leaders will discuss.",
        section=section,
        authors=[author],
        tags=["NATO", "Ukraine"],
        image=image_upload(size=(120, 80)),
        image_alt="Flags",
    )


def test_an_article_page_carries_opengraph_and_twitter_tags(client, full_article):
    head = Head(client.get(full_article.get_absolute_url()).content.decode())
    url = HOST + full_article.get_absolute_url()
    # The largest landscape rendition, in the original format (120×80 cropped to 16:9).
    image = HOST + full_article.image.social_rendition[3]
    assert image.endswith(".jpg") and "/CACHE/" in image
    assert head.links["canonical"] == [url]
    assert head.one("description") == "What the leaders will discuss."
    assert head.one("og:type") == "article"
    assert head.one("og:url") == url
    assert head.one("og:title") == "NATO summit opens"
    assert head.one("og:description") == "What the leaders will discuss."
    assert head.one("og:image") == image
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("120", "68")
    assert head.one("og:site_name") == "Newsroom"
    published = datetime.fromisoformat(head.one("article:published_time"))
    modified = datetime.fromisoformat(head.one("article:modified_time"))
    assert published == full_article.published_at
    assert modified == full_article.updated_at
    assert head.one("article:section") == "World"
    assert head.meta["article:tag"] == ["NATO", "Ukraine"]
    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("twitter:image") == image


def test_an_article_page_describes_itself_as_a_news_article_in_json_ld(client, full_article):
    head = Head(client.get(full_article.get_absolute_url()).content.decode())
    data = head.of_type("NewsArticle")
    url = HOST + full_article.get_absolute_url()
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "NATO summit opens"
    assert datetime.fromisoformat(data["datePublished"]) == full_article.published_at
    assert datetime.fromisoformat(data["dateModified"]) == full_article.updated_at
    assert data["author"] == [
        {"@type": "Person", "name": "Anna Keller", "url": HOST + "/author/anna-keller/"}
    ]
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "Newsroom"
    assert data["publisher"]["logo"]["url"] == HOST + "/static/img/logo.png"
    assert data["image"] == [HOST + full_article.image.social_rendition[3]]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}


def test_an_article_page_has_breadcrumbs_home_section_article(client, full_article):
    head = Head(client.get(full_article.get_absolute_url()).content.decode())
    crumbs = head.of_type("BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "Newsroom", HOST + "/"),
        (2, "World", HOST + "/section/world/"),
        (3, "NATO summit opens", HOST + full_article.get_absolute_url()),
    ]


def test_an_article_without_image_or_author_still_names_an_image_and_an_author(client):
    article = make_article()
    head = Head(client.get(article.get_absolute_url()).content.decode())
    data = head.of_type("NewsArticle")
    assert data["image"] == [HOST + "/static/img/logo.png"]
    assert data["author"][0]["@type"] == "Organization"
    assert head.one("og:image") == HOST + "/static/img/logo.png"
    assert head.one("twitter:card") == "summary"


def test_the_publisher_logo_is_a_real_static_image():
    logo = Path(settings.BASE_DIR, "static", "img", "logo.png")
    assert logo.read_bytes().startswith(b"\x89PNG")


def test_json_ld_cannot_be_broken_out_of_by_a_headline(client):
    title = '</script><script>alert("x")</script> & <!-- more'
    article = make_article(title=title)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<script>alert("x")' not in html
    assert Head(html).of_type("NewsArticle")["headline"] == title


def test_the_home_page_offers_search_to_search_engines(client):
    make_article()
    head = Head(client.get(reverse("articles:home")).content.decode())
    website = head.of_type("WebSite")
    assert website["url"] == HOST + "/"
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == HOST + "/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"


@pytest.mark.parametrize("page", ["home", "section", "tag", "author", "flatpage", "page 2"])
def test_every_public_page_has_a_canonical_url_description_and_opengraph(client, page):
    section = make_section(name="Science", slug="science", description="Research news.")
    author = make_author(slug="anna-keller")
    for _ in range(21):
        make_article(section=section, authors=[author], tags=["space"])
    flatpage = FlatPage.objects.create(url="/about/", title="About us", content="<p>Us.</p>")
    flatpage.sites.add(Site.objects.get_current())
    url = {
        "home": "/",
        "section": "/section/science/",
        "tag": "/tag/space/",
        "author": "/author/anna-keller/",
        "flatpage": "/pages/about/",
        "page 2": "/section/science/?page=2",
    }[page]

    head = Head(client.get(url).content.decode())

    assert head.links["canonical"] == [HOST + url]
    assert head.one("og:url") == HOST + url
    assert head.one("description")
    assert head.one("og:type") == "website"
    assert head.one("og:title")
    assert head.one("og:image").startswith(HOST + "/")
    assert head.one("twitter:card") == "summary"
    if page == "section":
        assert head.one("description") == head.one("og:description") == "Research news."


def test_search_pages_ask_not_to_be_indexed(client):
    head = Head(client.get(reverse("articles:search"), {"q": "space"}).content.decode())
    assert head.one("robots") == "noindex, follow"
    assert "canonical" not in head.links


def test_a_request_for_a_host_not_allowed_answers_400_not_500(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


# Related articles


def test_related_articles_share_tags_first_then_the_section(client):
    now = timezone.now()
    section, other = make_section(), make_section()
    article = make_article(section=section, tags=["nato", "ukraine", "europe"])
    two_tags = make_article(
        title="Shares two tags",
        section=other,
        tags=["nato", "ukraine"],
        published_at=now - timedelta(days=5),
    )
    one_tag = make_article(title="Shares one tag", section=other, tags=["europe"])
    same_section = make_article(title="Same section", section=section)
    make_article(title="Unrelated", section=other, tags=["sport"])
    make_article(title="Draft", section=section, tags=["nato"], status=Article.Status.DRAFT)
    make_article(
        title="Scheduled", section=section, tags=["nato"], published_at=now + timedelta(hours=1)
    )

    response = client.get(article.get_absolute_url())

    related = [item.title for item in response.context["related_articles"]]
    assert related == [two_tags.title, one_tag.title, same_section.title]
    html = response.content.decode()
    assert "Related articles" in html
    assert html.index(f'href="{two_tags.get_absolute_url()}"') < html.index(
        f'href="{same_section.get_absolute_url()}"'
    )


def test_related_articles_are_at_most_four(client):
    section = make_section()
    article = make_article(section=section, tags=["nato"])
    for _ in range(6):
        make_article(section=section, tags=["nato"])
    assert len(client.get(article.get_absolute_url()).context["related_articles"]) == 4


def test_an_article_alone_in_its_section_has_no_related_block(client):
    article = make_article()
    response = client.get(article.get_absolute_url())
    assert response.context["related_articles"] == []
    assert "Related articles" not in response.content.decode()


def test_error_pages_ask_not_to_be_indexed_and_name_no_canonical_url(client):
    head = Head(client.get("/no/such/page/").content.decode())
    assert head.one("robots") == "noindex"
    assert "canonical" not in head.links
