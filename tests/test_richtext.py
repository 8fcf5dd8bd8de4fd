import pytest
from django.core.exceptions import ValidationError

from newsroom.richtext import MAX_HTML_DEPTH, sanitize_html, validate_html_limits
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "dirty, forbidden",
    [
        ("<p>x<script>alert(1)</script></p>", "<script"),
        ('<p onclick="alert(1)">x</p>', "onclick"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
        ('<p style="position:fixed">x</p>', "style"),
        ("<style>body{display:none}</style><p>x</p>", "<style"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<svg><script>alert(1)</script></svg>", "<svg"),
        ('<form action="/admin/"><input name="x"></form>', "<form"),
    ],
)
def test_sanitizer_drops_dangerous_markup(dirty, forbidden):
    assert forbidden.lower() not in sanitize_html(dirty).lower()


@pytest.mark.parametrize(
    "html",
    [
        "<p>Paragraph</p>",
        "<h2>Heading 2</h2><h3>Heading 3</h3><h4>Heading 4</h4>",
        "<p><strong>bold</strong> <em>italic</em></p>",
        "<ul><li>one</li></ul><ol><li>two</li></ol>",
        "<blockquote><p>quoted</p></blockquote>",
    ],
)
def test_sanitizer_keeps_what_editors_use(html):
    assert sanitize_html(html) == html


def test_sanitizer_keeps_links_and_makes_them_safe():
    cleaned = sanitize_html('<a href="https://www.focus.de/" target="_blank">Focus</a>')
    assert 'href="https://www.focus.de/"' in cleaned
    assert 'rel="noopener noreferrer"' in cleaned
    assert "target" not in cleaned


def test_the_body_is_sanitized_on_save_whatever_path_it_came_by():
    article = make_article(body='<p onclick="x()">Hello<script>alert(1)</script></p>')
    article.refresh_from_db()
    assert article.body == "<p>Hello</p>"


def test_excerpt_is_plain_text_computed_on_save():
    article = make_article(lead="", body="<p>First <strong>bold</strong></p><p>second</p>")
    assert article.excerpt == "First bold second"


def test_oversized_html_is_refused_before_sanitizing():
    with pytest.raises(ValidationError, match="too long"):
        validate_html_limits("<p>" + "x" * (256 * 1024) + "</p>")


def test_deeply_nested_html_is_refused_before_sanitizing():
    nested = "<blockquote>" * (MAX_HTML_DEPTH + 1) + "x" + "</blockquote>" * (MAX_HTML_DEPTH + 1)
    with pytest.raises(ValidationError, match="nested too deeply"):
        validate_html_limits(nested)


def test_ordinary_nesting_and_void_elements_pass_the_limits():
    validate_html_limits("<p>" + "line<br>" * 5000 + "</p>" + "<ul><li>x</li></ul>" * 500)


@pytest.mark.parametrize(
    "unit",
    [
        "<b></i>",  # an end tag that closes nothing open
        "<span><div></span>",  # the parser does not close a block from inside it
        "<div><b></div>x",  # the bold is reopened inside the next block
        '<b title="</b>">',  # an end tag inside an attribute is text
        '<b x="\'">',  # quotes inside quotes
        "<b><!-- </b> -->",  # an end tag inside a comment is text
        "<b><style></b></style>",  # and inside a style element
        "<b><body></body>",  # </body> closes nothing
    ],
)
def test_nesting_the_sanitizer_would_build_is_refused_however_it_is_written(unit):
    hostile = unit * (MAX_HTML_DEPTH + 1)
    with pytest.raises(ValidationError, match="nested too deeply"):
        validate_html_limits(hostile)


@pytest.mark.parametrize(
    "unit",
    [
        "<p>x</p>",
        '<p title="<b><b><b>">x</p>',  # markup inside an attribute value opens nothing
        "<!-- <b><b><b> -->",
        "<p><textarea><b><b><b></textarea></p>",
        "<p>a &lt;b&gt; b</p>",
        "<p>1 < 2 > 0</p>",
        "<P>x</p>",
    ],
)
def test_flat_markup_passes_the_nesting_limit_however_long(unit):
    validate_html_limits(unit * 2000)


def test_a_tag_cut_off_by_the_end_of_the_text_opens_nothing():
    validate_html_limits("<b" * 100_000)
    assert sanitize_html("<p>x</p>" + "<b" * 1000) == "<p>x</p>"
