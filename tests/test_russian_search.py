"""Search in the site's language (issue 15, point 4): PostgreSQL's `russian` configuration for a
Russian site, the Snowball stemmer on SQLite, and `manage.py rebuild_search_index` for a change
of language."""

import time
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles.models import Article
from articles.search import word_pattern
from tests.factories import make_article
from tests.test_invalidation import cached, fetch, page_cache  # noqa: F401 (a fixture)
from tests.test_settings import run

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's text-search configurations"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the fallback of databases without full text"
)


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"
    settings.NEWSROOM_SEARCH_CONFIG = "russian"


def search_url(query):
    return f"{reverse('articles:search')}?{urlencode({'q': query})}"


def found(query, client=None):
    response = (client or Client()).get(reverse("articles:search"), {"q": query})
    assert response.status_code == 200
    return [article.title for article in response.context["page_obj"] or []]


@pytest.mark.parametrize(
    "language, configuration",
    [({}, "english"), ({"DJANGO_LANGUAGE_CODE": "ru"}, "russian")]
    + [({"DJANGO_LANGUAGE_CODE": "ru", "NEWSROOM_SEARCH_CONFIG": "simple"}, "simple")]
    + [({"DJANGO_LANGUAGE_CODE": "ja"}, "simple"), ({"DJANGO_LANGUAGE_CODE": "de-at"}, "german")],
)
def test_the_search_configuration_follows_the_site_language_unless_set(language, configuration):
    env = {"NEWSROOM_SEARCH_CONFIG": ""} | language
    result = run(
        ["manage.py", "shell", "-c", "from django.conf import settings as s; "
         "print(s.LANGUAGE_CODE, s.NEWSROOM_SEARCH_CONFIG)"],
        env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split()[1] == configuration


@postgres_only
@pytest.mark.parametrize("query", ["Медузы", "медузе", "МЕДУЗОЙ", "Медуза"])
def test_on_a_russian_site_any_case_form_finds_the_article(russian, no_page_cache, query):
    article = make_article(
        title="Расследование издания",
        lead="Журналисты опубликовали новые документы.",
        body="<p>Об этом сообщила Медуза.</p>",
    )
    make_article(title="Погода в Москве", lead="Ожидается снег.", body="<p>Мороз.</p>")
    assert found(query) == [article.title]


@postgres_only
def test_russian_ranking_keeps_the_title_above_the_body(russian, no_page_cache):
    from datetime import timedelta

    from django.utils import timezone

    in_body = make_article(
        title="Итоги саммита",
        lead="Лидеры встретились в понедельник.",
        body="<p>Они обсудили перемирие и другие вопросы.</p>",
        published_at=timezone.now() - timedelta(minutes=1),
    )
    in_title = make_article(
        title="Объявлено перемирие",
        lead="Лидеры встретились во вторник.",
        body="<p>Стороны согласились.</p>",
        published_at=timezone.now() - timedelta(days=3),
    )
    assert found("перемирия") == [in_title.title, in_body.title]


@postgres_only
def test_english_sites_still_stem_english_and_rank_the_same(no_page_cache):
    """The default configuration is what it was: English stems, title above body."""
    in_body = make_article(title="Summit report", body="<p>A ceasefire was discussed.</p>")
    in_title = make_article(title="Ceasefires declared", body="<p>Both sides agreed.</p>")
    assert found("ceasefire") == [in_title.title, in_body.title]
    # English stemming does not know Russian endings.
    make_article(title="Медуза")
    assert found("Медузы") == []


@postgres_only
def test_rebuilding_the_index_after_a_change_of_language(settings, page_cache):  # noqa: F811
    article = make_article(title="Медуза", body="<p>Новости издания Медуза.</p>")
    url = search_url("Медузы")
    # The English index knows no Russian forms.
    assert article.get_absolute_url() not in cached(url)
    settings.LANGUAGE_CODE, settings.NEWSROOM_SEARCH_CONFIG = "ru", "russian"
    out = StringIO()
    call_command("rebuild_search_index", "--batch-size", "1", stdout=out)
    total = Article.objects.count()
    assert f"Rebuilding the search index of {total} articles in 'russian'." in out.getvalue()
    assert f"{total}/{total}" in out.getvalue()
    assert f"Search index rebuilt: {total} articles." in out.getvalue()
    # The next reader sees the rebuilt index through the page cache.
    state, text = fetch(url)
    assert state != "hit"
    assert article.get_absolute_url() in text
    # Idempotent: a second run leaves the same documents.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, search_vector::text FROM articles_article ORDER BY id")
        before = cursor.fetchall()
        call_command("rebuild_search_index", stdout=StringIO())
        cursor.execute("SELECT id, search_vector::text FROM articles_article ORDER BY id")
        assert cursor.fetchall() == before
    assert "'медуз':1A" in dict(before)[article.pk]


@postgres_only
def test_rebuilding_refuses_an_unknown_configuration(settings):
    settings.NEWSROOM_SEARCH_CONFIG = "klingon"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no text-search configuration 'klingon'"):
        call_command("rebuild_search_index", stdout=StringIO())


@sqlite_only
def test_rebuilding_on_sqlite_says_there_is_nothing_to_do():
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Nothing to rebuild" in out.getvalue()


@sqlite_only
@pytest.mark.parametrize("query", ["Медузы", "медузе", "МЕДУЗОЙ", "медуза"])
def test_sqlite_stems_russian_and_folds_cyrillic_case(russian, no_page_cache, query):
    article = make_article(title="Расследование", body="<p>Об этом сообщила Медуза.</p>")
    make_article(title="Погода", body="<p>Медведи проснулись.</p>")
    assert found(query) == [article.title]


@sqlite_only
def test_sqlite_russian_stems_exclude_and_tags_too(russian, no_page_cache):
    kept = make_article(title="Выборы в Думу", tags=["Медуза"])
    make_article(title="Выборы в Думу и Кремль")
    assert found("медузы") == [kept.title]
    assert found("выборов -кремля") == [kept.title]


@sqlite_only
def test_sqlite_english_stems_and_keeps_finding_what_it_found(no_page_cache):
    plural = make_article(title="Glaciers retreat")
    singular = make_article(title="A glacier grows")
    make_article(title="Deserts")
    assert sorted(found("glaciers")) == sorted([plural.title, singular.title])
    # As before, the word as typed is found inside longer words, in any case.
    assert found("ERTS") == ["Deserts"]


@sqlite_only
def test_sqlite_excerpt_marks_the_whole_word_of_another_form(russian, no_page_cache):
    make_article(title="Новость", lead="Сообщает Медуза и другие.", body="<p>Текст.</p>")
    text = Client().get(reverse("articles:search"), {"q": "Медузы"}).content.decode()
    assert "<mark>Медуза</mark>" in text


def test_word_patterns_are_literals_of_the_word_and_its_stem(russian):
    assert word_pattern("Медузы") == r"Медузы|\bмедуз"
    assert word_pattern("a.b*") == r"a\.b\*"
    assert word_pattern("частная военная") == r"частная\ военная"


@sqlite_only
def test_sqlite_search_is_fixed_queries_and_linear_in_the_text(
    russian, no_page_cache, django_assert_num_queries
):
    counts, times = [], []
    for size in (2_000, 8_000, 32_000):
        Article.objects.all().delete()
        words = " ".join(["газета журналистов сообщила"] * size)
        for i in range(5):
            make_article(title=f"Статья {size} {i}", body=f"<p>{words} Медуза.</p>")
        client = Client()
        client.get(reverse("articles:search"), {"q": "медузы журналисты"})  # warm
        started = time.perf_counter()
        from django.db import connection as conn
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(conn) as queries:
            assert len(found("медузы журналисты", client)) == 5
        times.append(time.perf_counter() - started)
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    # 16 times the text: well under quadratic (256x); generous for a shared machine.
    assert times[2] < times[0] * 16 * 3, times
