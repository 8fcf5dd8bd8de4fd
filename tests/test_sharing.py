"""Share links on the article page: plain links with the headline and the canonical URL, in
the cached page, with nothing from elsewhere."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db

HEADLINE = 'Tom & Jerry: "NATO <b>summit</b>" opens'


def share_links(page):
    block = page[page.index('<section class="share"') :]
    block = block[: block.index("</section>")]
    links = re.findall(r'<a class="share__link share__link--([a-z]+)" href="([^"]*)"', block)
    return block, {service: html.unescape(href) for service, href in links}


def test_the_article_offers_plain_share_links_with_the_headline_and_canonical_url(client):
    article = make_article(title=HEADLINE)
    page = client.get(article.get_absolute_url()).content.decode()
    canonical = "http://testserver" + article.get_absolute_url()
    assert f'<link rel="canonical" href="{canonical}">' in page
    block, links = share_links(page)
    assert list(links) == ["mail", "telegram", "whatsapp", "vk", "x", "facebook", "copy"]

    def query(service):
        return {key: value for key, [value] in parse_qs(urlsplit(links[service]).query).items()}

    assert links["mail"].startswith("mailto:?")
    assert query("mail") == {"subject": HEADLINE, "body": canonical}
    assert links["telegram"].startswith("https://t.me/share/url?")
    assert query("telegram") == {"url": canonical, "text": HEADLINE}
    assert links["whatsapp"].startswith("https://wa.me/?")
    assert query("whatsapp") == {"text": f"{HEADLINE} {canonical}"}
    assert links["vk"].startswith("https://vk.com/share.php?")
    assert query("vk") == {"url": canonical, "title": HEADLINE}
    assert links["x"].startswith("https://x.com/intent/post?")
    assert query("x") == {"text": HEADLINE, "url": canonical}
    assert links["facebook"].startswith("https://www.facebook.com/sharer/sharer.php?")
    assert query("facebook") == {"u": canonical}
    assert links["copy"] == canonical
    # the headline is in the addresses encoded, never as markup; no tracking parameter
    assert "<b>" not in block and '"NATO' not in block
    assert not re.search(r"[?&;](utm_[a-z]+|fbclid|ref|source)=", block)
    # names readers and screen readers get; the icons stay silent
    assert ">E-mail</a>" in block and ">Copy link</a>" in block
    assert block.count('aria-hidden="true"') == 7
    assert 'rel="noopener noreferrer"' in block and "<script" not in block


def test_share_links_carry_the_host_the_reader_asked_for_through_the_page_cache(client):
    article = make_article()
    first = client.get(article.get_absolute_url())
    again = client.get(article.get_absolute_url())
    assert again["X-Page-Cache"] == "hit"
    assert share_links(again.content.decode())[1]["copy"] == (
        "http://testserver" + article.get_absolute_url()
    )
    other = client.get(article.get_absolute_url(), HTTP_HOST="localhost", secure=True)
    assert share_links(other.content.decode())[1]["copy"] == (
        "https://localhost" + article.get_absolute_url()
    )
    assert first.content == again.content


def test_an_edited_headline_is_shared_on_the_next_request(client):
    article = make_article(title="First headline")
    client.get(article.get_absolute_url())
    article.title = "Second headline"
    article.save()
    links = share_links(client.get(article.get_absolute_url()).content.decode())[1]
    assert "Second headline" in links["telegram"].replace("%20", " ")
