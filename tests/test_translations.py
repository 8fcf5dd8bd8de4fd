"""The catalogues are complete and hold every string marked in the code; templates mark every
visible English string. Extraction here needs no gettext tools (Babel reads the sources), so it
runs on a fresh machine; `make messages` (with gettext) is what writes the catalogues."""

import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

from newsroom import translations

BASE = Path(settings.BASE_DIR).resolve()
TEMPLATES = BASE / "templates"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
SKIPPED_DIRS = {".venv", "tests", "bench", "security", "migrations", "media", "staticfiles"}
SKIPPED_DIRS |= {"locale"}


def catalogues():
    return list(translations.catalogue_files())


def catalogue_ids(po, language="ru"):
    found = set()
    for message in translations.read_catalogue(po, language):
        if message.id:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            found.add((message.context, key))
    return found


def source_files():
    """(file, the locale folder its strings belong in)."""
    app_dirs = {path.parent: path for path in translations.locale_dirs()}
    root = BASE / "locale"
    for path in sorted(BASE.rglob("*")):
        relative = path.relative_to(BASE)
        if SKIPPED_DIRS & set(relative.parts) or any(p.startswith(".") for p in relative.parts):
            continue
        if path.suffix == ".py" and relative.parts[0] != "templates":
            owner = app_dirs.get(BASE / relative.parts[0]) if len(relative.parts) > 1 else None
            if owner is not None:
                yield path, owner
        elif path.is_file() and relative.parts[0] == "templates":
            yield path, root


TEMPLATE_CALL = re.compile(r"\b(gettext|ngettext|pgettext|npgettext)\(")


def template_calls(path):
    """The gettext calls Django's templatize() makes of a template, as Python source. Its
    output is Python only inside those calls, so each call is parsed on its own."""
    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    calls = []
    for match in TEMPLATE_CALL.finditer(text):
        end = match.end()
        while (end := text.find(")", end) + 1) > 0:
            try:
                ast.parse(text[match.start() : end])
            except SyntaxError:
                continue
            calls.append(text[match.start() : end])
            break
    return "\n".join(calls).encode()


def marked_strings(path):
    source = path.read_bytes() if path.suffix == ".py" else template_calls(path)
    found = set()
    for _line, message, _comments, context in extract("python", io.BytesIO(source), KEYWORDS):
        key = message[0] if isinstance(message, tuple) else message
        if key:
            found.add((context, key))
    return found


def test_every_project_app_and_the_templates_have_both_catalogues():
    folders = translations.locale_dirs()
    assert BASE / "locale" in folders
    assert len(folders) >= 8, folders  # templates and the seven apps with strings
    for folder in folders:
        for language in translations.CATALOGUE_LANGUAGES:
            assert (folder / language / "LC_MESSAGES" / "django.po").is_file(), (folder, language)


@pytest.mark.parametrize("language,po", catalogues(), ids=lambda v: str(v))
def test_catalogue_is_complete_with_nothing_fuzzy(language, po):
    catalogue = translations.read_catalogue(po, language)
    assert catalogue.num_plurals == {"en": 2, "ru": 4}[language]
    missing, fuzzy = [], []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wrong_forms = message.pluralizable and len(strings) != catalogue.num_plurals
        if wrong_forms or not all(s.strip() for s in strings):
            missing.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not missing, f"{len(missing)} untranslated in {po}: {missing[:10]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {po}: {fuzzy[:10]}"


@pytest.mark.parametrize("language,po", catalogues(), ids=lambda v: str(v))
def test_translations_keep_the_placeholders(language, po):
    """A translation that drops or renames %(name)s would raise when the page renders."""
    problems = []
    catalogue = translations.read_catalogue(po, language)
    for message, errors in catalogue.check():
        problems.append((message.id, [str(e) for e in errors]))
    assert not problems, problems[:10]


def test_catalogues_hold_every_marked_string():
    expected = {}
    for path, folder in source_files():
        expected.setdefault(folder, set()).update(marked_strings(path))
    assert expected[BASE / "locale"], "no string found in templates: the extraction is broken"
    for folder, strings in expected.items():
        for language in translations.CATALOGUE_LANGUAGES:
            po = folder / language / "LC_MESSAGES" / "django.po"
            missing = strings - catalogue_ids(po, language)
            assert not missing, (
                f"{len(missing)} string(s) marked in the code are not in {po.relative_to(BASE)} "
                f"(run `make messages`, then translate): {sorted(m[1] for m in missing)[:10]}"
            )


# Template text a reader sees: data between tags, and these attributes.
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
# Words that are the same in every language: the names of the feed formats.
SAME_EVERYWHERE = re.compile(r"\b(RSS|Atom)\b")
ENGLISH = re.compile(r"[A-Za-z]{2,}")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        for name, value in attrs:
            if (
                name in VISIBLE_ATTRIBUTES
                and value
                and ENGLISH.search(SAME_EVERYWHERE.sub("", value))
            ):
                self.found.append(f"{name}={value.strip()!r}")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden and ENGLISH.search(SAME_EVERYWHERE.sub("", data)):
            self.found.append(" ".join(data.split()))


def unmarked_text(source):
    """The template's literal text outside {% translate %}/{% blocktranslate %} and comments,
    with every tag and variable replaced by a blank."""
    text, inside = [], None
    for token in Lexer(source).tokenize():
        words = token.contents.split() or [""]
        word = words[0]
        if token.token_type == TokenType.BLOCK:
            if inside is None and word in ("blocktranslate", "blocktrans", "comment"):
                inside = {"comment": "endcomment"}.get(word, "end" + word)
            elif inside is None and word == "block" and words[-1].endswith("class"):
                inside = "endblock"  # class names for an attribute (bodyclass), not text
            elif word == inside:
                inside = None
            text.append(" ")
        elif token.token_type == TokenType.TEXT and inside is None:
            text.append(token.contents)
        else:
            text.append(" ")
    parser = VisibleText()
    parser.feed("".join(text))
    parser.close()
    return parser.found


def test_the_scanner_finds_unmarked_text():
    source = '{% load i18n %}<p title="Read more">{% translate "Ok" %} Sign in</p>{# x #}'
    source += "{% blocktranslate %}Marked {{ x }}{% endblocktranslate %}<script>var a</script>"
    assert unmarked_text(source) == ["title='Read more'", "Sign in"]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TEMPLATES.rglob("*") if p.is_file()),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_template_marks_every_visible_english_string(path):
    assert unmarked_text(path.read_text(encoding="utf-8")) == []
