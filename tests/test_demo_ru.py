"""The Russian demo (`NEWSROOM_DEMO_LANGUAGE=ru`): the same loader as the English one with the
texts of each app's demo_ru.py; on a Russian site its seed article carries each registered name's
label once, at the first mention, whatever the case form; its URLs are Latin (articles.slugs)."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.flatpages.models import FlatPage
from django.core.management import CommandError, call_command
from taggit.models import Tag, TaggedItem

from articles import demo_ru
from articles.management.commands.load_demo import seed_article
from articles.models import Article, ArticleViews, Author, Correction, Section
from comments.models import Comment
from newsletters.models import Newsletter
from notices import demo_ru as notices_ru
from notices.models import Channel, Label, Notice
from tests.test_invalidation import cached, page_cache  # noqa: F401

pytestmark = pytest.mark.django_db

LATIN_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
BANNED = f"({notices_ru.BANNED})"
AGENT = f"({notices_ru.FOREIGN_AGENT})"


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"
    settings.DEBUG = True  # the demo readers and their comments


def load(articles=7):
    call_command("load_demo", "--articles", str(articles), "--language", "ru", stdout=None)


def row_counts():
    models = [Article, Author, Section, Tag, TaggedItem, FlatPage, get_user_model(), ArticleViews]
    models += [Newsletter, Notice, Label, Channel, Comment, Correction]
    return {model.__name__: model.objects.count() for model in models}


def page_text(content):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def test_load_demo_twice_leaves_the_same_rows(russian):
    load()
    first = row_counts()
    load()
    assert row_counts() == first
    assert first["Article"] == 8
    assert first["Section"] == 6 and first["Notice"] == 3 and first["Channel"] == 5
    assert first["Label"] == len(notices_ru.ORGANIZATIONS) + len(notices_ru.FOREIGN_AGENTS)
    assert first["Comment"] == 3 and first["Newsletter"] == 3 and first["Correction"] == 1
    assert list(Section.objects.order_by("position").values_list("name", flat=True)) == [
        "Политика", "В мире", "Экономика", "Оборона", "Общество", "Культура",
    ]  # fmt: skip
    assert not Article.objects.filter(title__contains="NATO").exists()  # no English beside it


def test_the_language_comes_from_the_environment_and_an_unknown_one_is_refused(
    russian, monkeypatch
):
    monkeypatch.setenv("NEWSROOM_DEMO_LANGUAGE", "ru")
    call_command("load_demo", "--articles", "1", stdout=None)
    assert seed_article("ru") is not None
    assert seed_article("en") is None
    monkeypatch.setenv("NEWSROOM_DEMO_LANGUAGE", "de")
    with pytest.raises(CommandError, match="Unknown demo language 'de'"):
        call_command("load_demo", "--articles", "1", stdout=None)


# (the label's name, its mentions in the seed article in order: the first is labelled)
MENTIONS = [
    ("Медуза", ["«Медузы»", "«Медуза»"], AGENT),
    ("Голос Америки", ["«Голосу Америки»", "«Голос Америки»"], AGENT),
    ("Фонд борьбы с коррупцией", ["«Фонда борьбы с коррупцией»"], BANNED),
    ("Facebook", ["«Фейсбуке»"], BANNED),
]


def test_the_seed_article_labels_each_name_once_at_its_first_mention_in_any_case_form(
    client,
    russian,
    page_cache,  # noqa: F811
):
    load()
    seed = seed_article("ru")
    text = page_text(cached(seed.get_absolute_url()))  # through the page cache
    start = text.index(demo_ru.SEED_PARAGRAPHS[0][:40])
    body = text[start : text.index("комментарии экспертов.", start)]
    for name, mentions, label in MENTIONS:
        assert Label.objects.filter(name=name, label_text=label[1:-1]).exists()
        first, *later = mentions
        assert body.count(f"{first} {label}") == 1, (name, first)
        position = body.index(first)
        for mention in later:
            assert body.index(mention, position + 1) > position
            assert f"{mention} {label}" not in body, (name, mention)
    # No other label in the text (not "Голос" inside «Голосу Америки», nothing twice).
    assert body.count(AGENT) == 2
    assert body.count(BANNED) == 2
    assert body.count("(") == 4
    # The two lists in Russian, with their labels, at the foot of the page.
    assert "«Фонд борьбы с коррупцией» (запрещена в России)" in text
    assert "выполняющие функции иностранного агента: Медуза; Голос Америки; Реалии;" in text
    assert (
        "Наши новостные каналы Подписывайтесь и будьте в курсе последних новостей и самых "
        "важных событий дня." in text
    )


def test_the_russian_demos_slugs_are_latin_and_its_pages_answer(client, russian):
    load()
    slugs = {
        "article": Article.objects.values_list("slug", flat=True),
        "section": Section.objects.values_list("slug", flat=True),
        "author": Author.objects.values_list("slug", flat=True),
        "tag": Tag.objects.values_list("slug", flat=True),
        "newsletter": Newsletter.objects.values_list("slug", flat=True),
    }
    for kind, values in slugs.items():
        assert values, kind
        for slug in values:
            assert LATIN_SLUG.match(slug), (kind, slug)
    assert Section.objects.get(name="В мире").slug == "v-mire"
    assert Author.objects.get(name="София Брандт").slug == "sofiia-brandt"
    seed = seed_article("ru")
    assert seed.slug.startswith("nemetskaia-pressa-nato-planiruet-napravit-voiska-na-ukrainu")
    assert seed.section.name == "В мире"
    for url in [seed.get_absolute_url(), seed.section.get_absolute_url(), "/pages/about/"]:
        assert client.get(url).status_code == 200, url
