"""Readable differences between two versions of an article, word by word, escaped."""

import difflib
import html
import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

_BLOCK_END = re.compile(r"</(p|h[1-6]|li|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_TOKEN = re.compile(r"\s+|[^\s]+")


def html_paragraphs(markup):
    """The text of rich text, one paragraph a line, as an editor reads it."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", markup or ""))
    return [line.strip() for line in html.unescape(text).splitlines() if line.strip()]


def _words(old, new):
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
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
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
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
    """[(label, changed, html)] for each field, comparing two versions of a model."""
    result = []
    for name in fields:
        before, after = getattr(old, name) or "", getattr(new, name) or ""
        if name == "body":
            old_lines, new_lines = html_paragraphs(before), html_paragraphs(after)
        else:
            old_lines, new_lines = before.splitlines(), after.splitlines()
        label = new._meta.get_field(name).verbose_name
        result.append((label, before != after, inline_diff(old_lines, new_lines)))
    return result
