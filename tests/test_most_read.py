"""Views counted by the article page's beacon (in the cache, flushed in batches by a task), the
"Most read" block, and the counts shown on the article page and on the lists' cards."""

import io
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles import counting
from articles.models import Article, ArticleViews
from articles.templatetags.reading import short_number
from articles.workflow import withdraw
from tests.factories import make_article, make_articles, make_comment
from tests.faults.conftest import closed_port
from tests.faults.test_cache import redis_at

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131"
# A moment in the middle of an hour, after the articles made by the fixtures were published, so
# that "the same hour" holds for the whole test.
NOON = (datetime.now(UTC) + timedelta(days=1)).replace(minute=20, second=0, microsecond=0)


def count_url(client, article):
    """The beacon's address, as the article page gives it to its script."""
    page = client.get(article.get_absolute_url())
    return re.search(r'data-count-url="([^"]+)"', page.content.decode())[1]


def send(client, url, article, address="203.0.113.5", agent=BROWSER, referer=None):
    headers = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent}
    if referer is None:
        referer = "http://testserver" + article.get_absolute_url()
    if referer:
        headers["HTTP_REFERER"] = referer
    return client.post(url, **headers)


def flush():
    """The task's work, run as the worker runs it, once the minute is over."""
    return counting.flush(now=time.time() + 120)


def views_of(article):
    return sum(ArticleViews.objects.filter(article=article).values_list("views", flat=True))


def most_read_titles(html):
    block = re.search(r'<aside class="most-read".*?</aside>', html, re.S)
    if block is None:
        return None
    return re.findall(r'<li>\s*<a href="[^"]+">([^<]+)</a>', block[0])


@time_machine.travel(NOON, tick=False)
def test_a_reader_is_counted_once_per_article_per_hour(client, article):
    url = count_url(client, article)
    assert send(client, url, article).status_code == 204
    assert send(client, url, article).status_code == 204
    assert flush() == 1
    assert views_of(article) == 1
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        send(client, url, article)
        send(client, url, article)
        assert flush() == 1
    assert views_of(article) == 2
    rows = ArticleViews.objects.filter(article=article).order_by("hour")
    start = NOON.replace(minute=0)
    assert [row.hour for row in rows] == [start, start + timedelta(hours=1)]


@time_machine.travel(NOON, tick=False)
def test_two_addresses_are_two_views_and_two_articles_count_apart(client):
    first, second = make_article(title="First"), make_article(title="Second")
    first_url, second_url = count_url(client, first), count_url(client, second)
    send(client, first_url, first, address="203.0.113.5")
    send(client, first_url, first, address="198.51.100.7")
    send(client, second_url, second, address="203.0.113.5")
    assert flush() == 3
    assert (views_of(first), views_of(second)) == (2, 1)
    assert flush() == 0  # a minute is added once


@time_machine.travel(NOON, tick=False)
def test_the_beacon_sets_no_cookie_is_never_cached_and_reads_no_database(
    client, article, django_assert_num_queries
):
    other = make_article(title="Other")
    url, other_url = count_url(client, article), count_url(client, other)
    send(client, url, article)  # this minute's flush is scheduled (in-process with locmem)
    with django_assert_num_queries(0):
        response = send(client, other_url, other, address="198.51.100.7")
        again = send(client, url, article, address="192.0.2.1")
    for answer in (response, again):
        assert answer.status_code == 204
        assert not answer.cookies
        assert "no-store" in answer["Cache-Control"]
        assert "Set-Cookie" not in answer
    assert not client.cookies


@time_machine.travel(NOON, tick=False)
def test_no_address_is_kept_in_the_cache_the_database_or_the_log(client, article, caplog):
    address = "203.0.113.77"
    url = count_url(client, article)
    send(client, url, article, address=address)
    flush()
    assert views_of(article) == 1
    backend = cache._cache
    if hasattr(backend, "get_client"):  # Redis: every key and value
        redis = backend.get_client()
        stored = b" ".join(key + b" " + (redis.get(key) or b"") for key in redis.keys("*"))
    else:  # local memory
        stored = b" ".join(key.encode() + b" " + value for key, value in backend.items())
    assert b"views:seen:" in stored  # the test looks where the counter writes
    assert address.encode() not in stored
    assert address.replace(".", "") not in stored.decode(errors="replace")
    dump = io.StringIO()
    call_command("dumpdata", "articles.articleviews", stdout=dump)
    assert "views" in dump.getvalue() and address not in dump.getvalue()
    assert address not in caplog.text


@time_machine.travel(NOON, tick=False)
def test_robots_prefetches_and_requests_from_elsewhere_are_not_counted(client, article):
    url = count_url(client, article)
    send(client, url, article, agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    send(client, url, article, agent="curl/8.5.0", address="192.0.2.2")
    send(client, url, article, agent="", address="192.0.2.3")
    send(client, url, article, referer="", address="192.0.2.4")
    send(client, url, article, referer="https://elsewhere.example/", address="192.0.2.5")
    client.post(url, REMOTE_ADDR="192.0.2.6", HTTP_USER_AGENT=BROWSER, HTTP_SEC_PURPOSE="prefetch")
    assert flush() == 0
    send(client, url, article, address="192.0.2.7")  # a reader's browser
    assert flush() == 1


def test_a_forged_token_is_a_json_404_and_a_get_is_refused(client, article):
    url = count_url(client, article)
    forged = url.replace(f"/{article.pk}:", f"/{article.pk + 1}:")
    response = send(client, forged, article)
    assert response.status_code == 404
    assert response.json() == {"error": "unknown article"}
    assert client.get(url).status_code == 405


@time_machine.travel(NOON, tick=False)
def test_an_article_withdrawn_before_the_flush_is_not_counted(client, article, editor):
    url = count_url(client, article)
    send(client, url, article)
    withdraw(article, by=editor, reason="Legal")
    assert flush() == 0
    assert not ArticleViews.objects.exists()


def test_counting_off_counts_nothing(client, article, settings):
    settings.NEWSROOM_COUNT_VIEWS = False
    url = count_url(client, article)
    assert send(client, url, article).status_code == 204
    assert flush() == 0


def test_a_page_cache_hit_with_counting_on_runs_no_query(
    client, article, django_assert_num_queries
):
    """The benchmark target: "counting views adds no query to a page-cache hit"."""
    first = client.get(article.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = client.get(article.get_absolute_url())
    assert hit["X-Page-Cache"] == "hit"
    assert b"data-count-url=" in hit.content and b"js/views.js" in hit.content


@pytest.mark.django_db(transaction=True)
def test_concurrent_flushes_and_additions_sum_exactly():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (run with DATABASE_URL=postgres://...)")
    articles = [make_article() for _ in range(3)]
    start = time.time() - 10 * 60
    expected = dict.fromkeys(articles, 0)
    for minute in range(8):  # eight finished minutes, each with its own readers
        for reader in range(minute + 3):
            article = articles[(minute + reader) % 3]
            address = f"10.0.{minute}.{reader}"
            assert counting.count(article.pk, address, now=start + minute * 60)
            expected[article] += 1
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    earlier = hour - timedelta(hours=1)
    errors, barrier = [], threading.Barrier(8)

    def work(n):
        try:
            barrier.wait()
            counting.flush()
            # Besides, straight additions to the same rows at once, named in different orders.
            keys = [(article.pk, when) for article in articles for when in (hour, earlier)]
            ArticleViews.add(dict.fromkeys(keys if n % 2 else keys[::-1], n))
        except Exception as error:  # pragma: no cover - shown by the assertion
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    added = 2 * sum(range(1, 9))  # in each of the two hours
    assert {article: views_of(article) for article in articles} == {
        article: counted + added for article, counted in expected.items()
    }


def test_short_numbers():
    assert [short_number(n) for n in (7, 1234, 12_345, 999_999, 1_234_567)] == [
        "7",
        "1,234",
        "12K",
        "999K",
        "1.2M",
    ]


# The "Most read" block.


def read(article, views, hours_ago=0):
    hour = (timezone.now() - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
    ArticleViews.add({(article.pk, hour): views})


def test_most_read_lists_the_last_24_hours_most_first(client, settings):
    settings.NEWSROOM_MOST_READ_COUNT = 3
    a, b, c, d, old = (make_article(title=title) for title in ("A", "B", "C", "D", "Old"))
    read(a, 5)
    read(b, 3, hours_ago=2)
    read(b, 4, hours_ago=20)  # b: 7 in the window
    read(c, 6, hours_ago=23)
    read(d, 1)
    read(old, 100, hours_ago=25)  # outside the window
    home = client.get(reverse("articles:home")).content.decode()
    assert most_read_titles(home) == ["B", "C", "A"]
    page = client.get(a.get_absolute_url()).content.decode()
    assert most_read_titles(page) == ["B", "C", "A"]


def test_no_block_without_views(client, article):
    assert most_read_titles(client.get(reverse("articles:home")).content.decode()) is None
    assert 'class="most-read"' not in client.get(article.get_absolute_url()).content.decode()


def test_a_withdrawn_article_leaves_the_block_on_the_next_request(client, editor):
    kept, gone = make_article(title="Kept"), make_article(title="Gone")
    read(kept, 2)
    read(gone, 9)
    home = reverse("articles:home")
    assert most_read_titles(client.get(home).content.decode()) == ["Gone", "Kept"]
    assert client.get(home)["X-Page-Cache"] == "hit"
    withdraw(Article.objects.get(pk=gone.pk), by=editor, reason="Legal")
    assert most_read_titles(client.get(home).content.decode()) == ["Kept"]
    assert most_read_titles(client.get(kept.get_absolute_url()).content.decode()) == ["Kept"]


def test_the_block_is_kept_for_its_lag_and_no_longer(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    first, second = make_article(title="First"), make_article(title="Second")
    read(first, 2)
    home = reverse("articles:home")
    assert most_read_titles(client.get(home).content.decode()) == ["First"]
    read(second, 5)
    assert most_read_titles(client.get(home).content.decode()) == ["First"]  # kept a while
    settings.NEWSROOM_MOST_READ_SECONDS = 0  # kept no time at all: read afresh every time
    assert most_read_titles(client.get(home).content.decode()) == ["First"]  # the stored one
    cache.clear()
    assert most_read_titles(client.get(home).content.decode()) == ["Second", "First"]
    read(first, 10)
    assert most_read_titles(client.get(home).content.decode()) == ["First", "Second"]


# The counts readers see.


@time_machine.travel(NOON, tick=False)
def test_the_article_page_shows_its_views_next_to_its_comments(client, article):
    make_comment(article)
    url = count_url(client, article)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'class="view-count"' not in page  # no view yet: nothing
    for n in range(3):
        send(client, url, article, address=f"192.0.2.{n}")
    flush()
    cache.clear()  # past the count's lag
    page = client.get(article.get_absolute_url()).content.decode()
    meta = re.search(r'<p class="article__meta">.*?</p>', page, re.S)[0]
    assert 'class="comment-count"' in meta
    assert '<span class="view-count">3 views</span>' in meta


def card_counts(html):
    """{title: comment count shown on its card}."""
    counts = {}
    for card in re.findall(r'<article class="card.*?</article>', html, re.S):
        title = re.search(r'<h2 class="card__title[^"]*"><a href="[^"]+">([^<]+)</a>', card)[1]
        shown = re.search(r'<span class="card__comments">.*?</svg> (\d+)', card, re.S)
        counts[title] = int(shown[1]) if shown else 0
    return counts


def test_cards_show_comment_counts_and_a_new_comment_shows_through_the_cache(
    client, django_assert_num_queries
):
    quiet, talked = make_article(title="Quiet"), make_article(title="Talked about")
    make_comment(talked)
    make_comment(talked)
    home = reverse("articles:home")
    section = quiet.section.get_absolute_url()
    assert card_counts(client.get(home).content.decode()) == {"Talked about": 2, "Quiet": 0}
    assert client.get(section)["X-Page-Cache"] == "miss"
    assert client.get(home)["X-Page-Cache"] == "hit"
    make_comment(quiet)
    # The list's markup stays cached: only the cards' counts are read again (one query).
    with django_assert_num_queries(1):
        response = client.get(home)
    assert response["X-Page-Cache"] == "miss"
    assert card_counts(response.content.decode()) == {"Talked about": 2, "Quiet": 1}
    assert card_counts(client.get(section).content.decode())["Quiet"] == 1


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("page", ["home", "section", "tag", "author", "article"])
@pytest.mark.parametrize("size", [1, 20])
def test_query_counts_hold_with_views_and_comments(client, django_assert_num_queries, page, size):
    from tests.test_queries import urls_for

    articles = make_articles(size, authors=size, tags=size)
    for article in articles:
        make_comment(article)
        read(article, 3)
    url, expected = urls_for(articles)[page]
    with django_assert_num_queries(expected):
        response = client.get(url)
    html = response.content.decode()
    if page == "article":
        assert 'class="view-count"' in html
    else:
        assert set(card_counts(html).values()) == {1}
    if page in ("home", "article"):
        assert len(most_read_titles(html)) == min(size, 5)
    with django_assert_num_queries(0 if page != "author" else 1):
        client.get(url)


def test_pages_work_and_the_beacon_answers_while_redis_is_down(client, article):
    with override_settings(CACHES=redis_at(closed_port())):
        reader = Client()
        page = reader.get(article.get_absolute_url())
        assert page.status_code == 200
        url = re.search(r'data-count-url="([^"]+)"', page.content.decode())[1]
        assert send(reader, url, article).status_code == 204
        assert reader.get(reverse("articles:home")).status_code == 200
        assert counting.flush(now=time.time() + 120) == 0
    assert not ArticleViews.objects.exists()


@pytest.mark.django_db(transaction=True)  # the worker closes the database connection it used
@time_machine.travel(NOON, tick=False)
def test_the_first_view_of_a_minute_queues_one_flush_that_the_worker_runs_after_it(client):
    from django_tasks_db.models import DBTaskResult

    from tests.worker import run_worker

    if not counting.shared_cache():
        pytest.skip("the worker shares counts only through Redis (run with REDIS_URL=...)")
    first, second = make_article(title="First"), make_article(title="Second")
    first_url, second_url = count_url(client, first), count_url(client, second)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        send(client, first_url, first, address="203.0.113.5")
        send(client, first_url, first, address="198.51.100.7")
        send(client, second_url, second, address="203.0.113.5")
        queued = DBTaskResult.objects.get()  # one for the minute, whatever was counted in it
        assert queued.task_path == "articles.counting.flush_views"
        assert queued.run_after == NOON.replace(second=0) + timedelta(seconds=65)
        run_worker()
        assert not ArticleViews.objects.exists()  # not due before the minute is over
        with time_machine.travel(NOON + timedelta(seconds=70), tick=False):
            run_worker()
    assert (views_of(first), views_of(second)) == (2, 1)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # no proxy named: the peer
        (["10.0.0.0/24"], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not from the proxy
        (["10.0.0.5"], "10.0.0.5", "198.51.100.1", "198.51.100.1"),
        (["10.0.0.5"], "10.0.0.5", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # forged left part
        (["10.0.0.0/24"], "10.0.0.5", "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two proxies
        (["10.0.0.5"], "10.0.0.5", "", "10.0.0.5"),
        (["10.0.0.5"], "10.0.0.5", "not-an-address", "10.0.0.5"),
        (["*"], "10.9.9.9", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # any router: last hop
    ],
)
def test_the_client_address_behind_a_named_proxy(settings, trusted, peer, forwarded, expected):
    from django.test import RequestFactory

    from newsroom.clients import client_address

    settings.NEWSROOM_TRUSTED_PROXIES = trusted
    request = RequestFactory().post("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@time_machine.travel(NOON, tick=False)
def test_readers_behind_one_proxy_count_apart_and_a_forged_header_counts_once(
    client, article, settings
):
    settings.NEWSROOM_TRUSTED_PROXIES = ["10.0.0.5"]
    url = count_url(client, article)
    for reader in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
        client.post(
            url,
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR=reader,
            HTTP_USER_AGENT=BROWSER,
            HTTP_REFERER="http://testserver/",
        )
    for forged in ("1.1.1.1", "2.2.2.2"):  # straight to the app, not through the proxy
        client.post(
            url,
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=forged,
            HTTP_USER_AGENT=BROWSER,
            HTTP_REFERER="http://testserver/",
        )
    assert flush() == 3


def test_editors_read_the_hourly_counts_in_the_admin_and_nobody_edits_them(client, editor, article):
    read(article, 7)
    client.force_login(editor)
    listing = client.get(reverse("admin:articles_articleviews_changelist"))
    assert listing.status_code == 200
    assert article.title in listing.content.decode()
    assert client.get(reverse("admin:articles_articleviews_add")).status_code == 403
    row = ArticleViews.objects.get()
    change = client.post(reverse("admin:articles_articleviews_change", args=[row.pk]), {"views": 1})
    assert change.status_code in (200, 403)
    row.refresh_from_db()
    assert row.views == 7


def test_with_the_local_memory_cache_the_app_server_flushes_the_last_minutes_itself(article):
    """`make run`: the worker has a cache of its own and could not see the counts."""
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem), time_machine.travel(NOON, tick=False):
        reader = Client()
        url = count_url(reader, article)
        send(reader, url, article, address="203.0.113.5")
        send(reader, url, article, address="198.51.100.7")
        assert not ArticleViews.objects.exists()
        with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
            send(reader, url, article, address="192.0.2.1")  # the first view of a new minute
        assert views_of(article) == 2  # the minute before; this one waits for the next


def test_search_results_show_comment_counts(client):
    make_article(title="Glaciers retreat")
    talked = make_article(title="Glaciers advance")
    make_comment(talked)
    html = client.get(reverse("articles:search"), {"q": "glaciers"}).content.decode()
    shown = {}
    for result in html.split('<li class="search-result">')[1:]:
        title = re.search(r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', result)[1]
        count = re.search(r'<span class="card__comments">.*?</svg> (\d+)', result, re.S)
        shown[title] = int(count[1]) if count else 0
    assert shown == {"Glaciers retreat": 0, "Glaciers advance": 1}


def test_a_preview_sends_no_beacon(client, editor, article):
    client.force_login(editor)
    preview = client.get(reverse("articles:preview", args=[article.pk]))
    assert preview.status_code == 200
    assert b"data-count-url" not in preview.content
    assert b"data-count-url" in Client().get(article.get_absolute_url()).content
