from datetime import timedelta

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from articles.models import Correction
from tests.factories import image_upload, make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_article():
    author = make_author(name="Anna Keller", slug="anna-keller")
    article = make_article(
        title="German Press: NATO Plans to Send Troops",
        lead="An expert said NATO leaders are considering it.",
        body="<p>First paragraph.</p><p>Second paragraph with <strong>bold</strong>.</p>",
        image=image_upload(),
        image_alt="NATO flags",
        image_caption="NATO headquarters",
        image_credit="NATO website",
        image_credit_url="https://www.nato.int/",
        source_name="Focus",
        source_url="https://www.focus.de/",
        authors=[author],
        tags=["NATO", "Ukraine"],
    )
    Correction.objects.create(article=article, text="An earlier version misspelt a name.")
    return article


def test_article_page_shows_everything_the_seed_page_shows(client, full_article):
    response = client.get(full_article.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert '<h1 class="article__title">German Press: NATO Plans to Send Troops</h1>' in html
    assert f'<time datetime="{full_article.published_at.isoformat()}"' in html
    assert 'href="/author/anna-keller/"' in html
    assert "An expert said NATO leaders are considering it." in html
    assert "<p>First paragraph.</p><p>Second paragraph with <strong>bold</strong>.</p>" in html
    assert '<source type="image/webp"' in html
    assert ".webp 64w" in html and ".jpg 64w" in html  # a 64px original is not upscaled
    assert 'width="64" height="36"' in html  # the lead image is cropped to 16:9
    assert 'alt="NATO flags"' in html
    assert "NATO headquarters" in html
    assert '<a href="https://www.nato.int/" rel="noopener">NATO website</a>' in html
    assert '<a href="https://www.focus.de/" rel="noopener">Focus</a>' in html
    assert f'href="{reverse("articles:tag", args=["nato"])}" rel="tag">NATO</a>' in html
    assert f'href="{reverse("articles:tag", args=["ukraine"])}" rel="tag">Ukraine</a>' in html
    assert "An earlier version misspelt a name." in html
    assert "<article" in html and 'id="main"' in html and "skip-link" in html


def test_article_with_a_wrong_slug_redirects_to_the_right_one(client, article):
    response = client.get(reverse("articles:detail", args=[article.pk, "old-slug"]))
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_home_links_the_newest_article_and_lists_the_rest(client):
    now = timezone.now()
    older = make_article(title="Older story", published_at=now - timedelta(hours=2))
    newest = make_article(title="Newest story", published_at=now - timedelta(hours=1))
    html = client.get(reverse("articles:home")).content.decode()
    assert newest.get_absolute_url() in html
    assert older.get_absolute_url() in html
    assert html.index("Newest story") < html.index("Older story")


def test_section_tag_and_author_pages_list_their_articles(client):
    author = make_author()
    article = make_article(authors=[author], tags=["elections"])
    other = make_article(title="Unrelated story")
    for url in [
        article.section.get_absolute_url(),
        reverse("articles:tag", args=["elections"]),
        author.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert article.title in response.content.decode()
        assert other.title not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/section/no-such-section/",
        "/tag/no-such-tag/",
        "/author/nobody/",
        "/article/999999/nothing/",
        "/no/such/page/",
        "/?page=999",
        "/?page=-1",
        "/?page=abc",
    ],
)
def test_missing_things_answer_404_in_the_sites_design(client, url):
    make_article()
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_an_empty_section_still_has_a_page(client):
    section = make_section(name="Science")
    response = client.get(section.get_absolute_url())
    assert response.status_code == 200
    assert "No articles here yet." in response.content.decode()


def test_a_tag_used_only_by_drafts_has_no_page(client):
    make_article(status="draft", tags=["secret-plans"])
    assert client.get(reverse("articles:tag", args=["secret-plans"])).status_code == 404


def test_information_pages_show_in_the_footer_and_open(client):
    page = FlatPage.objects.create(url="/about/", title="About us", content="<p>Who we are.</p>")
    page.sites.add(Site.objects.get_current())
    home = client.get(reverse("articles:home")).content.decode()
    assert "Information" in home
    assert 'href="/pages/about/"' in home
    response = client.get("/pages/about/")
    assert response.status_code == 200
    assert "Who we are." in response.content.decode()


def test_pagination_splits_long_lists(client, settings):
    section = make_section()
    for _ in range(25):
        make_article(section=section)
    first = client.get(section.get_absolute_url())
    second = client.get(section.get_absolute_url() + "?page=2")
    assert first.context["page_obj"].paginator.num_pages == 2
    assert len(first.context["articles"]) == 20
    assert len(second.context["articles"]) == 5


def test_a_crash_answers_500_in_the_sites_design_without_a_traceback(client, settings):
    settings.ROOT_URLCONF = "tests.crashing_urls"
    client.raise_request_exception = False
    response = client.get("/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert 'class="site-header"' in html
    assert "Traceback" not in html and "ZeroDivisionError" not in html
