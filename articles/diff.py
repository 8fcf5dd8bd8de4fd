"""Readable differences between two versions of an article, escaped: the words, word by
word, then the links and formatting the words keep, then the tags and authors."""

import difflib
import html
import re
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"\s+|[^\s]+")


def html_paragraphs(markup):
    """The text of rich text, one paragraph a line, as an editor reads it."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", markup or ""))
    return [line.strip() for line in html.unescape(text).splitlines() if line.strip()]


def _simple_opcodes(a, b):
    """Opcodes where one side has at most one item."""
    n, m = len(a), len(b)
    if not n or not m:
        return [("delete" if n else "insert", 0, n, 0, m)] if n or m else []
    if n == 1:
        if a[0] in b:
            k = b.index(a[0])
            ops = [("insert", 0, 0, 0, k)] if k else []
            return [*ops, ("equal", 0, 1, k, k + 1), ("insert", 1, 1, k + 1, m)]
        return [("replace", 0, 1, 0, m)]
    if b[0] in a:
        k = a.index(b[0])
        ops = [("delete", 0, k, 0, 0)] if k else []
        return [*ops, ("equal", k, k + 1, 0, 1), ("delete", k + 1, n, 1, 1)]
    return [("replace", 0, n, 0, 1)]


def opcodes(a, b):
    """difflib's opcodes for turning `a` into `b`, with the common start and end set aside
    first: most edits touch a few places of a long text, and the matcher then sees only
    those (repeated paragraphs would otherwise cost it the square of their number)."""
    start, end = 0, 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    while end < limit - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    a_middle, b_middle = a[start : len(a) - end], b[start : len(b) - end]
    if len(a_middle) <= 1 or len(b_middle) <= 1:  # nothing for a matcher to find: say so
        middle = _simple_opcodes(a_middle, b_middle)
    else:
        # difflib's own heuristic, on from 200 items: one repeated everywhere (the same short
        # paragraph a hundred times, "the" in a long paragraph) is matched only next to
        # others, or the matcher's time grows as the square of its count, or worse.
        middle = difflib.SequenceMatcher(None, a_middle, b_middle, autojunk=True).get_opcodes()
    result = [("equal", 0, start, 0, start)] if start else []
    result += [
        (op, i1 + start, i2 + start, j1 + start, j2 + start)
        for op, i1, i2, j1, j2 in middle
        if i2 > i1 or j2 > j1
    ]
    if end:
        result.append(("equal", len(a) - end, len(a), len(b) - end, len(b)))
    return result


def _words(old, new):
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    parts = []
    for op, i1, i2, j1, j2 in opcodes(a, b):
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return "".join(parts)


def inline_diff(old_lines, new_lines):
    """Paragraphs compared first (cheap on long texts), then words inside changed ones."""
    out = []
    for op, i1, i2, j1, j2 in opcodes(old_lines, new_lines):
        if op == "equal":
            out.extend(format_html("<p>{}</p>", line) for line in old_lines[i1:i2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            out.extend(
                format_html("<p>{}</p>", mark_safe(_words(old, new)))
                for old, new in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True)
            )
        else:
            out.extend(format_html("<p><del>{}</del></p>", line) for line in old_lines[i1:i2])
            out.extend(format_html("<p><ins>{}</ins></p>", line) for line in new_lines[j1:j2])
    return mark_safe("".join(out))


def field_diffs(old, new, fields):
    """[(label, changed, html)] for each field, comparing two versions of a model; `changed`
    is "markup" when only the markup around the same words changed."""
    result = []
    for name in fields:
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        if name == "body":
            old_lines, new_lines = html_paragraphs(before), html_paragraphs(after)
        else:
            old_lines, new_lines = before.splitlines(), after.splitlines()
        label = new._meta.get_field(name).verbose_name
        # The same words in other markup: the links and formatting say what changed.
        changed = old_lines != new_lines or (before != after and "markup")
        result.append((label, changed, inline_diff(old_lines, new_lines)))
    return result


# Links and formatting: what the word diff cannot show, because the words stay the same.

INLINE_FORMATS = {
    "strong": gettext_lazy("bold"),
    "b": gettext_lazy("bold"),
    "em": gettext_lazy("italic"),
    "i": gettext_lazy("italic"),
    "u": gettext_lazy("underlined"),
    "s": gettext_lazy("struck through"),
    "strike": gettext_lazy("struck through"),
    "sub": gettext_lazy("subscript"),
    "sup": gettext_lazy("superscript"),
    "code": gettext_lazy("code"),
}
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre"}
QUOTED_WORDS = 12


@dataclass
class Block:
    kind: str  # "p", "h2", "ul", "ol", "pre", with "quote " in front inside a blockquote
    words: list = field(default_factory=list)  # [(word, formats, href)]

    @property
    def text(self):
        return " ".join(word for word, _formats, _href in self.words)


_MARKUP = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>|<[^>]*>|([^<]+)")
_HREF = re.compile(r'\bhref="([^"]*)"')


class _Reader:
    """Sanitized HTML as blocks of words, each word with its formats and its link target.
    The sanitizer's output is regular (quoted attributes, escaped text), so one regular
    expression reads it, in one pass."""

    def __init__(self):
        self.format_names = {tag: str(name) for tag, name in INLINE_FORMATS.items()}
        self.blocks, self.formats, self.lists = [], [], []
        self.href, self.quoted, self.block = None, 0, None
        self.joinable = False  # the last text ended inside a word

    def _kind(self, tag):
        if tag == "li":
            tag = self.lists[-1] if self.lists else "ul"
        return f"quote {tag}" if self.quoted else tag

    def _close(self):
        if self.block is not None and self.block.words:
            self.blocks.append(self.block)
        self.block = None

    def feed(self, markup):
        for match in _MARKUP.finditer(markup):
            closing, tag, attrs, text = match.groups()
            if text is not None:
                self.handle_data(html.unescape(text))
            elif tag and closing:
                self.handle_endtag(tag.lower())
            elif tag:
                self.handle_starttag(tag.lower(), attrs)
        self._close()

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self._close()
            self.block = Block(self._kind(tag))
        elif tag in {"ul", "ol"}:
            self._close()
            self.lists.append(tag)
        elif tag == "blockquote":
            self._close()
            self.quoted += 1
        elif tag == "br" and self.block is not None:
            kind = self.block.kind
            self._close()
            self.block = Block(kind)
        elif tag == "a":
            href = _HREF.search(attrs)
            self.href = html.unescape(href[1]) if href else ""
        elif tag in self.format_names:
            self.formats.append(self.format_names[tag])

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._close()
        elif tag in {"ul", "ol"} and self.lists:
            self._close()
            self.lists.pop()
        elif tag == "blockquote":
            self._close()
            self.quoted = max(0, self.quoted - 1)
        elif tag == "a":
            self.href = None
        elif self.format_names.get(tag) in self.formats:
            self.formats.remove(self.format_names[tag])

    def handle_data(self, data):
        if self.block is None:
            if not data.strip():
                return
            self.block = Block(self._kind("p"))
        formats = frozenset(self.formats)
        pieces = data.split()
        words = self.block.words
        if pieces and words and self.joinable and not data[0].isspace():
            # "<em>dull</em>." is one word, "dull.", as the reader reads it; its first part's
            # formatting stands for it.
            word, word_formats, href = words[-1]
            words[-1] = (word + pieces.pop(0), word_formats, href)
        words.extend((word, formats, self.href) for word in pieces)
        self.joinable = not data[-1].isspace()


def html_blocks(markup):
    reader = _Reader()
    reader.feed(markup or "")
    return reader.blocks


def _quote(words):
    text = " ".join(words)
    return Truncator(text).words(QUOTED_WORDS, truncate="…")


def _kind_name(kind):
    names = {
        "p": _("a paragraph"),
        "ul": _("a bulleted list item"),
        "ol": _("a numbered list item"),
        "pre": _("preformatted text"),
    }
    quoted = kind.startswith("quote ")
    kind = kind.removeprefix("quote ")
    if kind in names:
        name = names[kind]
    elif re.fullmatch(r"h[1-6]", kind):
        name = _("a heading (level %(level)s)") % {"level": kind[1]}
    else:
        name = kind
    return _("%(kind)s in a quotation") % {"kind": name} if quoted else name


def _links(blocks):
    """[(text, href)] of each link, in order."""
    links = []
    for block in blocks:
        previous = None
        for word, _formats, href in block.words:
            if href is not None and previous == href:
                links[-1][0].append(word)
            elif href is not None:
                links.append(([word], href))
            previous = href
    return [(" ".join(words), href) for words, href in links]


def _link_changes(old_blocks, new_blocks):
    old, new = _links(old_blocks), _links(new_blocks)
    changes = []
    for op, i1, i2, j1, j2 in opcodes([t for t, _href in old], [t for t, _href in new]):
        if op == "equal":
            for (text, was), (_text, now) in zip(old[i1:i2], new[j1:j2], strict=True):
                if was != now:
                    changes.append(
                        format_html(
                            _("The link on “{}” now points to {}, was {}."),
                            _quote(text.split()),
                            now or "—",
                            was or "—",
                        )
                    )
            continue
        removed = old[i1:i2]
        added = new[j1:j2]
        if len(removed) == len(added) and all(
            a[1] == b[1] for a, b in zip(removed, added, strict=True)
        ):
            continue  # the same targets with other words: the word diff shows it
        changes.extend(
            format_html(_("Link removed from “{}” (it pointed to {})."), _quote(t.split()), h)
            for t, h in removed
        )
        changes.extend(
            format_html(_("New link on “{}” to {}."), _quote(t.split()), h) for t, h in added
        )
    return changes


def _format_changes(pairs):
    """Sentences for words kept in both versions whose formatting changed, a phrase at a time."""
    changes = []
    run, run_key = [], None

    def flush():
        if not run:
            return
        added, removed = run_key
        quoted = _quote(run)
        if added:
            changes.append(format_html(_("“{}” is now {}."), quoted, " + ".join(sorted(added))))
        if removed:
            changes.append(
                format_html(_("“{}” is no longer {}."), quoted, " + ".join(sorted(removed)))
            )

    for (word, was, _h1), (_word, now, _h2) in pairs:
        key = (now - was, was - now)
        if key != run_key or not (key[0] or key[1]):
            flush()
            run, run_key = [], key
        if key[0] or key[1]:
            run.append(word)
    flush()
    return changes


def _matched_words(old_block, new_block):
    """Pairs of words that are the same in both blocks, in order."""
    a, b = old_block.words, new_block.words
    pairs = []
    for op, i1, i2, j1, _j2 in opcodes([w for w, *_rest in a], [w for w, *_rest in b]):
        if op == "equal":
            pairs.extend(zip(a[i1:i2], b[j1 : j1 + i2 - i1], strict=True))
    return pairs


def markup_changes(old_markup, new_markup):
    """What changed in the links and formatting of rich text, as sentences for the editor
    (escaped): link targets, bold, italic…, and paragraphs that became headings or list items.
    Blocks are matched by their text first, as the word diff does, so that long texts stay
    cheap."""
    old_blocks, new_blocks = html_blocks(old_markup), html_blocks(new_markup)
    changes = _link_changes(old_blocks, new_blocks)
    for op, i1, i2, j1, j2 in opcodes([b.text for b in old_blocks], [b.text for b in new_blocks]):
        if op not in {"equal", "replace"} or i2 - i1 != j2 - j1:
            continue  # added or removed paragraphs: the word diff shows them
        for old, new in zip(old_blocks[i1:i2], new_blocks[j1:j2], strict=True):
            if old.kind != new.kind:
                changes.append(
                    format_html(
                        _("“{}” is now {}, was {}."),
                        _quote(new.text.split()),
                        _kind_name(new.kind),
                        _kind_name(old.kind),
                    )
                )
            changes.extend(_format_changes(_matched_words(old, new)))
    return changes


def relation_changes(old, new):
    """[(label, added, removed)] for the tags and the authors of two article versions."""
    result = []
    for label, before, after in [
        (_("Tags"), old.tag_names, new.tag_names),
        (_("Authors"), old.author_names, new.author_names),
    ]:
        added = [name for name in after if name not in before]
        removed = [name for name in before if name not in after]
        result.append((label, added, removed))
    return result
