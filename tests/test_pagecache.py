"""Anonymous pages come from the cache, and every change shows on the very next request."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Correction
from tests.factories import make_article, make_author, make_staff, make_user

pytestmark = pytest.mark.django_db


def test_a_second_anonymous_request_is_served_from_the_cache_without_queries(
    client, article, django_assert_num_queries
):
    first = client.get(article.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(article.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_public_pages_may_be_kept_briefly_by_a_cdn(client, article):
    response = client.get(article.get_absolute_url())
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "s-maxage=60" in cache_control
    assert "stale-while-revalidate=60" in cache_control
    assert "Cookie" in response["Vary"]


def test_conditional_get_answers_304(client, article):
    etag = client.get(article.get_absolute_url())["ETag"]
    response = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def edit_article(article):
    article.title = "Changed headline"
    article.save()
    return "Changed headline"


def add_correction(article):
    Correction.objects.create(article=article, text="A corrected figure.")
    return "A corrected figure."


def rename_section(article):
    article.section.name = "Renamed section"
    article.section.save()
    return "Renamed section"


def rename_author(article):
    author = make_author(name="First Author")
    article.authors.add(author)
    author.name = "Renamed Author"
    author.save()
    return "Renamed Author"


def retag(article):
    article.tags.add("brand-new-tag")
    return "brand-new-tag"


def add_information_page(article):
    """Through the admin, as editors add them."""
    client = Client()
    client.force_login(make_staff("pages-editor", group="Editor"))
    response = client.post(
        reverse("admin:flatpages_flatpage_add"),
        {
            "url": "/ethics/",
            "title": "Ethics code",
            "content": "<p>x</p>",
            "sites": [Site.objects.get_current().pk],
            "template_name": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FlatPage.objects.filter(url="/ethics/").exists()
    return "Ethics code"


@pytest.mark.parametrize(
    "change",
    [edit_article, add_correction, rename_section, rename_author, retag, add_information_page],
)
def test_every_change_shows_on_the_next_anonymous_request(client, article, change):
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    expected = change(article)

    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert expected in response.content.decode()


def test_a_scheduled_article_appears_on_time_through_the_cached_home_page(client):
    make_article(title="Already out")
    due = timezone.now() + timedelta(hours=1)
    make_article(title="Embargoed story", published_at=due)
    home = reverse("articles:home")
    assert "Embargoed story" not in client.get(home).content.decode()
    assert client.get(home)["X-Page-Cache"] == "hit"

    with time_machine.travel(due + timedelta(seconds=1)):
        assert "Embargoed story" in client.get(home).content.decode()


def test_signed_in_readers_never_get_a_cached_page(client, article):
    client.get(article.get_absolute_url())  # cached for anonymous readers
    client.force_login(make_user("reader"))
    response = client.get(article.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_reader_with_pending_messages_gets_a_fresh_page(client, article):
    client.get(article.get_absolute_url())
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get(article.get_absolute_url())


def test_pages_with_a_csrf_token_are_never_shared(client):
    response = client.get(reverse("admin:login"))
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"]


def test_the_admin_is_never_cached(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:index"))
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"]
