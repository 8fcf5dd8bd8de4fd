"""Feed and sitemap injection: hostile headlines still give well-formed XML that says what
was written. Cache poisoning: nothing a request smuggles in, and nothing about a signed-in
reader, reaches the page the cache hands to everybody else."""

from xml.dom import minidom

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_article, make_author, make_reader

pytestmark = pytest.mark.django_db

HOSTILE = 'Up ]]> <b>bold</b> & "quoted" \x01\x08\x0b\x0c\x1f\ufffe end'
CLEAN = 'Up ]]> <b>bold</b> & "quoted"  end'


@pytest.fixture
def hostile_article():
    return make_article(
        title=HOSTILE,
        lead=HOSTILE,
        tags=["tag ]]> <x>\x02"],
        authors=[make_author(name="Author ]]>\x03 <i>")],
    )


def texts(document, tag):
    return [
        "".join(node.data for node in element.childNodes if node.nodeType in (3, 4))
        for element in document.getElementsByTagName(tag)
    ]


@pytest.mark.parametrize(
    "url, title_tag",
    [
        ("/feeds/rss/", "title"),
        ("/feeds/atom/", "title"),
        ("/sitemap-news.xml", "news:title"),
    ],
)
def test_a_hostile_headline_gives_well_formed_xml_saying_what_was_written(
    client, hostile_article, url, title_tag
):
    response = client.get(url)
    assert response.status_code == 200
    document = minidom.parseString(response.content)  # raises on ill-formed XML
    assert CLEAN in texts(document, title_tag)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_hostile_tags_and_author_names_give_well_formed_feeds(client, hostile_article, kind):
    hostile_article.refresh_from_db()
    for url in [
        f"/feeds/{kind}/",
        f"/author/{hostile_article.authors.get().slug}/{kind}/",
        f"/tag/{hostile_article.tags.get().slug}/{kind}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        document = minidom.parseString(response.content)
        assert "<x>" not in response.content.decode().replace("&lt;x&gt;", "")
        assert document.documentElement is not None


@pytest.mark.parametrize("name", ["articles", "tags", "sections", "authors"])
def test_sitemaps_stay_well_formed_with_hostile_content(client, hostile_article, name):
    response = client.get(f"/sitemap-{name}.xml")
    assert response.status_code == 200
    minidom.parseString(response.content)


# Cache poisoning


def anonymous_get(path, **headers):
    return Client().get(path, **headers)


@pytest.mark.parametrize(
    "header",
    [
        "HTTP_X_FORWARDED_HOST",
        "HTTP_X_FORWARDED_SERVER",
        "HTTP_X_HOST",
        "HTTP_X_ORIGINAL_URL",
        "HTTP_X_REWRITE_URL",
        "HTTP_X_FORWARDED_PREFIX",
    ],
)
def test_an_unkeyed_header_cannot_poison_the_cached_page(article, header):
    poisoned = anonymous_get(article.get_absolute_url(), **{header: "evil.example"})
    assert poisoned["X-Page-Cache"] == "miss"
    assert b"evil.example" not in poisoned.content
    served = anonymous_get(article.get_absolute_url())
    assert served["X-Page-Cache"] == "hit"
    assert b"evil.example" not in served.content


def test_a_page_asked_for_over_http_is_never_served_to_https_readers(article, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url = article.get_absolute_url()
    # Behind a proxy both arrive with the same Host header.
    plain = anonymous_get(url, HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="http")
    assert 'rel="canonical" href="http://testserver' in plain.content.decode()
    secure = anonymous_get(url, HTTP_HOST="testserver", HTTP_X_FORWARDED_PROTO="https")
    assert 'rel="canonical" href="https://testserver' in secure.content.decode()
    assert "http://testserver" not in secure.content.decode()


def test_x_forwarded_proto_is_ignored_unless_the_proxy_is_trusted(article):
    response = anonymous_get(article.get_absolute_url(), HTTP_X_FORWARDED_PROTO="https")
    assert 'rel="canonical" href="http://testserver' in response.content.decode()


def test_a_forged_host_is_refused_and_stores_nothing(article):
    forged = anonymous_get(article.get_absolute_url(), HTTP_HOST="evil.example")
    assert forged.status_code == 400
    served = anonymous_get(article.get_absolute_url())
    assert served.status_code == 200
    assert served["X-Page-Cache"] == "miss"
    assert b"evil.example" not in served.content


def test_each_allowed_host_gets_pages_with_its_own_links(article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "news.example"]
    anonymous_get(article.get_absolute_url(), HTTP_HOST="news.example")
    served = anonymous_get(article.get_absolute_url())
    assert b"news.example" not in served.content


def test_a_signed_in_readers_name_token_and_messages_never_reach_anonymous_readers(article):
    reader = make_reader("anna", display_name="Zelda Quartermain")
    signed_in = Client()
    signed_in.force_login(reader)
    own_page = signed_in.get(article.get_absolute_url()).content.decode()
    token = own_page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    signed_in.post(reverse("comments:create", args=[article.pk]), {"body": "Hello"})
    with_message = signed_in.get(article.get_absolute_url()).content.decode()
    assert "Your comment has been published." in with_message

    for _ in range(2):  # the page rendered afresh, then from the cache
        anonymous = anonymous_get(article.get_absolute_url())
        html = anonymous.content.decode()
        assert "Your profile" not in html
        assert token not in html and "csrfmiddlewaretoken" not in html
        assert "Your comment has been published." not in html
        assert "Zelda Quartermain" in html  # on the comment, which is public
    assert anonymous["X-Page-Cache"] == "hit"


def test_a_page_setting_a_cookie_is_never_stored_for_others(client):
    first = client.get(reverse("account_login"))
    assert "X-Page-Cache" not in first
    assert "no-store" in first["Cache-Control"]
