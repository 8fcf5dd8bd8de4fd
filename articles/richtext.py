"""Editors' rich text: limits checked before sanitizing, an allow-list sanitizer, plain text.

Rich text is sanitized on the way in and trusted on the way out. The sanitizer (nh3) grows
quadratically on deeply nested hostile markup, so size and nesting are refused first, and
nothing here ever runs while a page is served: excerpts are computed at save time.
"""

import re
from html.parser import HTMLParser

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

MAX_HTML_BYTES = 256 * 1024
MAX_HTML_DEPTH = 100

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "a",
    "ul", "ol", "li", "blockquote", "code", "pre", "hr", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# Elements that never have a closing tag and so never deepen the tree.
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip


class _TooDeep(Exception):
    pass


class _DepthMeter(HTMLParser):
    def __init__(self, limit):
        super().__init__(convert_charrefs=False)
        self.limit = limit
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag not in _VOID:
            self.depth += 1
            if self.depth > self.limit:
                raise _TooDeep

    def handle_endtag(self, tag):
        if tag not in _VOID:
            self.depth = max(0, self.depth - 1)


def validate_html_limits(html):
    """Refuse markup too big or too deeply nested to sanitize quickly."""
    if not html:
        return
    if len(html.encode("utf-8", "surrogatepass")) > MAX_HTML_BYTES:
        raise ValidationError(
            _("The text is too long: at most %(limit)d KB of HTML is accepted."),
            code="html_too_long",
            params={"limit": MAX_HTML_BYTES // 1024},
        )
    meter = _DepthMeter(MAX_HTML_DEPTH)
    try:
        meter.feed(html)
        meter.close()
    except _TooDeep:
        raise ValidationError(
            _("The text is nested too deeply: at most %(limit)d levels of markup are accepted."),
            code="html_too_deep",
            params={"limit": MAX_HTML_DEPTH},
        ) from None


def sanitize_html(html):
    """Keep what editors use (ALLOWED_TAGS: paragraphs, headings, emphasis, links, lists,
    quotes) and drop everything else, whatever the editor or a paste produced."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html).strip()
    # The rich-text editor leaves one empty paragraph in an empty field.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


def html_to_text(html):
    """Plain text of sanitized HTML, with block boundaries kept as spaces."""
    spaced = html.replace("</p>", "</p> ").replace("<br>", "<br> ").replace("</li>", "</li> ")
    return " ".join(strip_tags(spaced).split())


def excerpt(text, chars=300):
    return Truncator(text).chars(chars)


# Characters XML 1.0 cannot carry at all, even escaped; a pasted headline may hold one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text):
    """`text` without the characters that would make a feed or sitemap ill-formed XML."""
    return _NOT_XML.sub("", text)
