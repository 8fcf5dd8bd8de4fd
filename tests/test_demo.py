import html
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.flatpages.models import FlatPage
from django.core.management import call_command
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from articles.management.commands.load_demo import SEED_LEAD, SEED_PARAGRAPHS, SEED_TITLE
from articles.models import Article, Author, Section

pytestmark = pytest.mark.django_db

SEED_PAGE = Path(__file__).parent / "data" / "article-page.txt"  # a copy of shared/seed


def row_counts():
    from articles.models import ArticleViews
    from newsletters.models import Newsletter

    models = [Article, Author, Section, Tag, TaggedItem, FlatPage, get_user_model()]
    models += [ArticleViews, Newsletter]
    return {model.__name__: model.objects.count() for model in models}


def test_load_demo_twice_leaves_the_same_rows(settings):
    settings.DEBUG = True
    call_command("load_demo", "--articles", "12", stdout=None)
    first = row_counts()
    call_command("load_demo", "--articles", "12", stdout=None)
    assert row_counts() == first
    assert first["Article"] == 13
    assert first["User"] == 6  # editor, reporter, moderator, reader, two readers who comment
    assert first["Newsletter"] == 3  # the morning digest, breaking news, a section letter
    assert first["ArticleViews"] == 12 * 8  # a day of readers for "Most read"


def test_demo_accounts_exist_only_when_debug_is_on(settings):
    settings.DEBUG = False
    call_command("load_demo", "--articles", "2")
    assert not get_user_model().objects.exists()


def test_demo_seed_article_reads_as_the_seed_page(client):
    call_command("load_demo", "--articles", "3")
    home = client.get(reverse("articles:home")).content.decode()
    seed = Article.objects.get(title=SEED_TITLE)
    assert seed.get_absolute_url() in home

    page = html.unescape(client.get(seed.get_absolute_url()).content.decode())
    assert SEED_TITLE in page
    assert SEED_LEAD in page
    for paragraph in SEED_PARAGRAPHS:
        assert f"<p>{paragraph}</p>" in page
    assert '<a href="https://www.nato.int/" rel="noopener">NATO website</a>' in page
    for tag in ["NATO", "Ukraine"]:
        assert f'rel="tag">{tag}</a>' in page


def test_demo_text_is_the_seed_pages_text():
    """The demo's headline, lead and paragraphs are copied from the seed page, word for word."""
    lines = SEED_PAGE.read_text().splitlines()
    assert lines[0] == SEED_TITLE
    assert lines[2] == SEED_LEAD
    assert lines[3:6] == SEED_PARAGRAPHS


def test_demo_discussion_is_loaded_once_and_the_demo_reader_can_comment(client, settings):
    from allauth.account.models import EmailAddress

    from comments.models import Comment, visible_count

    settings.DEBUG = True
    call_command("load_demo", "--articles", "1", stdout=None)
    call_command("load_demo", "--articles", "1", stdout=None)
    seed = Article.objects.get(title=SEED_TITLE)
    assert Comment.objects.filter(article=seed).count() == 3
    assert Comment.objects.filter(article=seed, parent__isnull=False).count() == 1
    assert visible_count(seed) == 3
    assert EmailAddress.objects.get(email="reader@example.com").verified

    settings.DEBUG = False
    signed_in = client.post(
        reverse("account_login"), {"login": "reader@example.com", "password": "newsroom-reader"}
    )
    assert signed_in.status_code == 302
    client.post(reverse("comments:create", args=[seed.pk]), {"body": "Signed in at once."})
    assert visible_count(seed) == 4
