"""Web addresses (slugs) from headlines and names, Cyrillic ones included.

Cyrillic letters are transliterated by the table of ICAO Doc 9303 (part 3), the system of
Russian passports since 2013 (and of Ukrainian and Belarusian ones for their letters): «Щука
съела ёжика» → "shchuka-sieela-ezhika". The rest is Django's slugify: other Latin letters lose
their accents, what is left that is not a letter, digit or hyphen is dropped. The admin's page
makes the same slug while the editor types (static/js/admin-slugs.js wraps Django's URLify with
this table; tests/e2e/test_slugs.py compares the two).

A slug is made once, when the row is created without one: editing a headline later never
changes an address readers may have linked to.
"""

import re

from django.utils.text import slugify

ICAO_9303 = {
    # Russian
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    # Ukrainian and Belarusian
    "ґ": "g", "є": "ie", "і": "i", "ї": "i", "ў": "u",
}  # fmt: skip

_CYRILLIC = re.compile("[" + "".join(ICAO_9303) + "]")


def has_cyrillic(text):
    return _CYRILLIC.search(text.lower()) is not None


def transliterate(text):
    """`text` in lower case with its Cyrillic letters in Latin (ICAO Doc 9303)."""
    return _CYRILLIC.sub(lambda match: ICAO_9303[match.group()], text.lower())


def slug_from(text, *, max_length, allow_unicode=False):
    """The slug of `text`, at most `max_length` characters, "" when nothing is left (an emoji).

    With `allow_unicode` (tags, as django-taggit makes them) letters of other scripts stay."""
    slug = slugify(transliterate(text), allow_unicode=allow_unicode)
    return slug[:max_length].rstrip("-_")


def unique_slug(model, text, *, fallback):
    """A slug of `text` for a new `model` row that no row has yet: the slug itself, else with
    "-2", "-3"… (`fallback`, e.g. "article", when `text` leaves nothing). One query."""
    field = model._meta.get_field("slug")
    limit = field.max_length
    base = slug_from(text, max_length=limit, allow_unicode=field.allow_unicode) or fallback
    stem = base[: limit - 11].rstrip("-_")
    taken = set(model._default_manager.filter(slug__startswith=stem).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{stem}-{number}" in taken:
        number += 1
    return f"{stem}-{number}"
