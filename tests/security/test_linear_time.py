"""Linear-time limits on every untrusted input: one request must never hold a worker for long.

Each input a stranger, a reader or a reporter controls is fed at growing sizes, from 1 KB to
its limit (or, where the limit is small, far past it: refusing must be cheap too), in hostile
shapes, through the real code path. After a warm-up, the best of a few runs is kept; the time
per byte at the largest size must stay within FACTOR of the time per byte at a size 16 times
smaller, unless the largest run is too quick to tell (NOISE), and no run may pass BOUND."""

import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.forms import ProfileForm, SignupForm
from accounts.models import Profile
from articles.models import Article
from comments.models import BODY_MAX_LENGTH
from newsroom.richtext import MAX_HTML_BYTES, display_html, removal_messages, sanitize_html
from notices.models import Notice
from tests.factories import (
    admin_article_data,
    make_article,
    make_author,
    make_comment,
    make_label,
    make_reader,
    make_section,
)

pytestmark = pytest.mark.django_db

KB = 1024
SIZES = [KB, 16 * KB, 256 * KB]
BODY_SIZES = [KB, MAX_HTML_BYTES // 16, MAX_HTML_BYTES]
FACTOR = 4  # a quadratic step grows 16 times per byte between the two sizes compared
NOISE = 0.25  # seconds: below this, differences are the machine's, not the input's
BOUND = 5.0  # seconds for one run at any size (gunicorn's worker timeout is 30)
REPEATS = 3


def published(section, **fields):
    """A public article made without the factories' counter, which dates make_article's
    articles a minute apart: hundreds are made here, and later tests expect recent ones."""
    n = time.perf_counter_ns()
    return Article.objects.create(
        title=f"Article {n}",
        slug=f"article-{n}",
        section=section,
        lead="The lead.",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
        **fields,
    )


def shaped(prefix, unit):
    """A function making `prefix` then `unit` repeated, cut to `size` characters."""

    def make(size):
        return (prefix + unit * (size // len(unit) + 1))[:size]

    return make


def timed(run, value):
    start = time.perf_counter()
    run(value)
    return time.perf_counter() - start


def assert_linear(run, make, sizes=SIZES):
    values = {size: make(size) for size in sizes}
    warm_up = {}
    for size, value in values.items():  # smallest first: a quadratic step fails at BOUND
        warm_up[size] = timed(run, value)
        measured = ", ".join(f"{s} B: {t:.3f} s" for s, t in warm_up.items())
        assert warm_up[size] < BOUND, f"{size} B took {warm_up[size]:.1f} s ({measured})"
    # Sizes measured in turn, so that a busy machine slows them all alike.
    runs = {size: [] for size in sizes}
    for _ in range(REPEATS):
        for size, value in values.items():
            runs[size].append(timed(run, value))
    seconds = {size: min(times) for size, times in runs.items()}
    largest = sizes[-1]
    mid = max([size for size in sizes if size <= largest // 16] or sizes[:1])
    growth = (seconds[largest] / largest) / (seconds[mid] / mid)
    measured = ", ".join(f"{size} B: {t:.3f} s" for size, t in seconds.items())
    assert seconds[largest] < NOISE or growth <= FACTOR, (
        f"time per byte grew {growth:.1f} times from {mid} B to {largest} B ({measured})"
    )


RICH_TEXT_SHAPES = {
    "unclosed <b><i><b>": shaped("", "<b><i>"),
    "unclosed tag name <b<b<b": shaped("", "<b"),
    "end tags without names": shaped("", "</"),
    "deep nesting": shaped("", "<blockquote>"),
    "misnested <b></i>": shaped("", "<b></i>"),
    "block reopening bold": shaped("", "<div><b></div>x"),
    "many attributes": shaped("<p ", 'a="1" '),
    "spaces and equals signs in a tag": shaped("<p a", " = "),
    "spaces in a tag": shaped("<p a", " "),
    "unclosed attribute value": shaped('<p title="', "<b>"),
    "unclosed comment": shaped("<!--", "<b>"),
    "comment openings": shaped("", "<!--"),
    "processing instructions": shaped("", "<?"),
    "less-than signs": shaped("", "<"),
    "entities": shaped("", "&amp;"),
    "long run of one char": shaped("", "x"),
    "paragraphs": shaped("", "<p>Glaciers retreat.</p>"),
}


@pytest.mark.parametrize("shape", RICH_TEXT_SHAPES.values(), ids=RICH_TEXT_SHAPES)
def test_an_article_body_is_checked_and_saved_in_linear_time(section, shape):
    def save(body):
        article = Article(title="t", slug="t", section=section, lead="l", body=body)
        try:
            article.full_clean(exclude=["slug"])
        except ValidationError:
            return
        article.slug = f"t-{time.perf_counter_ns()}"
        article.save()

    assert_linear(save, shape, BODY_SIZES)


@pytest.mark.parametrize("shape", RICH_TEXT_SHAPES.values(), ids=RICH_TEXT_SHAPES)
def test_a_notice_body_is_checked_and_saved_in_linear_time(shape):
    def save(body):
        notice = Notice(name="n", body=body)
        try:
            notice.full_clean()
        except ValidationError:
            return
        notice.save()

    assert_linear(save, shape, BODY_SIZES)


ADMIN_BODY_SHAPES = {
    name: RICH_TEXT_SHAPES[name] for name in ["unclosed tag name <b<b<b", "paragraphs"]
} | {"unsafe links, each reported": shaped("<p>", '<a href="javascript:x()">x</a></p><p>')}


@pytest.mark.parametrize("shape", ADMIN_BODY_SHAPES.values(), ids=ADMIN_BODY_SHAPES)
def test_the_admin_article_form_takes_a_body_in_linear_time(client, editor, section, shape):
    client.force_login(editor)

    def post(body):
        slug = f"t-{time.perf_counter_ns()}"
        response = client.post(
            reverse("admin:articles_article_add"), admin_article_data(section, slug=slug, body=body)
        )
        assert response.status_code in {200, 302}

    assert_linear(post, shape, BODY_SIZES)


# What the sanitizer removes, reported to the writer (richtext.removed_markup).
REMOVAL_SHAPES = RICH_TEXT_SHAPES | {
    "unsafe links": shaped("<p>", '<a href="javascript:x()">x</a>'),
    "event handlers": shaped("<p ", 'onclick="x()" '),
    "unclosed script": shaped("<script>", "<p>"),
    "scripts": shaped("", "<p>a<script>x</script></p>"),
    "unclosed quoted href": shaped('<a href="', "javascript:"),
    "disallowed tags": shaped("", "<span><font>"),
}


@pytest.mark.parametrize("shape", REMOVAL_SHAPES.values(), ids=REMOVAL_SHAPES)
def test_what_the_sanitizer_removed_is_reported_in_linear_time(shape):
    assert_linear(removal_messages, shape, BODY_SIZES)


# The body as readers see it (richtext.display_html: tables, embeds), made once per version.
DISPLAY_SHAPES = {
    "embeds": shaped("", "<p>https://youtu.be/dQw4w9WgXcQ</p>"),
    "linked addresses": shaped(
        "",
        '<p><a href="https://t.me/durov/1" rel="noopener noreferrer">https://t.me/durov/1</a></p>',
    ),
    "paragraphs starting an address": shaped("", "<p>https://www.youtube.com/watch?v=aaaa"),
    "table cells": shaped("<table><tbody><tr>", "<th>h</th><td>d</td>"),
    "nested tables": shaped("", "<table><tr><td>"),
    "long address": shaped("<p>https://youtube.com/watch?v=", "a"),
}


@pytest.mark.parametrize("shape", DISPLAY_SHAPES.values(), ids=DISPLAY_SHAPES)
def test_the_body_is_made_readable_in_linear_time(shape):
    assert_linear(lambda body: display_html(sanitize_html(body)), shape, BODY_SIZES)


PAGE_BODY_SHAPES = {
    "mentions of a label": shaped("<p>", "Facebook and Meta, "),
    "paragraphs": RICH_TEXT_SHAPES["paragraphs"],
    "long run of one char": RICH_TEXT_SHAPES["long run of one char"],
    "unclosed <b><i>": shaped("", "<b><i>x"),
}


@pytest.mark.parametrize("shape", PAGE_BODY_SHAPES.values(), ids=PAGE_BODY_SHAPES)
def test_an_article_page_shows_a_long_body_in_linear_time(client, section, shape):
    make_label("Facebook")

    def read(body):
        article = published(section, body=body)
        cache.clear()
        assert client.get(article.get_absolute_url()).status_code == 200

    assert_linear(read, shape, BODY_SIZES)


def version_pairs(old_unit, new_unit, *, every=1):
    """Two bodies of about `size` bytes: `old_unit` repeated, and the same with every
    `every`-th unit made `new_unit`."""

    def make(size):
        count = max(1, size // max(len(old_unit), len(new_unit)))
        units = range(count)
        old = "".join(old_unit for _ in units)
        new = "".join(new_unit if n % every == 0 else old_unit for n in units)
        return old, new

    return make


DIFF_SHAPES = {
    "every link retargeted": version_pairs(
        '<p>Talks at <a href="https://a.example/">NATO</a> went on.</p>',
        '<p>Talks at <a href="https://b.example/">NATO</a> went on.</p>',
    ),
    "every other paragraph's formatting": version_pairs(
        "<p>One <strong>two</strong> three.</p>", "<p>One two <em>three</em>.</p>", every=2
    ),
    "every other paragraph's words": version_pairs(
        "<p>Glaciers retreat.</p>", "<p>Glaciers advance.</p>", every=2
    ),
    "paragraphs into headings": version_pairs("<p>Next</p>", "<h2>Next</h2>", every=3),
}


@pytest.mark.parametrize("shape", DIFF_SHAPES.values(), ids=DIFF_SHAPES)
def test_the_diff_of_two_long_versions_is_shown_in_linear_time(client, editor, section, shape):
    client.force_login(editor)

    def make(size):
        old, new = shape(size)
        article = published(section, body=old)
        article.body = new
        article.save()
        versions = article.history.values_list("history_id", flat=True)
        query = {"old": versions[1], "new": versions[0]}
        return reverse("admin:articles_article_history_compare", args=[article.pk]), query

    def compare(address):
        url, query = address
        assert client.get(url, query).status_code == 200

    assert_linear(compare, make, BODY_SIZES)


COMMENT_SHAPES = {
    "long run of one char": shaped("", "x"),
    "web addresses": shaped("", "www.a"),
    "an address without an end": shaped("http://", "a"),
    "opening brackets": shaped("www.a.com/", "("),
    "dots": shaped("", "a."),
    "at signs": shaped("", "@a"),
    "ampersands": shaped("", "&"),
    "line breaks": shaped("", "\n"),
    "words": shaped("", "word "),
}


@pytest.mark.parametrize("shape", COMMENT_SHAPES.values(), ids=COMMENT_SHAPES)
def test_a_comment_is_posted_in_linear_time(client, settings, article, shape):
    settings.NEWSROOM_COMMENT_MIN_INTERVAL = 0
    settings.NEWSROOM_COMMENTS_PER_HOUR = 0
    client.force_login(make_reader())

    def post(body):
        response = client.post(reverse("comments:create", args=[article.pk]), {"body": body})
        assert response.status_code in {200, 302}

    assert_linear(post, shape)


@pytest.mark.parametrize("shape", COMMENT_SHAPES.values(), ids=COMMENT_SHAPES)
def test_a_comment_is_shown_in_linear_time(client, section, shape):
    reader = make_reader()

    def read(body):
        article = published(section)
        make_comment(article, reader, body=body.strip() or "x")
        cache.clear()
        assert client.get(article.get_absolute_url()).status_code == 200

    sizes = [BODY_MAX_LENGTH // 16, BODY_MAX_LENGTH // 4, BODY_MAX_LENGTH]
    assert_linear(read, shape, sizes)


NAME_SHAPES = {
    "long run of one char": shaped("", "a"),
    "spaces": shaped("a", " "),
    "text-direction controls": shaped("", "a\u202e"),
}


@pytest.mark.parametrize("shape", NAME_SHAPES.values(), ids=NAME_SHAPES)
def test_a_display_name_is_checked_in_linear_time(shape):
    reader = make_reader()

    def check(name):
        SignupForm({"display_name": name}).is_valid()
        ProfileForm({"display_name": name}, instance=Profile.objects.get(user=reader)).is_valid()

    assert_linear(check, shape)


SEARCH_SHAPES = {
    "many words": shaped("", "glacier "),
    "many phrases": shaped("", '"sea ice" '),
    "many minus words": shaped("", "-ice "),
    "many minus signs": shaped("", "- "),
    "many ors": shaped("a ", "or "),
    "punctuation": shaped("", "!&|():*<->"),
    "long run of one char": shaped("", "a"),
}


@pytest.mark.parametrize("shape", SEARCH_SHAPES.values(), ids=SEARCH_SHAPES)
def test_a_search_is_answered_in_linear_time(client, shape):
    make_article(title="Glaciers and sea ice")

    def search(query):
        cache.clear()
        assert client.get(reverse("articles:search"), {"q": query}).status_code == 200

    assert_linear(search, shape, [12, 50, 200])  # up to the longest query searched
    assert_linear(search, shape)  # and far past it, refused


TAG_SHAPES = {
    "many commas": shaped("nato", ","),
    "many tags": shaped("", "a,"),
    "many quoted tags": shaped("", '"a b",'),
    "one long tag": shaped("", "x"),
    "unclosed quote": shaped('"', "a,"),
    "many emoji tags": shaped("", "😀,"),
    "spaces": shaped("a", " "),
}


@pytest.mark.parametrize("shape", TAG_SHAPES.values(), ids=TAG_SHAPES)
def test_the_admin_article_form_takes_tags_in_linear_time(client, editor, section, shape):
    client.force_login(editor)

    def post(tags):
        slug = f"t-{time.perf_counter_ns()}"
        response = client.post(
            reverse("admin:articles_article_add"), admin_article_data(section, slug=slug, tags=tags)
        )
        assert response.status_code in {200, 302}

    assert_linear(post, shape)


SLUG_SHAPES = {"letters": shaped("", "a"), "dashes": shaped("a", "-"), "accents": shaped("", "é")}


@pytest.mark.parametrize("shape", SLUG_SHAPES.values(), ids=SLUG_SHAPES)
def test_the_admin_article_form_takes_a_slug_in_linear_time(client, editor, section, shape):
    client.force_login(editor)

    def post(slug):
        response = client.post(
            reverse("admin:articles_article_add"), admin_article_data(section, slug=slug)
        )
        assert response.status_code in {200, 302}

    assert_linear(post, shape)


@pytest.mark.parametrize("shape", SLUG_SHAPES.values(), ids=SLUG_SHAPES)
@pytest.mark.parametrize("page", ["section", "tag", "author", "detail"])
def test_a_slug_in_a_public_address_is_looked_up_in_linear_time(client, page, shape):
    article = make_article()
    args = [article.pk, "the-slug"] if page == "detail" else ["the-slug"]
    address = reverse(f"articles:{page}", args=args)

    def read(slug):
        cache.clear()
        response = client.get(address.replace("the-slug", quote(slug)))
        assert response.status_code in {301, 404}

    assert_linear(read, shape)


PARAMETER_SHAPES = {
    "digits": shaped("", "9"),
    "letters": shaped("", "a"),
    "signs": shaped("", "-"),
    "escapes": shaped("", "%"),
}


def public_pages():
    section = make_section()
    author = make_author()
    article = make_article(section=section, authors=[author], tags=["nato"])
    make_comment(article)
    return {
        "page": [
            reverse("articles:home"),
            reverse("articles:section", args=[section.slug]),
            reverse("articles:tag", args=["nato"]),
            reverse("articles:author", args=[author.slug]),
            reverse("articles:corrections"),
            reverse("articles:search") + "?q=article",
        ],
        "comments": [article.get_absolute_url()],
        "p": [reverse("articles:sitemap", args=[section.slug])],
    }


@pytest.mark.parametrize("shape", PARAMETER_SHAPES.values(), ids=PARAMETER_SHAPES)
@pytest.mark.parametrize("parameter", ["page", "comments", "p"])
def test_every_query_parameter_of_public_pages_is_read_in_linear_time(client, parameter, shape):
    urls = public_pages()[parameter]

    def read(value):
        for url in urls:
            cache.clear()
            separator = "&" if "?" in url else "?"
            response = client.get(f"{url}{separator}{parameter}={value}")
            assert response.status_code in {200, 400, 404}, url

    assert_linear(read, shape)
