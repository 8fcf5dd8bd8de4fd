"""Property-based fuzzing (hypothesis) of what strangers type: the comment form, the search
box, and the labelling of mentions that runs over articles and comments. Never a 500, never
markup that was not meant to be there."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.templatetags.comments import comment_text
from newsroom.richtext import sanitize_html
from notices.labelling import LabelData, Matcher, label_html
from tests.factories import make_article, make_reader

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Pieces that mean something to HTML, URLs, SQL, text search and bidirectional text.
PIECES = [
    "<", ">", "&", '"', "'", "/", "=", "<script>", "</script>", "<img src=x onerror=alert(1)>",
    "javascript:", "https://example.com/a?b=1&c=<d>", "www.example.org", "user@example.com",
    "</div>", "<a href=", "&amp;", "&#x3C;", "]]>", "\n", "\r\n", " ", "\u202e", "\u00a0",
    "-", "or", "OR", "!", "|", "(", ")", ":*", "\\", "%", "_", "' OR '1'='1", ";--",
    "Facebook", "Meta", "Фейсбук", "\U0001f600",
]  # fmt: skip
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=5), max_size=40).map("".join),
)

# What comment_text may write itself: line breaks and links it made.
_OWN_MARKUP = re.compile(
    r'<br>|<a href="(?:mailto:[^"<>]*|[^"<>]*" rel="nofollow ugc noopener)">|</a>'
)


def assert_only_own_markup(html):
    leftover = _OWN_MARKUP.sub("", html)
    assert "<" not in leftover, html
    assert not re.search(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", leftover), html


@pytest.mark.django_db
@FUZZ
@given(body=hostile_text)
def test_posting_any_text_as_a_comment_never_errs_and_shows_it_as_text(client, settings, body):
    settings.NEWSROOM_COMMENT_MIN_INTERVAL = 0
    settings.NEWSROOM_COMMENTS_PER_HOUR = 0
    article = make_article()
    client.force_login(make_reader())
    response = client.post(reverse("comments:create", args=[article.pk]), {"body": body})
    assert response.status_code in {200, 302}
    if response.status_code == 200:  # refused: the form is back with an error
        assert response.context["comment_form"].errors
        return
    page = client.get(article.get_absolute_url()).content.decode()
    shown = page.split('class="comment__body">', 1)[1].split("</div>", 1)[0]
    assert_only_own_markup(shown)


@pytest.mark.django_db
@FUZZ
@given(query=hostile_text, page=st.one_of(st.none(), st.text(max_size=12)))
def test_any_search_gets_a_page_never_a_500(client, query, page):
    make_article(title="Facebook and Meta or budget")
    params = {"q": query} | ({"page": page} if page is not None else {})
    response = client.get(reverse("articles:search"), params)
    if "\x00" in query or (page and "\x00" in page):
        assert response.status_code == 400  # refused before any view runs
        return
    assert response.status_code in {200, 404}
    assert "<script>" not in response.content.decode()


def make_labels(names):
    return [
        LabelData(
            pk=pk,
            name=name,
            label_text='banned "in" <b>Russia</b> & elsewhere',
            listing=name,
            terms=(name,),
            notice_id=1,
        )
        for pk, name in enumerate(names, 1)
    ]


label_names = st.lists(
    st.sampled_from(["Facebook", "Meta", "Фейсбук", "AT&T", "C++", "a<b", "Voice of America"])
    | st.text(min_size=1, max_size=8).filter(str.strip),
    min_size=1,
    max_size=6,
    unique=True,
)
html_pieces = st.sampled_from(
    [
        "<p>", "</p>", "<a href='https://x.test/Facebook'>", "</a>", "<code>", "</code>",
        "<em>", "</em>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
        "<!-- Meta -->", "<b title='Meta'>", "</b>", "<br>", "&lt;", "&amp;", "&nbsp;",
    ]
)  # fmt: skip
hostile_html = st.lists(html_pieces | hostile_text, max_size=30).map("".join)


@FUZZ
@given(html=hostile_html, names=label_names)
def test_labelling_any_sanitized_html_leaves_it_clean(html, names):
    clean = sanitize_html(html)
    result = label_html(clean, Matcher(make_labels(names)))
    assert sanitize_html(result) == result
    assert "<script" not in result.lower()


@FUZZ
@given(text=hostile_text, names=label_names)
def test_labelling_a_readers_comment_adds_no_markup(text, names):
    result = label_html(str(comment_text(text)), Matcher(make_labels(names)))
    assert_only_own_markup(result)
