"""Ordinary faults: the database or the cache goes away. Readers get a clear answer."""

import copy
import logging
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test import override_settings
from django.urls import reverse

from comments.models import Comment
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


def test_healthz_turns_unhealthy_and_healthy_again(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}
    with database_unreachable():
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


REDIS_DOWN = {
    "default": {
        "BACKEND": "newsroom.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_the_site_serves_from_the_database_when_redis_is_down(client):
    article = make_article(title="Still readable")
    with override_settings(CACHES=REDIS_DOWN):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Still readable" in response.content.decode()
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "cache": "unavailable"}


def test_the_resilient_cache_works_normally_when_redis_is_up():
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.2).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379 on this machine")
    from django.core.cache import caches

    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "newsroom.cache.ResilientRedisCache",
                "LOCATION": "redis://127.0.0.1:6379/15",
            }
        }
    ):
        cache = caches["default"]
        cache.set("newsroom-test", "value", 5)
        assert cache.get("newsroom-test") == "value"
        cache.set("newsroom-counter", 0, 5)
        assert cache.incr("newsroom-counter") == 1
        cache.delete_many(["newsroom-test", "newsroom-counter"])
        assert cache.get("newsroom-test") is None


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


def test_readers_sign_in_and_comment_while_redis_is_down(client):
    """Rate limits and the double-click guard live in the cache; without it they let requests
    through (the database's unique key still stops a double post) rather than refuse everyone."""
    article = make_article()
    make_reader("anna")
    with override_settings(CACHES=REDIS_DOWN):
        response = client.post(
            reverse("account_login"), {"login": "anna@example.com", "password": "pw-12345678"}
        )
        assert response.status_code == 302
        assert "_auth_user_id" in client.session
        key = "0b8f7c3e-5d1a-4f6b-8e2c-9a7d3b1c4e5f"
        url = reverse("comments:create", args=[article.pk])
        for _ in range(2):  # a double click: one comment
            response = client.post(url, {"body": "Still here", "submission_key": key})
            assert response.status_code == 302
    assert Comment.objects.get().body == "Still here"


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
