import pytest
from django.core.management import call_command

from articles.models import Article

pytestmark = pytest.mark.django_db


def test_generate_content_makes_published_articles_with_authors_and_tags(capsys):
    call_command("generate_content", "--articles", "30", "--batch", "7", "--tags", "20")
    articles = Article.objects.published().for_listing()
    assert articles.count() == 30
    first = articles[0]
    assert 1 <= len(first.authors.all()) <= 2
    assert len(first.tags.all()) == 5
    assert first.excerpt
    assert "30/30" in capsys.readouterr().out


def test_generate_content_adds_to_what_exists_without_clashing():
    call_command("generate_content", "--articles", "5", "--tags", "10")
    call_command("generate_content", "--articles", "5", "--tags", "10")
    assert Article.objects.count() == 10
