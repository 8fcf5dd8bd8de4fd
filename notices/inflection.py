"""The case and number forms of a registered name, for a Russian-language site.

A label's name and aliases are written once, in the nominative ("Медуза", "Голос Америки",
"Фонд борьбы с коррупцией"); articles write them in any case ("Медузы", "Медузе", "Голоса
Америки", "Фонда борьбы с коррупцией"). `forms_of(term)` gives every case and number form of a
term, with the grammemes that made it, so the matcher can look for all of them at once.

A multi-word name inflects its head: the words at its start that are in the nominative and
agree (adjectives and participles, then the first noun, the head) take each case and number;
what follows the head (a genitive complement "Америки", a prepositional group "с коррупцией", an
apposition "Радио Свобода") stays as written; a person's first name, surname and patronymic
inflect together ("Михаила Касьянова"). A word the dictionary does not know is inflected
by pymorphy3's prediction from its ending; a word in capitals (an abbreviation: "ФБК") or in
Latin letters, and a word with no nominative reading, are left as written.

pymorphy3 with its Russian dictionary (the pymorphy3-dicts-ru package: nothing is downloaded at
run time) is loaded on first use, once per process (65 ms and 20 MB of memory measured; 16 MB
on disk); the forms of a term are computed once per process and kept (`functools.lru_cache`).
"""

import functools
import re

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
NUMBERS = ("sing", "plur")
CASE_NAMES = {
    "nomn": _("nominative"),
    "gent": _("genitive"),
    "datv": _("dative"),
    "accs": _("accusative"),
    "ablt": _("instrumental"),
    "loct": _("prepositional"),
}
AGREEING = {"ADJF", "PRTF"}

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CYRILLIC = re.compile(r"^[а-яёА-ЯЁ-]+$")


def inflects():
    """Whether the site's language has its names inflected: Russian only."""
    return settings.LANGUAGE_CODE.lower().startswith("ru")


@functools.cache
def _analyzer():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


PERSON = {"Name", "Surn", "Patr"}


def _nominative(word, parses):
    """The readings of a word in the nominative: {"ADJ": an adjective or participle, "NOUN":
    a noun, "PERSON": a first name, surname or patronymic}, the likeliest of each."""
    by_pos = {}
    for parse in parses:
        if "nomn" in parse.tag and parse.tag.POS in AGREEING | {"NOUN"}:
            by_pos.setdefault("ADJ" if parse.tag.POS in AGREEING else "NOUN", parse)
            if parse.tag.POS == "NOUN" and PERSON & parse.tag.grammemes:
                by_pos.setdefault("PERSON", parse)
    return by_pos


def _person_names(words, start, gender):
    """The readings of the first names, surnames and patronymics after a person's name:
    "Михаил Касьянов", "Пономарев Лев" inflect together."""
    morph = _analyzer()
    group = []
    for index in range(start, len(words)):
        word = words[index]
        if not _CYRILLIC.match(word):
            break
        readings = [
            parse
            for parse in morph.parse(word)
            if "nomn" in parse.tag
            and parse.tag.POS == "NOUN"
            and PERSON & parse.tag.grammemes
            and parse.tag.number == "sing"
        ]
        reading = next((r for r in readings if r.tag.gender == gender), None)
        if reading is None:
            break
        group.append((index, reading))
    return group


def _head_group(words):
    """The readings of the words that inflect with the phrase: [(index, parse)], the
    agreeing adjectives and the head noun, or [] if the phrase has no nominative head."""
    morph = _analyzer()
    group = []
    for index, word in enumerate(words):
        if not _CYRILLIC.match(word) or (len(word) > 1 and word.isupper()):
            break
        readings = _nominative(word, morph.parse(word))
        has_next = index + 1 < len(words)
        if "ADJ" in readings and has_next:
            group.append((index, readings["ADJ"]))
            continue
        # A person (its likeliest reading, or a name followed by another: "Блок" is a noun
        # unless a first name follows): the names that follow inflect with it.
        if "PERSON" in readings:
            head = readings["PERSON"]
            names = _person_names(words, index + 1, head.tag.gender)
            if names or readings["NOUN"] is head:
                return [*group, (index, head), *names]
        if "NOUN" in readings:
            group.append((index, readings["NOUN"]))
            return group
        if "ADJ" in readings:  # a name that is an adjective alone ("Исламское")
            group.append((index, readings["ADJ"]))
            return group
        break
    # Adjectives with no noun after them that could head the phrase: nothing inflects.
    return []


def _like(form, original):
    """The form written with the original word's capitals (pymorphy3 answers in lower case)."""
    if original[:1].isupper():
        parts = form.split("-")
        originals = original.split("-")
        return "-".join(
            part[:1].upper() + part[1:] if orig[:1].isupper() else part
            for part, orig in zip(parts, originals + [""] * len(parts), strict=False)
        )
    return form


def _spellings(form, term):
    """The form as the dictionary spells it ("Дождём"), and, for a term written without «ё»,
    with «е» as well ("Дождем"): Russian texts write either."""
    if "ё" not in form.lower() or "ё" in term.lower():
        return [form]
    return [form, form.replace("ё", "е").replace("Ё", "Е")]


@functools.lru_cache(maxsize=65536)
def forms_of(term):
    """{form: (case, number)} for every case and number form of `term` other than itself, in
    the order of CASES and NUMBERS; a form with «ё» comes with «е» too if the term is written
    without «ё» ("Дождь" → "Дождём", "Дождем"). Empty if nothing in the term inflects."""
    pieces = _WORD.split(term)
    words = _WORD.findall(term)
    if not words:
        return {}
    group = _head_group(words)
    if not group:
        return {}
    animacy = group[-1][1].tag.animacy  # the head noun's: an adjective's accusative follows it
    forms = {}
    for number in NUMBERS:
        for case in CASES:
            inflected = list(words)
            for index, parse in group:
                wanted = {case, number}
                if parse.tag.POS in AGREEING and number == "sing" and parse.tag.gender:
                    wanted.add(parse.tag.gender)  # "Открытую Россию", not "Открытый"
                if case == "accs" and animacy and parse.tag.POS in AGREEING:
                    wanted.add(animacy)  # "Правый сектор" → "Правый сектор", not "Правого"
                form = parse.inflect(wanted) or parse.inflect({case, number})
                if form is None:
                    break
                inflected[index] = _like(form.word, words[index])
            else:
                text = pieces[0] + "".join(
                    w + p for w, p in zip(inflected, pieces[1:], strict=True)
                )
                for spelling in _spellings(text, term):
                    if spelling != term:
                        forms.setdefault(spelling, (case, number))
    return forms


def describe(case, number):
    """ "genitive", or "genitive plural": what the Mentions panel says of a form."""
    if number == "plur":
        return gettext("%(case)s plural") % {"case": CASE_NAMES[case]}
    return str(CASE_NAMES[case])
