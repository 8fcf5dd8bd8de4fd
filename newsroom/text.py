"""Readers' text compared as readers see it, and written safely into logs.

`fold(text)` is the one definition of "looks the same": two names (or a word and a banned
word) that fold alike are the same to a reader's eye. `loggable(text)` is the one way user input
goes into a log line.
"""

import functools
import re
import unicodedata

from confusable_homoglyphs.confusables import confusables_data

# Invisible although not in a format or control category (Unicode's Default_Ignorable_Code_Point
# letters and marks, and the blank Braille pattern that shows as a space).
_INVISIBLE = set(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0"
    "\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f"
)
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def is_invisible(character):
    """Control, format (zero-width, text direction), unassigned and private characters, and
    the letters Unicode keeps for "nothing to show"."""
    return (
        character in _INVISIBLE
        or "\U000e0100" <= character <= "\U000e01ef"  # variation selectors supplement
        or unicodedata.category(character) in _INVISIBLE_CATEGORIES
    )


def has_invisible(text):
    return any(is_invisible(character) for character in text)


def normalize(text):
    """NFKC with runs of white space made one space: what a name is stored as."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


@functools.cache
def _prototypes():
    """Each confusable character mapped to the one that stands for its look-alike class.

    The confusable-homoglyphs package ships Unicode's confusables.txt (UTS #39) as pairs of
    look-alikes in both directions; every class there is one prototype and the characters
    that resemble it. The prototype is the member listed with most look-alikes (for a
    class of two, the one with the lower code point, so both fold to the same).
    """
    mapping = {}
    for character, homoglyphs in confusables_data.items():
        if len(character) != 1:
            continue  # a sequence ("rn") is only ever a prototype, never mapped from
        others = [h["c"].strip("\u200e\u200f") for h in homoglyphs]
        if len(others) != 1:
            continue  # many look-alikes: this character is a prototype itself
        (other,) = others
        other_count = len(confusables_data.get(other, ()))
        if other_count > 1 or len(other) > 1 or other < character:
            mapping[character] = other
    return mapping


def _skeleton(text):
    prototypes = _prototypes()
    return "".join(prototypes.get(character, character) for character in text)


def fold(text):
    """The form under which look-alike texts are equal: NFKC, invisible characters dropped,
    white space collapsed, confusable letters mapped to their prototype ("Аnna" in Cyrillic,
    "Anna"), case folded. Case is folded first, so "ADMIN" is "admin" (which leaves capital "I"
    and small "l" apart), and again after mapping, for look-alikes of capital letters."""
    text = normalize("".join(c for c in text if not is_invisible(c)))
    return _skeleton(_skeleton(text.casefold()).casefold())


_LOG_ESCAPES = re.compile(
    r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def loggable(text):
    """`text` with line breaks, control and text-direction characters (and the backslash)
    written as Python escapes, so user input can neither start a forged log line nor hide
    part of one."""
    return _LOG_ESCAPES.sub(lambda match: repr(match.group())[1:-1], str(text))
