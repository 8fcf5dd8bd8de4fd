"""The read API at /api/v1/: shapes as its OpenAPI schema says, only public content, the page
cache's ETags, keys and limits, JSON errors, and query counts that do not grow."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.contrib import admin
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.utils import timezone
from openapi_schema_validator import OAS31Validator

from api.admin import ApiKeyAdmin
from api.models import ApiKey, hash_key
from articles.models import Correction
from articles.search import MAX_QUERY_LENGTH
from comments.models import Comment, set_status
from tests.factories import (
    make_article,
    make_author,
    make_comment,
    make_draft,
    make_image,
    make_label,
    make_notice,
    make_reader,
    make_section,
    make_user,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def spec(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def conforms(spec, path, response, method="get"):
    """`response`'s JSON is what the schema says `path` answers with that status."""
    operation = spec["paths"][path][method]
    declared = operation["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": spec["components"]}).validate(response.json())
    return response.json()


def make_key(name="Partner", **fields):
    key = ApiKey(name=name, **fields)
    raw = key.issue()
    key.save()
    return key, raw


# Shapes, against the schema.


def test_the_schema_is_openapi_3_and_lists_every_endpoint(spec):
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {
        f"{API}/{path}"
        for path in [
            "articles",
            "articles/{article_id}",
            "articles/{article_id}/comments",
            "search",
            "sections",
            "sections/{slug}",
            "tags",
            "tags/{slug}",
            "authors",
            "authors/{slug}",
            "pages",
            "pages/{page_id}",
            "notices",
        ]
    }
    assert "ApiKey" in spec["components"]["securitySchemes"]


def test_every_endpoint_answers_in_the_shape_of_the_schema(client, spec):
    section = make_section(description="World news.")
    author = make_author(bio="Writes on defence.")
    image = make_image(caption="Leaders", credit="NATO website", credit_url="https://nato.int/")
    article = make_article(
        section=section,
        authors=[author],
        tags=["NATO"],
        image=image,
        source_name="Focus",
        source_url="https://focus.example/",
    )
    Correction.objects.create(article=article, text="A corrected figure.")
    reply_to = make_comment(article, body="First!")
    make_comment(article, body="A reply.", parent=reply_to)
    page = FlatPage.objects.create(url="/about/", title="About us", content="<p>Who we are.</p>")
    page.sites.add(Site.objects.get_current())
    make_notice(placement="article_end", scope="sections", sections=[section])
    make_label("Facebook")

    checks = {
        f"{API}/articles": f"{API}/articles",
        f"{API}/articles/{{article_id}}": f"{API}/articles/{article.pk}",
        f"{API}/articles/{{article_id}}/comments": f"{API}/articles/{article.pk}/comments",
        f"{API}/search": f"{API}/search?q=article",
        f"{API}/sections": f"{API}/sections",
        f"{API}/sections/{{slug}}": f"{API}/sections/{section.slug}",
        f"{API}/tags": f"{API}/tags",
        f"{API}/tags/{{slug}}": f"{API}/tags/nato",
        f"{API}/authors": f"{API}/authors",
        f"{API}/authors/{{slug}}": f"{API}/authors/{author.slug}",
        f"{API}/pages": f"{API}/pages",
        f"{API}/pages/{{page_id}}": f"{API}/pages/{page.pk}",
        f"{API}/notices": f"{API}/notices",
    }
    assert set(checks) == set(spec["paths"])
    for path, address in checks.items():
        response = client.get(address)
        assert response.status_code == 200, address
        assert response["Content-Type"].startswith("application/json")
        data = conforms(spec, path, response)
        assert data, address

    detail = client.get(f"{API}/articles/{article.pk}").json()
    assert detail["section"]["name"] == section.name
    assert detail["authors"][0]["name"] == author.name
    assert detail["tags"] == [
        {"name": "NATO", "slug": "nato", "url": "http://testserver/tag/nato/"}
    ]
    assert detail["image"]["credit"] == "NATO website"
    assert detail["image"]["renditions"][0]["webp_url"].startswith("http://testserver/")
    assert detail["corrections"][0]["text"] == "A corrected figure."
    assert detail["comment_count"] == 2
    assert detail["url"] == f"http://testserver{article.get_absolute_url()}"
    assert detail["source"] == {"name": "Focus", "url": "https://focus.example/"}


def test_error_answers_are_in_the_schema_too(client, spec):
    draft = make_draft()
    conforms(spec, f"{API}/articles/{{article_id}}", client.get(f"{API}/articles/{draft.pk}"))
    conforms(spec, f"{API}/articles", client.get(f"{API}/articles?limit=0"))


def test_the_body_is_the_one_readers_see_labelled(client):
    make_label("Facebook")
    article = make_article(body="<p>Posted on Facebook yesterday.</p>")
    body = client.get(f"{API}/articles/{article.pk}").json()["body_html"]
    assert "Facebook" in body and "banned in Russia" in body
    page = client.get(article.get_absolute_url()).content.decode()
    assert body in page


# Only public content.


def test_drafts_scheduled_and_withdrawn_articles_never_appear(client):
    public = make_article(tags=["shared"])
    draft = make_draft(tags=["secret-draft-tag"])
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=1), title="Soon")
    in_review = make_article(status="review", published_at=None)
    withdrawn = make_article(status="withdrawn", withdrawal_reason="Legal request")

    listed = [a["id"] for a in client.get(f"{API}/articles").json()["results"]]
    assert listed == [public.pk]
    found = client.get(f"{API}/search?q=article").json()["results"]
    assert [a["id"] for a in found] == [public.pk]
    assert [t["slug"] for t in client.get(f"{API}/tags").json()["results"]] == ["shared"]
    assert client.get(f"{API}/tags/secret-draft-tag").status_code == 404
    for hidden in (draft, scheduled, in_review):
        assert client.get(f"{API}/articles/{hidden.pk}").status_code == 404
        assert client.get(f"{API}/articles/{hidden.pk}/comments").status_code == 404
    gone = client.get(f"{API}/articles/{withdrawn.pk}")
    assert gone.status_code == 410
    assert gone.json()["error"]["reason"] == "Legal request"


def test_a_scheduled_article_appears_on_time_in_the_cached_list(client):
    due = timezone.now() + timedelta(minutes=5)
    scheduled = make_article(published_at=due)
    assert client.get(f"{API}/articles").json()["results"] == []
    assert client.get(f"{API}/articles")["X-Page-Cache"] == "hit"
    with time_machine.travel(due + timedelta(seconds=1)):
        listed = client.get(f"{API}/articles").json()["results"]
        assert [a["id"] for a in listed] == [scheduled.pk]
        assert client.get(f"{API}/articles/{scheduled.pk}").status_code == 200


def test_notices_name_only_public_articles(client):
    public, draft = make_article(), make_draft()
    make_notice(scope="articles", articles=[public, draft])
    (notice,) = client.get(f"{API}/notices").json()
    assert notice["article_ids"] == [public.pk]


def test_comments_show_nothing_private_about_readers(client):
    article = make_article()
    reader = make_reader("secret-login", display_name="Anna", email="anna@example.com")
    make_comment(article, reader, body="Visible.")
    held = make_comment(article, body="Held.")
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.HELD)
    response = client.get(f"{API}/articles/{article.pk}/comments")
    text = response.content.decode()
    assert "secret-login" not in text and "anna@example.com" not in text
    (comment,) = response.json()["results"]
    assert comment["author"] == "Anna" and comment["text"] == "Visible."
    assert set(comment) == {"id", "parent_id", "author", "created_at", "edited_at", "text",
                            "body_html"}  # fmt: skip


# Filters, cursors, fields.


def test_filters_by_section_tag_author_and_dates(client):
    section, author = make_section(), make_author()
    now = timezone.now()
    old = make_article(published_at=now - timedelta(days=10))
    in_section = make_article(section=section, published_at=now - timedelta(days=3))
    tagged = make_article(tags=["nato"], published_at=now - timedelta(days=2))
    by_author = make_article(authors=[author], published_at=now - timedelta(days=1))

    def ids(query):
        response = client.get(f"{API}/articles?{query}")
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["results"]]

    assert ids(f"section={section.slug}") == [in_section.pk]
    assert ids("tag=nato") == [tagged.pk]
    assert ids(f"author={author.slug}") == [by_author.pk]
    since = (now - timedelta(days=5)).date().isoformat()
    assert ids(f"published_after={since}") == [by_author.pk, tagged.pk, in_section.pk]
    before = (now - timedelta(days=2, hours=12)).isoformat().replace("+00:00", "Z")
    assert ids(f"published_before={before}") == [in_section.pk, old.pk]
    assert ids("section=no-such-section") == []


def walk(client, address):
    seen = []
    while address:
        data = client.get(address).json()
        seen += [a["id"] for a in data["results"]]
        address = data["next"]
    return seen


def test_the_cursor_walks_every_article_once_while_new_ones_are_published(client):
    articles = [make_article() for _ in range(7)]
    expected = [a.pk for a in sorted(articles, key=lambda a: a.published_at, reverse=True)]
    first = client.get(f"{API}/articles?limit=3").json()
    seen = [a["id"] for a in first["results"]]
    make_article(published_at=timezone.now())  # published meanwhile: at the top, not in between
    seen += walk(client, first["next"])
    assert seen == expected
    assert parse_qs(urlparse(first["next"]).query)["limit"] == ["3"]


def test_articles_at_the_same_second_are_split_by_id_not_lost(client):
    moment = timezone.now() - timedelta(hours=1)
    articles = [make_article(published_at=moment) for _ in range(5)]
    assert sorted(walk(client, f"{API}/articles?limit=2")) == sorted(a.pk for a in articles)


def test_fields_choose_what_each_article_carries(client):
    article = make_article()
    listed = client.get(f"{API}/articles?fields=id,title").json()["results"]
    assert listed == [{"id": article.pk, "title": article.title}]
    detail = client.get(f"{API}/articles/{article.pk}?fields=body_html").json()
    assert detail == {"body_html": f"<p>The body of article {article.slug[8:]}.</p>"}


def test_comments_are_paged_oldest_first(client):
    article = make_article()
    comments = [make_comment(article, body=f"Comment {n}") for n in range(5)]
    seen = []
    address = f"{API}/articles/{article.pk}/comments?limit=2"
    while address:
        data = client.get(address).json()
        seen += [c["id"] for c in data["results"]]
        address = data["next"]
    assert seen == [c.pk for c in comments]


# Bad input: a clear 400 (or 404), JSON, never a 500.


BAD = [
    "articles?cursor=garbage",
    "articles?cursor=" + "A" * 5000,
    "articles?cursor=WyJ4IiwxXQ",  # ["x",1]: not a time
    "articles?cursor=WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwtMV0",  # a negative id
    "articles?cursor=WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiw5OTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ",
    "articles?cursor=WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzA1OjAwIiwxXQ",  # before year 1 in UTC
    "articles?limit=-1",
    "articles?limit=0",
    "articles?limit=101",
    "articles?limit=99999999999999999999999999",
    "articles?limit=ten",
    "articles?fields=id,password",
    "articles?fields=body_html",
    "articles?fields=,,,",
    "articles?published_after=yesterday",
    "articles?published_after=0001-01-01T00:00:00%2B05:00",
    "articles?published_before=99999-01-01",
    "articles?published_after=" + "9" * 400,
    "articles?section=" + "x" * 5000,
    "search",
    "search?q=",
    "search?q=%20%20%20",
    "search?q=" + "word " * 1000,
    "search?q=nato&page=0",
    "search?q=nato&page=101",
    "search?q=nato&page=-5",
    "notices?placement=sidebar",
    "tags?cursor=WyIyMDI2LTAxLTAxIiwiMSJd",  # an id that is not a number
]


@pytest.mark.parametrize("query", BAD)
def test_bad_parameters_get_a_json_400(client, query):
    make_article()
    response = client.get(f"{API}/{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "bad_request" and error["message"]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "unknown",
        "articles/999999",
        "articles/99999999999999999999999",
        "articles/-1",
        "articles/abc",
        "sections/nothing-here",
        "authors/nobody",
        "pages/0",
        "",
        "../v2/articles",
    ],
)
def test_unknown_addresses_get_a_json_404(client, path):
    response = client.get(f"{API}/{path}")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


def test_other_methods_get_a_json_405(client):
    article = make_article()
    response = client.post(f"{API}/articles/{article.pk}", {"title": "x"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_nul_in_the_address_is_a_json_400(client):
    response = client.get(f"{API}/articles?section=a%00b")
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


@pytest.mark.parametrize("size", [10, 1000, 100_000])
def test_long_inputs_of_growing_size_never_crash(client, size):
    make_article()
    searched = client.get(f"{API}/search?q={'ü' * size}")
    assert searched.status_code == (200 if size <= MAX_QUERY_LENGTH else 400)
    assert searched.json()
    for query in (f"q=a&fields={'id,x' * size}", f"q=a&page={'9' * size}"):
        response = client.get(f"{API}/search?{query}")
        assert response.status_code == 400, (size, query[:20])
    response = client.get(f"{API}/articles?cursor={'/' * size}")
    assert response.status_code == 400


# Caching: the page cache's headers, ETags and invalidation.


def test_answers_are_cached_with_surrogate_keys_and_answer_304(client):
    article = make_article(tags=["nato"])
    first = client.get(f"{API}/articles/{article.pk}")
    assert first["X-Page-Cache"] == "miss"
    assert "public" in first["Cache-Control"] and "s-maxage=60" in first["Cache-Control"]
    keys = first["Surrogate-Key"].split()
    assert article.cache_key in keys and f"c{article.pk}" in keys
    second = client.get(f"{API}/articles/{article.pk}")
    assert second["X-Page-Cache"] == "hit" and second.content == first.content
    not_modified = client.get(f"{API}/articles/{article.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    listed = client.get(f"{API}/articles")
    assert client.get(f"{API}/articles", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304


def test_different_parameters_are_different_cached_answers(client):
    make_article(tags=["nato"])
    make_article()
    assert len(client.get(f"{API}/articles").json()["results"]) == 2
    assert len(client.get(f"{API}/articles?tag=nato").json()["results"]) == 1
    assert len(client.get(f"{API}/articles?limit=1").json()["results"]) == 1


def test_every_change_shows_on_the_next_request(client):
    article = make_article(authors=[make_author(name="Old Name")])
    client.get(f"{API}/articles/{article.pk}")
    client.get(f"{API}/articles")
    article.title = "A new headline"
    article.save()
    assert client.get(f"{API}/articles/{article.pk}").json()["title"] == "A new headline"
    assert client.get(f"{API}/articles").json()["results"][0]["title"] == "A new headline"
    author = article.authors.get()
    author.name = "New Name"
    author.save()
    assert client.get(f"{API}/articles").json()["results"][0]["authors"][0]["name"] == "New Name"
    make_comment(article)
    assert client.get(f"{API}/articles/{article.pk}").json()["comment_count"] == 1
    assert client.get(f"{API}/articles").json()["results"][0]["comment_count"] == 1


def test_a_comment_on_one_article_leaves_another_cached(client):
    one, other = make_article(), make_article()
    client.get(f"{API}/articles/{other.pk}")
    make_comment(one)
    assert client.get(f"{API}/articles/{other.pk}")["X-Page-Cache"] == "hit"
    assert client.get(f"{API}/articles/{one.pk}/comments").json()["results"]


def test_a_removed_comment_is_gone_on_the_next_request(client):
    article = make_article()
    comment = make_comment(article)
    assert client.get(f"{API}/articles/{article.pk}/comments").json()["results"]
    set_status(Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED)
    assert client.get(f"{API}/articles/{article.pk}/comments").json()["results"] == []
    assert client.get(f"{API}/articles/{article.pk}").json()["comment_count"] == 0


# Query counts.


@pytest.mark.parametrize("size", [1, 30])
def test_the_article_list_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, no_page_cache, size
):
    authors = [make_author() for _ in range(3)]
    for _ in range(size):
        article = make_article(authors=authors, tags=["a", "b", "c"], image=make_image())
        Correction.objects.create(article=article, text="Fixed.")
        make_comment(article)
    # Articles with section and image, authors, tags, corrections, comment counts.
    with django_assert_num_queries(5):
        response = client.get(f"{API}/articles?limit=100")
    assert len(response.json()["results"]) == size
    # Rendered again from its parts: nothing; after a comment on one, only the counts.
    with django_assert_num_queries(0):
        client.get(f"{API}/articles?limit=100")
    make_comment(article)
    with django_assert_num_queries(1):
        response = client.get(f"{API}/articles?limit=100")
    counts = {a["id"]: a["comment_count"] for a in response.json()["results"]}
    assert counts[article.pk] == 2


@pytest.mark.parametrize("size", [0, 20])
def test_the_article_detail_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, no_page_cache, size
):
    article = make_article(
        authors=[make_author() for _ in range(size)],
        tags=[f"tag-{n}" for n in range(size)],
        image=make_image(),
    )
    for n in range(size):
        Correction.objects.create(article=article, text=f"Fix {n}.")
        make_comment(article)
    client.get(f"{API}/notices")  # the notices snapshot, as any earlier page leaves it
    # The row with section and image; authors, tags, corrections; the comment count.
    with django_assert_num_queries(5):
        assert client.get(f"{API}/articles/{article.pk}").status_code == 200
    # Once rendered, the article's JSON and its count are cached parts.
    with django_assert_num_queries(0):
        assert client.get(f"{API}/articles/{article.pk}").status_code == 200
    make_comment(article)
    with django_assert_num_queries(1):  # the count only
        assert client.get(f"{API}/articles/{article.pk}").json()["comment_count"] == size + 1


@pytest.mark.parametrize("size", [1, 40])
def test_comments_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, no_page_cache, size
):
    article = make_article()
    for _ in range(size):
        make_comment(article)
    client.get(f"{API}/notices")
    with django_assert_num_queries(2):  # the article's row, the comments with their profiles
        client.get(f"{API}/articles/{article.pk}/comments?limit=100")


def test_a_cached_answer_runs_no_query_with_or_without_a_key(client, django_assert_num_queries):
    article = make_article()
    _, raw = make_key()
    client.get(f"{API}/articles/{article.pk}", HTTP_X_API_KEY=raw)
    with django_assert_num_queries(0):
        assert client.get(f"{API}/articles/{article.pk}")["X-Page-Cache"] == "hit"
        assert client.get(f"{API}/articles/{article.pk}", HTTP_X_API_KEY=raw).status_code == 200


# Keys and limits.


def test_anonymous_use_is_limited_per_address(client, settings):
    settings.NEWSROOM_API_RATE = 3
    for _ in range(3):
        assert client.get(f"{API}/sections").status_code == 200
    refused = client.get(f"{API}/sections")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    error = refused.json()["error"]
    assert error["code"] == "rate_limited" and error["retry_after"] == int(refused["Retry-After"])
    # Another address has its own allowance.
    assert client.get(f"{API}/sections", REMOTE_ADDR="10.0.0.2").status_code == 200
    # The site's pages are not counted.
    assert client.get("/").status_code == 200


def test_a_key_raises_the_limit_and_has_its_own(client, settings):
    settings.NEWSROOM_API_RATE = 2
    settings.NEWSROOM_API_KEY_RATE = 5
    _, raw = make_key()
    _, own = make_key(rate_per_minute=1)
    for _ in range(5):
        assert client.get(f"{API}/sections", HTTP_X_API_KEY=raw).status_code == 200
    assert client.get(f"{API}/sections", HTTP_X_API_KEY=raw).status_code == 429
    assert client.get(f"{API}/sections", HTTP_AUTHORIZATION=f"Bearer {own}").status_code == 200
    assert client.get(f"{API}/sections", HTTP_AUTHORIZATION=f"Bearer {own}").status_code == 429
    assert client.get(f"{API}/sections").status_code == 200  # the address's own allowance


def test_the_limit_window_ends(client, settings):
    settings.NEWSROOM_API_RATE = 1
    assert client.get(f"{API}/sections").status_code == 200
    assert client.get(f"{API}/sections").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        cache.delete_many(["api:rate:address:127.0.0.1:count", "api:rate:address:127.0.0.1:ends"])
        assert client.get(f"{API}/sections").status_code == 200


@pytest.mark.parametrize(
    "raw", ["nope", "nr_00000000_wrong", "nr_", "Bearer", "x" * 10_000, "nr_ü_ü"]
)
def test_a_wrong_key_is_a_json_401_not_anonymous_use(client, raw):
    make_key()
    response = client.get(f"{API}/sections", HTTP_X_API_KEY=raw)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_revoked_key_stops_working_at_once(client):
    key, raw = make_key()
    assert client.get(f"{API}/sections", HTTP_X_API_KEY=raw).status_code == 200
    ApiKeyAdmin(ApiKey, admin.site).revoke(_admin_request(), ApiKey.objects.filter(pk=key.pk))
    assert client.get(f"{API}/sections", HTTP_X_API_KEY=raw).status_code == 401


def test_a_key_is_stored_only_as_a_hash(client):
    key, raw = make_key()
    key.refresh_from_db()
    assert key.hashed_key == hash_key(raw) and raw not in key.hashed_key
    assert raw.startswith(f"nr_{key.lookup}_") and len(raw) > 40


def test_last_used_is_written_at_most_once_a_minute(client, django_assert_num_queries):
    key, raw = make_key()
    client.get(f"{API}/sections", HTTP_X_API_KEY=raw)
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    # Served from the page cache and the key cache: no write either.
    with django_assert_num_queries(0):
        client.get(f"{API}/sections", HTTP_X_API_KEY=raw)
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        cache.delete(f"api:used:{key.pk}")  # what the cache's own clock would have expired
        client.get(f"{API}/sections", HTTP_X_API_KEY=raw)
    key.refresh_from_db()
    assert key.last_used_at > first


def _admin_request():
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/api/apikey/")
    request.user = make_user(is_staff=True, is_superuser=True)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_an_admin_creates_a_key_and_sees_it_once(client):
    admin_user = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post("/admin/api/apikey/add/", {"name": "Mobile app", "rate_per_minute": ""})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    page = response.content.decode()
    raw = page.split('id="api-key" readonly value="', 1)[1].split('"', 1)[0]
    assert raw.startswith(key.display_prefix) and key.matches(raw)
    assert key.created_by == admin_user
    change = client.get(f"/admin/api/apikey/{key.pk}/change/").content.decode()
    assert raw not in change and key.display_prefix in change
    listing = client.get("/admin/api/apikey/").content.decode()
    assert raw not in listing and "Mobile app" in listing
    # And the key works.
    client.logout()
    assert client.get(f"{API}/sections", HTTP_X_API_KEY=raw).status_code == 200


def test_an_admin_form_error_keeps_what_was_typed(client):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    response = client.post("/admin/api/apikey/add/", {"name": "Bot", "rate_per_minute": "-3"})
    assert response.status_code == 200
    assert not ApiKey.objects.exists()
    assert 'value="Bot"' in response.content.decode()


# CORS and the documentation page.


def test_cors_allows_only_the_configured_origins(client, settings):
    settings.NEWSROOM_API_CORS_ORIGINS = ["https://app.example"]
    allowed = client.get(f"{API}/sections", HTTP_ORIGIN="https://app.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Origin" in allowed["Vary"]
    other = client.get(f"{API}/sections", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = client.options(
        f"{API}/sections",
        HTTP_ORIGIN="https://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert preflight.status_code == 200
    assert "X-API-Key" in preflight["Access-Control-Allow-Headers"]


def test_no_origin_is_allowed_unless_configured(client):
    response = client.get(f"{API}/sections", HTTP_ORIGIN="https://app.example")
    assert "Access-Control-Allow-Origin" not in response


def test_the_documentation_page_uses_only_our_static_files(client):
    from django.contrib.staticfiles import finders

    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert finders.find("ninja/swagger-ui-bundle.js")
    assert (
        json.loads(page.split('id="swagger-settings">', 1)[1].split("</script>", 1)[0])["url"]
        == f"{API}/openapi.json"
    )


def test_errors_speak_the_sites_language(client, settings):
    settings.LANGUAGE_CODE = "ru"
    response = client.get(f"{API}/articles?cursor=garbage")
    assert response.json()["error"]["message"].startswith("Курсор недействителен")


def test_head_answers_the_headers_of_get_without_the_body(client):
    article = make_article()
    head = client.head(f"{API}/articles/{article.pk}")
    assert head.status_code == 200 and head.content == b""
    get = client.get(f"{API}/articles/{article.pk}")
    assert get["X-Page-Cache"] == "hit" and get.json()["id"] == article.pk
    assert head["ETag"] == get["ETag"]


def test_guessing_keys_counts_against_the_address(client, settings):
    settings.NEWSROOM_API_RATE = 2
    for n in range(2):
        assert client.get(f"{API}/sections", HTTP_X_API_KEY=f"nr_guess{n}").status_code == 401
    assert client.get(f"{API}/sections", HTTP_X_API_KEY="nr_guess3").status_code == 429
