from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_published_keeps_only_published_articles_that_are_due():
    public = make_article()
    make_article(status=Article.Status.DRAFT)
    make_article(status=Article.Status.REVIEW)
    make_article(status=Article.Status.WITHDRAWN)
    make_article(published_at=timezone.now() + timedelta(hours=1))

    assert list(Article.objects.published()) == [public]


def test_a_scheduled_article_becomes_public_when_its_time_comes():
    article = make_article(published_at=timezone.now() + timedelta(seconds=1))
    assert not Article.objects.published().exists()

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert list(Article.objects.published()) == [article]


def test_publishing_without_a_time_publishes_now():
    article = make_article(published_at=None)
    assert article.published_at is not None
    assert article.published_at <= timezone.now()


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_unpublished_articles_answer_404_to_the_public(client, overrides):
    article = make_article(**overrides)
    assert client.get(article.get_absolute_url()).status_code == 404


def test_unpublished_articles_are_not_listed(client):
    draft = make_article(title="Secret draft headline", status=Article.Status.DRAFT)
    future = make_article(
        title="Scheduled headline", published_at=timezone.now() + timedelta(days=1)
    )
    for url in [
        reverse("articles:home"),
        draft.section.get_absolute_url(),
        future.section.get_absolute_url(),
    ]:
        content = client.get(url).content.decode()
        assert "Secret draft headline" not in content
        assert "Scheduled headline" not in content
