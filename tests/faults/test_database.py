"""Database drills: the database goes away, a table stays locked, every connection is taken.
Readers get a fast 503, writers their text back, the log one line, and /healthz the truth."""

import copy
import logging
import sqlite3
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from newsroom.middleware import is_database_unavailable
from tests.factories import make_article, make_comment, make_reader

pytestmark = pytest.mark.django_db


@contextmanager
def database_unreachable():
    """Point the default connection at a database that is not there (a closed port on
    PostgreSQL, a folder that does not exist on SQLite); restore it afterwards."""
    original = connections["default"]
    broken_settings = copy.deepcopy(original.settings_dict)
    if original.vendor == "postgresql":
        broken_settings.update(HOST="127.0.0.1", PORT="1")
    else:
        broken_settings["NAME"] = "/nonexistent-folder/newsroom.sqlite3"
    broken = original.__class__(broken_settings, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original


def test_readers_get_a_503_page_with_retry_after_when_the_database_is_down(client, caplog):
    article = make_article()
    with database_unreachable(), caplog.at_level(logging.INFO):
        for url in [reverse("articles:home"), article.get_absolute_url()]:
            response = client.get(url)
            assert response.status_code == 503
            assert response["Retry-After"] == "30"
            html = response.content.decode()
            assert "Temporarily unavailable" in html
            assert 'class="site-header"' in html
            assert "Traceback" not in html and "OperationalError" not in html
    assert "Traceback" not in caplog.text
    assert "database unavailable: GET /" in caplog.text
    # Per failed request: the fault in one line, and the ordinary request line; nothing else.
    per_logger = [record.name for record in caplog.records]
    assert per_logger.count("newsroom.faults") == 2
    assert per_logger.count("newsroom.request") == 2
    assert "django.request" not in per_logger


HEALTHY = {"status": "ok", "database": "ok", "cache": "ok", "static": "ok", "media": "ok"}


def test_healthz_turns_unhealthy_and_healthy_again(client):
    assert client.get("/healthz").json() == HEALTHY
    with database_unreachable():
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_requests_are_logged_one_line_each_with_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="newsroom.request"):
        client.get("/no-such-page/")
    lines = [r.getMessage() for r in caplog.records if r.name == "newsroom.request"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /no-such-page/ 404 ")
    assert lines[0].endswith("ms")


def test_a_comment_posted_while_the_database_is_down_comes_back_with_its_text(client, caplog):
    """Sessions live in the database (Django's default), so while it is away nobody can be
    recognised as signed in: the reader gets their own text back, never a silent loss."""
    article = make_article()
    client.force_login(make_reader("anna"))
    typed = 'My careful reply <b>with</b> "quotes"\nand a second line.'
    url = reverse("comments:create", args=[article.pk])
    key = "3f2a6c1e-8f43-4a52-9a5e-2b1c0d9e7f61"
    with database_unreachable(), caplog.at_level(logging.INFO):
        response = client.post(url, {"body": typed, "submission_key": key, "parent": "7"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Your comment has not been saved" in html
    assert "My careful reply &lt;b&gt;with&lt;/b&gt; &quot;quotes&quot;\nand a second line." in html
    assert f'action="{url}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="parent" value="7"' in html
    assert f'name="submission_key" value="{key}"' in html
    assert "Traceback" not in caplog.text
    assert f"database unavailable, comment returned: POST {url}" in caplog.text

    # Posted again from that page once the database is back, it is saved.
    client.post(url, {"body": typed, "submission_key": key})
    assert Comment.objects.get().body == typed


def test_an_edit_sent_while_the_database_is_down_comes_back_with_its_text(client):
    reader = make_reader("anna")
    comment = make_comment(make_article(), reader)
    client.force_login(reader)
    with database_unreachable():
        response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "Fixed it"})
    assert response.status_code == 503
    assert ">Fixed it</textarea>" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "A fair point."


@pytest.mark.parametrize(
    "referer, back",
    [("http://testserver/article/1/x/", "http://testserver/article/1/x/"),
     ("https://evil.example/phish", "/")],
)  # fmt: skip
def test_the_kept_comment_page_links_back_only_to_this_site(client, referer, back):
    article = make_article()
    with database_unreachable():
        response = client.post(
            reverse("comments:create", args=[article.pk]), {"body": "Hi"}, HTTP_REFERER=referer
        )
    assert response.status_code == 503
    assert f'<a href="{back}">' in response.content.decode()


@pytest.fixture
def reader_client():
    """A client that answers as production does: an exception the site does not handle is the
    500 page, not an exception raised in the test."""
    return Client(raise_request_exception=False)


@contextmanager
def table_locked(table, *, released_after=10):
    """A second PostgreSQL connection holds ACCESS EXCLUSIVE on `table`, as a migration that
    rewrites it would, until the block ends (or `released_after` seconds, so that a site that
    would wait forever fails this drill instead of hanging it)."""
    locker = raw_connection(autocommit=False)
    locker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
    release = threading.Timer(released_after, locker.rollback)
    release.start()
    try:
        yield
    finally:
        release.cancel()
        locker.close()


def raw_connection(**options):
    """A psycopg connection of our own, with the default connection's current settings."""
    params = connections["default"].get_connection_params()
    keys = ("dbname", "user", "password", "host", "port", "options", "connect_timeout")
    return psycopg.connect(**{key: params[key] for key in keys if key in params}, **options)


def timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def test_the_database_connection_carries_the_statement_and_lock_timeouts(postgresql_only):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
    assert statement_timeout == f"{settings.DATABASE_STATEMENT_TIMEOUT_MS}ms".replace("000ms", "s")
    assert lock_timeout == f"{settings.DATABASE_LOCK_TIMEOUT_MS}ms".replace("000ms", "s")


def test_a_locked_table_answers_a_fast_503_and_healthz_names_the_database(
    postgresql_only, transactional_db, reader_client, caplog
):
    article = make_article()
    with table_locked("articles_article"), caplog.at_level(logging.INFO):
        response, seconds = timed(reader_client.get, article.get_absolute_url())
        health, health_seconds = timed(reader_client.get, "/healthz")
    lock_wait = settings.DATABASE_LOCK_TIMEOUT_MS / 1000
    assert response.status_code == 503, f"answered {response.status_code} in {seconds:.1f} s"
    # Twice: the page cache asks for the next scheduled article, then lets the view answer.
    assert seconds < 2 * lock_wait + 1, f"answered {response.status_code} in {seconds:.1f} s"
    assert "Temporarily unavailable" in response.content.decode()
    assert health.status_code == 503, f"healthz {health.status_code}: {health.content}"
    assert health_seconds < lock_wait + 1
    assert health.json()["database"] == "unavailable"
    faults = [r.getMessage() for r in caplog.records if r.name == "newsroom.faults"]
    assert faults[0].startswith("database unavailable: GET /")
    assert "lock timeout" in faults[0]
    assert "Traceback" not in caplog.text
    # Once the lock is gone the page is back.
    assert reader_client.get(article.get_absolute_url()).status_code == 200


def test_a_statement_cancelled_by_the_statement_timeout_is_the_503_page(
    postgresql_only, reader_client, settings, caplog
):
    settings.ROOT_URLCONF = "tests.faults.slow_urls"
    with connection.cursor() as cursor:  # the test's transaction ends it with the test
        cursor.execute("SET statement_timeout = '300ms'")
    with caplog.at_level(logging.INFO):
        response, seconds = timed(reader_client.get, "/slow/")
    assert response.status_code == 503, f"answered {response.status_code} in {seconds:.1f} s"
    assert seconds < 2
    assert "canceling statement due to statement timeout" in caplog.text


LIMITED_ROLE = "newsroom_faults_drill"


@contextmanager
def role_with_connection_limit(limit):
    """A login role that may hold `limit` connections (superusers have no such limit), allowed
    to read the test database; dropped afterwards."""
    database = connections["default"].settings_dict["NAME"]
    admin = raw_connection(autocommit=True)
    if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [LIMITED_ROLE]).fetchone():
        admin.execute(f"DROP OWNED BY {LIMITED_ROLE}")  # left by an interrupted run
        admin.execute(f"DROP ROLE {LIMITED_ROLE}")
    admin.execute(f"CREATE ROLE {LIMITED_ROLE} LOGIN CONNECTION LIMIT {limit}")
    admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {LIMITED_ROLE}')
    admin.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {LIMITED_ROLE}")
    try:
        yield LIMITED_ROLE
    finally:
        admin.execute(f"DROP OWNED BY {LIMITED_ROLE}")
        admin.execute(f"DROP ROLE {LIMITED_ROLE}")
        admin.close()


@contextmanager
def connected_as(role):
    """The site's default connection, signed in as `role` (like a worker whose connection was
    opened earlier and kept: CONN_MAX_AGE)."""
    original = connections["default"]
    limited = original.copy()
    limited.settings_dict["USER"] = role
    limited.ensure_connection()
    connections["default"] = limited
    try:
        yield
    finally:
        limited.close()
        connections["default"] = original


def test_with_every_connection_taken_healthz_says_so_and_new_workers_answer_a_fast_503(
    postgresql_only, transactional_db, reader_client, caplog
):
    article = make_article()
    with role_with_connection_limit(2) as role, connected_as(role):
        held = [raw_connection()]  # with the site's own: every connection the role may have
        try:
            with caplog.at_level(logging.INFO):
                health, seconds = timed(reader_client.get, "/healthz")
                assert health.status_code == 503, f"healthz {health.status_code}: {health.content}"
                assert seconds < 2
                assert health.json()["database"] == "unavailable"
                assert "too many connections" in caplog.text
                # A worker that has no connection yet cannot open one: a fast 503.
                connections["default"].close()
                held.append(raw_connection())  # someone else takes the freed one
                response, seconds = timed(reader_client.get, article.get_absolute_url())
            assert response.status_code == 503, f"answered {response.status_code}"
            assert seconds < 2
        finally:
            for conn in held:
                conn.close()


def test_sqlite_waits_for_another_writer_only_its_busy_timeout_then_answers_503(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only drill: PostgreSQL's lock_timeout has its own")
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE story (title TEXT)")
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
    blocked_settings = copy.deepcopy(connections["default"].settings_dict) | {"NAME": str(path)}
    blocked = connections["default"].__class__(blocked_settings, alias="blocked")
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError) as raised, blocked.cursor() as cursor:
            cursor.execute("INSERT INTO story VALUES ('waiting')")
    finally:
        blocked.close()
        holder.close()
    seconds = time.monotonic() - started
    busy_timeout = settings.DATABASE_LOCK_TIMEOUT_MS / 1000
    assert busy_timeout - 0.2 < seconds < busy_timeout + 1, f"waited {seconds:.1f} s"
    assert "database is locked" in str(raised.value)
    assert is_database_unavailable(raised.value)  # so readers get the 503 page


def test_a_signed_in_reader_gets_the_503_page_everywhere_while_the_database_is_down(
    reader_client, caplog
):
    """Outside a view too: a missing page's 404 handler and the feeds meet the database in
    code that process_exception never sees; handler500 turns them into the same 503."""
    article = make_article()
    reader_client.force_login(make_reader("anna"))
    urls = ["/", article.get_absolute_url(), "/feeds/", "/no-such-page/", "/media/none.jpg"]
    with database_unreachable(), caplog.at_level(logging.INFO):
        answers = {url: reader_client.get(url).status_code for url in urls}
    assert answers == dict.fromkeys(urls, 503)
    faults = [r.getMessage() for r in caplog.records if r.name == "newsroom.faults"]
    assert len(faults) == len(urls)
    assert "Traceback" not in caplog.text
