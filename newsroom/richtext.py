"""Editors' rich text: limits checked before sanitizing, an allow-list sanitizer, plain text.

Rich text is sanitized on the way in and trusted on the way out. The sanitizer (nh3) grows
quadratically on deeply nested hostile markup, so size and nesting are refused first, and
nothing here ever runs while a page is served: excerpts are computed at save time.
"""

import re
import string

import nh3
from django.conf import settings
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

# An article's body may also hold images from the media library (the editor's figures): only
# `<figure>`, `<figcaption>` and an `<img>` naming its library record (data-file, an integer).
# Its src is kept for the editor only when it is one of our own media files; the public page
# draws every such image again from its record (medialibrary/body.py), and drops any other.
BODY_TAGS = ALLOWED_TAGS | {"figure", "figcaption", "img"}
BODY_ATTRIBUTES = ALLOWED_ATTRIBUTES | {"img": {"src", "alt", "data-file"}}
_LIBRARY_ID = re.compile(r"[1-9][0-9]{0,9}")


def _body_attribute(tag, attribute, value):
    if tag != "img":
        return value
    if attribute == "data-file":
        return value if _LIBRARY_ID.fullmatch(value) else None
    if attribute == "src":
        own = settings.MEDIA_URL
        return value if value.startswith(own) and not value.startswith("//") else None
    return value


_body_cleaner = nh3.Cleaner(
    tags=BODY_TAGS,
    attributes=BODY_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_body_attribute,
)

# Elements that never have a closing tag and so never deepen the tree.
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip
# Start tags the parser ignores inside a body: they open nothing.
_NOT_OPENED = {"html", "head", "body", "frameset"}
# Elements whose content is text, not markup, up to their own end tag.
_TEXT_ONLY = {"style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "script"}
# Markup this tokenizer does not follow (SVG and MathML, the script escapes, <noscript>, whose
# content is text or markup depending on the parser): after it, every start tag counts.
_NOT_FOLLOWED = {"svg", "math", "noscript", "plaintext", "select"}

_SPACE = "\t\n\f\r "
# One token of the HTML tokenizer (WHATWG "13.2.5 Tokenization"), as a regular expression that
# never backtracks far: a comment, a start or end tag with its attributes (values quoted or not),
# or a bogus comment (<!DOCTYPE>, <?...>, </ ...>). A tag cut off by the end of the text is
# dropped, as the parser drops it.
_TOKEN = re.compile(
    rf"""<(?:
        !--(?:>|->|.*?(?:--!?>|\Z))
      | (?P<end>/)?(?P<name>[A-Za-z][^{_SPACE}/>]*)
        (?:[{_SPACE}]+|/|[^{_SPACE}/>][^{_SPACE}/>=]*
           (?:[{_SPACE}]*=[{_SPACE}]*(?:"[^"]*"?|'[^']*'?|[^{_SPACE}>]*))?
        )*
        (?P<closed>>)?
      | [!?][^>]*>?
      | /[^>A-Za-z][^>]*>?
    )""",
    re.VERBOSE | re.DOTALL,
)
_START_TAG = re.compile(rf"<([A-Za-z][^{_SPACE}/>]*)")
_TEXT_END = {
    name: re.compile(rf"</{name}[{_SPACE}/>]", re.IGNORECASE | re.ASCII) for name in _TEXT_ONLY
}
# The parser lower-cases ASCII letters only (str.lower would make "linK" with a Kelvin sign "link").
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _depth_exceeds(html, limit):
    """Whether the elements open at some point of `html` exceed `limit`, in one pass.

    Errs on the deep side: an end tag closes an element only when it is the innermost one open
    (the parser may close more, never fewer), and after markup this does not follow, start tags
    only count."""
    open_elements = []
    position = 0
    while match := _TOKEN.search(html, position):
        position = match.end()
        name = match["name"]
        if name is None:
            continue
        name = name.translate(_ASCII_LOWER)
        if match["end"]:
            if open_elements and open_elements[-1] == name:
                open_elements.pop()
            continue
        if not match["closed"]:
            return False  # cut off by the end of the text: the parser drops it
        if name in _VOID or name in _NOT_OPENED:
            continue
        open_elements.append(name)
        if len(open_elements) > limit:
            return True
        if name in _NOT_FOLLOWED:
            return _start_tags_exceed(html, position, limit - len(open_elements))
        if name in _TEXT_ONLY:
            text_end = _TEXT_END[name].search(html, position)
            if text_end is None:
                return False
            if name == "script" and "<!--" in html[position : text_end.start()]:
                return _start_tags_exceed(html, position, limit - len(open_elements))
            position = text_end.start()
    return False


def _start_tags_exceed(html, position, limit):
    count = 0
    for match in _START_TAG.finditer(html, position):
        name = match[1].translate(_ASCII_LOWER)
        if name not in _VOID and name not in _NOT_OPENED:
            count += 1
            if count > limit:
                return True
    return False


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
    if _depth_exceeds(html, MAX_HTML_DEPTH):
        raise ValidationError(
            _("The text is nested too deeply: at most %(limit)d levels of markup are accepted."),
            code="html_too_deep",
            params={"limit": MAX_HTML_DEPTH},
        )


def sanitize_html(html, *, cleaner=_cleaner):
    """Keep what editors use (ALLOWED_TAGS: paragraphs, headings, emphasis, links, lists,
    quotes) and drop everything else, whatever the editor or a paste produced."""
    if not html:
        return ""
    cleaned = cleaner.clean(html).strip()
    # The rich-text editor leaves one empty paragraph in an empty field.
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


def sanitize_body_html(html):
    """An article body: what sanitize_html() keeps, and images from the media library."""
    return sanitize_html(html, cleaner=_body_cleaner)


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
