"""Editors' rich text: limits checked before sanitizing, an allow-list sanitizer, plain text.

Rich text is sanitized on the way in and trusted on the way out. The sanitizer (nh3) grows
quadratically on deeply nested hostile markup, so size and nesting are refused first, and
nothing here runs for each request: excerpts and what was removed (removal_messages) are
worked out at save time, and what readers see of a text (display_html) once per version of it,
in the page's cached part.
"""

import html as html_lib
import re
import string
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsroom.embeds import render_embeds

MAX_HTML_BYTES = 256 * 1024
MAX_HTML_DEPTH = 100

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "a",
    "ul", "ol", "li", "blockquote", "code", "pre", "hr", "sub", "sup",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# A cell spans at most this many rows or columns (HTML's own limit for colspan is 1000).
MAX_CELL_SPAN = 1000
_SPAN = re.compile(r"[1-9][0-9]{0,3}")
_SCOPES = {"row", "col", "rowgroup", "colgroup"}


def _attribute_filter(tag, attribute, value):
    """Attribute values the allow-list admits only in one form: spans as whole numbers, a
    header's scope as one of its four keywords, a link's address not empty (the editor empties
    an address it refuses, such as javascript:, and a link to nowhere would reload the page).
    Anything else is dropped."""
    if attribute in {"href", "title"} and not value.strip():
        return None
    if attribute in {"colspan", "rowspan"}:
        value = value.strip()
        return value if _SPAN.fullmatch(value) and int(value) <= MAX_CELL_SPAN else None
    if attribute == "scope":
        value = value.strip().lower()
        return value if value in _SCOPES else None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_attribute_filter,
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
        return _attribute_filter(tag, attribute, value)
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
    quotes, tables) and drop everything else, whatever the editor or a paste produced."""
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


# What the writer is told when the sanitizer removes something (removed_markup).
_SCRIPTS = {"script"}
_STYLES = {"style"}
_FRAMES = {"iframe", "frame", "frameset", "object", "embed", "applet"}
_FORM_CONTROLS = {"form", "input", "button", "select", "textarea", "option"}
# Where the writer counts paragraphs: each text block of the editor (a paragraph inside a
# list item or a table cell is that item or cell, not one more).
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "li", "td", "th", "caption"}
_HOLDS_PARAGRAPHS = {"li", "td", "th", "caption"}
_ATTRIBUTE = re.compile(
    rf"""([^{_SPACE}/>=][^{_SPACE}/>=]*)
    (?:[{_SPACE}]*=[{_SPACE}]*("[^"]*"?|'[^']*'?|[^{_SPACE}>]*))?""",
    re.VERBOSE,
)
# Browsers ignore tabs and newlines anywhere in a URL and spaces and controls around it.
_URL_IGNORED = re.compile("[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
SNIPPET_CHARS = 40


@dataclass(frozen=True)
class Removal:
    kind: str  # "link", "empty-link", "handler", "script", "style", "frame", "control", "tag"
    detail: str  # the scheme, attribute or tag name
    paragraph: int  # 1 for the first text block; 0 before any


def _attributes(tag_text):
    """(name, value) of the attributes of one start tag's source, values unescaped; of an
    attribute given twice the first, as the parser keeps it."""
    name_end = _START_TAG.match(tag_text).end()
    seen = set()
    for match in _ATTRIBUTE.finditer(tag_text, name_end):
        name = match[1].translate(_ASCII_LOWER)
        if name in seen:
            continue
        seen.add(name)
        value = match[2] or ""
        if value[:1] in {'"', "'"}:
            value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
        yield name, html_lib.unescape(value)


def _unsafe_scheme(url):
    url = _URL_IGNORED.sub("", url).lstrip(_C0_AND_SPACE)
    match = _SCHEME.match(url)
    if match and match[1].translate(_ASCII_LOWER) not in ALLOWED_URL_SCHEMES:
        return match[1].translate(_ASCII_LOWER)
    return None


def removed_markup(html, allowed=ALLOWED_TAGS):
    """What sanitize_html(html) leaves out that the writer should hear about, and where
    (`allowed`: the tags the text may hold; BODY_TAGS for an article's body).

    Read from the input with the same allow-list the sanitizer applies, in one pass of the
    tokenizer above (linear in the size of the text): unsafe links, event-handler attributes
    on kept tags, scripts, style sheets, frames and objects, form controls, and other tags the
    text cannot hold (whose text is kept). Attributes that only format (style, class) are
    dropped without a word, as the editor drops them. Returns (removals, snippets): snippets
    maps a paragraph number to the start of its text, to help find it."""
    if not html:
        return [], {}
    removals = []
    snippets = {}
    paragraph = 0
    holder_just_opened = False
    position = 0
    while match := _TOKEN.search(html, position):
        text = html[position : match.start()]
        if text.strip():
            holder_just_opened = False
            if paragraph and len(snippets.get(paragraph, "")) < SNIPPET_CHARS:
                snippets[paragraph] = snippets.get(paragraph, "") + html_lib.unescape(text)
        position = match.end()
        name = match["name"]
        if name is None or match["end"]:
            continue
        name = name.translate(_ASCII_LOWER)
        if name in _BLOCKS and not (name == "p" and holder_just_opened):
            paragraph += 1
        holder_just_opened = name in _HOLDS_PARAGRAPHS
        if name not in allowed:
            kind = (
                "script" if name in _SCRIPTS
                else "style" if name in _STYLES
                else "frame" if name in _FRAMES
                else "control" if name in _FORM_CONTROLS
                else "tag"
            )  # fmt: skip
            removals.append(Removal(kind, name, paragraph))
        else:
            for attribute, value in _attributes(match[0]):
                if attribute.startswith("on"):
                    removals.append(Removal("handler", attribute, paragraph))
                elif attribute == "href" and name == "a" and not value.strip():
                    removals.append(Removal("empty-link", "", paragraph))
                elif attribute == "href" and name == "a" and (scheme := _unsafe_scheme(value)):
                    removals.append(Removal("link", scheme, paragraph))
        if not match["closed"]:
            break  # cut off by the end of the text: the parser drops it
        if name in _TEXT_ONLY or name == "plaintext":
            text_end = _TEXT_END.get(name) and _TEXT_END[name].search(html, position)
            if not text_end:
                break
            position = text_end.start()
    return removals, snippets


def _paragraphs(numbers, snippets):
    if numbers == [0]:
        return _("at the start of the text")
    if len(numbers) == 1:
        snippet = " ".join(snippets.get(numbers[0], "").split())
        if snippet:
            return _("in paragraph %(number)d (“%(start)s”)") % {
                "number": numbers[0],
                "start": Truncator(snippet).chars(SNIPPET_CHARS // 2),
            }
        return _("in paragraph %(number)d") % {"number": numbers[0]}
    shown = ", ".join(str(number) for number in numbers[:10])
    return _("in paragraphs %(numbers)s") % {"numbers": shown + (", …" if numbers[10:] else "")}


_REPORTS = {
    "link": lambda n: ngettext(
        "Removed an unsafe link (%(detail)s:) %(where)s. Links may point only to web, e-mail "
        "and telephone addresses; the text was kept: link it again with a proper address.",
        "Removed %(count)d unsafe links (%(detail)s:) %(where)s. Links may point only to web, "
        "e-mail and telephone addresses; the texts were kept: link them again with proper "
        "addresses.",
        n,
    ),
    "empty-link": lambda n: ngettext(
        "Removed a link with no address %(where)s. Links may point only to web, e-mail and "
        "telephone addresses (the editor empties any other, such as javascript:); the text "
        "was kept: link it again with a proper address.",
        "Removed %(count)d links with no address %(where)s. Links may point only to web, "
        "e-mail and telephone addresses (the editor empties any other, such as javascript:); "
        "the texts were kept: link them again with proper addresses.",
        n,
    ),
    "handler": lambda n: ngettext(
        "Removed a script attribute (%(detail)s) %(where)s.",
        "Removed %(count)d script attributes (%(detail)s) %(where)s.",
        n,
    ),
    "script": lambda n: ngettext(
        "Removed a script %(where)s.", "Removed %(count)d scripts %(where)s.", n
    ),
    "style": lambda n: ngettext(
        "Removed a style sheet %(where)s.", "Removed %(count)d style sheets %(where)s.", n
    ),
    "frame": lambda n: ngettext(
        "Removed an embedded frame or object (%(detail)s) %(where)s. To embed a video or a "
        "post, paste its address on a line of its own.",
        "Removed %(count)d embedded frames or objects (%(detail)s) %(where)s. To embed a video "
        "or a post, paste its address on a line of its own.",
        n,
    ),
    "control": lambda n: ngettext(
        "Removed a form control (%(detail)s) %(where)s.",
        "Removed %(count)d form controls (%(detail)s) %(where)s.",
        n,
    ),
    "tag": lambda n: ngettext(
        "Removed a tag the text cannot hold (%(detail)s) %(where)s; its text was kept.",
        "Removed %(count)d tags the text cannot hold (%(detail)s) %(where)s; their text was kept.",
        n,
    ),
}


def removal_messages(html, allowed=ALLOWED_TAGS):
    """removed_markup(html) in the writer's words, one sentence per kind of removal."""
    removals, snippets = removed_markup(html, allowed)
    grouped = {}
    for removal in removals:
        grouped.setdefault((removal.kind, removal.detail), []).append(removal.paragraph)
    return [
        _REPORTS[kind](len(places))
        % {
            "count": len(places),
            "detail": detail,
            "where": _paragraphs(sorted(set(places)), snippets),
        }
        for (kind, detail), places in grouped.items()
    ]


_TABLE_PARTS = re.compile(r"<(/?)(table|tr|th|td)\b([^>]*)>")


def _readable_tables(html):
    """Each table in a region that scrolls sideways on a narrow screen (focusable, so that a
    keyboard scrolls it too), and header cells told what they head: those of the first row
    their column, a header starting another row that row."""
    rows = []  # per open table: [row number, cells so far in that row]
    region = format_html(
        '<div class="table-scroll" role="region" tabindex="0" aria-label="{}">', _("Table")
    )

    def replace(match):
        closing, name, attributes = match.groups()
        if name == "table":
            if closing:
                rows and rows.pop()
                return "</table></div>"
            rows.append([0, 0])
            return region + match[0]
        if not rows or closing:
            return match[0]
        if name == "tr":
            rows[-1] = [rows[-1][0] + 1, 0]
            return match[0]
        row, cells = rows[-1]
        rows[-1][1] += 1
        if name == "th" and "scope=" not in attributes:
            scope = "col" if row == 1 else "row" if cells == 0 else None
            if scope:
                return f'<th scope="{scope}"{attributes}>'
        return match[0]

    return _TABLE_PARTS.sub(replace, html)


def display_html(html):
    """Sanitized HTML as readers see it: tables made readable, pasted addresses of videos and
    posts made click-to-load blocks (newsroom/embeds.py). Run once per version of the text,
    in the cached part of the page, never on what the writer typed."""
    if not html:
        return ""
    if "<table" in html:
        html = _readable_tables(html)
    return render_embeds(html)
