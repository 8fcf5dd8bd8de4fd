"""Public pages run a fixed number of queries however much content they show."""

import pytest
from django.urls import reverse

from tests.factories import make_articles, make_image

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


# nav sections, footer pages, count, page of articles (with section), authors, tags, the
# cards' comment counts
LISTING_QUERIES = 7 + 2  # + notices and labels in force (cold cache; cached, none)
MOST_READ = 1  # the "Most read" block, on the home and article pages
# nav, footer, article (with section), authors, tags, corrections, related articles, notices,
# labels, comment count, a page of comment threads, their replies; the views and the most read;
# its versions in other languages (hreflang)
ARTICLE_QUERIES = 7 + 2 + 3 + 1 + MOST_READ + 1


def urls_for(articles):
    article = articles[0]
    return {
        "home": (reverse("articles:home"), LISTING_QUERIES + MOST_READ),
        "section": (article.section.get_absolute_url(), LISTING_QUERIES + 1),
        # the tag (the count says whether it has any published article: no page for a draft's)
        "tag": (reverse("articles:tag", args=["tag-0"]), LISTING_QUERIES + 1),
        "author": (article.authors.first().get_absolute_url(), LISTING_QUERIES + 1),
        "article": (article.get_absolute_url(), ARTICLE_QUERIES),
    }


@pytest.mark.parametrize("page", ["home", "section", "tag", "author", "article"])
@pytest.mark.parametrize("size", [1, 20])
def test_page_queries_do_not_grow_with_content(client, django_assert_num_queries, page, size):
    articles = make_articles(size, authors=size, tags=size)
    url, expected = urls_for(articles)[page]
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["home", "section", "tag", "author", "article"])
def test_a_page_rendered_again_from_its_cached_parts_reads_nothing(
    client, django_assert_num_queries, page
):
    articles = make_articles(20, authors=3, tags=3)
    url, _ = urls_for(articles)[page]
    first = client.get(url)
    with django_assert_num_queries(0 if page != "author" else 1):  # the author's row
        again = client.get(url)
    assert again.status_code == first.status_code == 200
    assert again.content == first.content


@pytest.mark.parametrize("page", ["home", "section", "tag", "author", "article"])
@pytest.mark.parametrize("size", [1, 20])
def test_library_images_on_every_card_add_no_query(client, django_assert_num_queries, page, size):
    articles = make_articles(size, authors=1, tags=1)
    for article in articles:
        article.image = make_image()  # each its own library image, read with its article
        article.save()
    url, expected = urls_for(articles)[page]
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.content.decode().count("<picture>") == (1 if page == "article" else size)
