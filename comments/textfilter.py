"""Readers' text as the moderators' word lists see it, however it is disguised.

Every step is one pass over the text, so checking a comment stays linear in its length (a
5,000-character comment takes milliseconds however it is built: tests/security/
test_comment_abuse.py measures it).

For the lead, at merge: another branch adds `newsroom.text.fold` for display names. This
module's `fold` does the same kind of thing for matching comment text; the two should become
one function, with `letters_and_word_starts` and `WordList` built on it.
"""

import re
import unicodedata

# Look-alike letters from other scripts, mapped to the Latin letter a reader sees (both cases,
# because some look different once lower-cased: Greek capital eta is an H, small eta an n).
CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "А": "A", "а": "a", "В": "B", "в": "b", "С": "C", "с": "c", "Е": "E", "е": "e",
        "Н": "H", "н": "h", "І": "I", "і": "i", "Ј": "J", "ј": "j", "К": "K", "к": "k",
        "М": "M", "м": "m", "О": "O", "о": "o", "Р": "P", "р": "p", "Ѕ": "S", "ѕ": "s",
        "Т": "T", "т": "t", "У": "Y", "у": "y", "Х": "X", "х": "x", "Ԁ": "D", "ԁ": "d",
        "Ԛ": "Q", "ԛ": "q", "Ԝ": "W", "ԝ": "w", "Һ": "H", "һ": "h", "Ӏ": "l", "ӏ": "l",
        "Ү": "Y", "ү": "y", "Ь": "b", "ь": "b",
        # Greek
        "Α": "A", "α": "a", "Β": "B", "β": "b", "Ε": "E", "ε": "e", "Ζ": "Z", "Η": "H",
        "η": "n", "Ι": "I", "ι": "i", "Κ": "K", "κ": "k", "Μ": "M", "Ν": "N", "ν": "v",
        "Ο": "O", "ο": "o", "Ρ": "P", "ρ": "p", "Τ": "T", "τ": "t", "Υ": "Y", "υ": "u",
        "Χ": "X", "χ": "x", "ω": "w",
        # Latin letters that pass for others
        "ı": "i", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ʀ": "r", "ꜱ": "s",
    }
)  # fmt: skip

# Characters that show nothing but are letters or symbols to Unicode (Hangul fillers, the
# braille blank, Mongolian and Khmer vowel signs used as spacers). Format characters (zero-width
# spaces and joiners, the soft hyphen, bidi controls) and combining marks are found by category.
INVISIBLE = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
HIDDEN_CATEGORIES = frozenset({"Cf", "Mn", "Me"})


def fold(text):
    """The text reduced to what a reader sees: NFKC (fullwidth and mathematical letters,
    ligatures become plain ones), accents and other combining marks removed, invisible
    characters removed, look-alike letters from other scripts replaced by the Latin letter
    they imitate, and case folded. For matching only: never shown or stored as the text."""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
    text = "".join(
        char
        for char in text
        if char not in INVISIBLE and unicodedata.category(char) not in HIDDEN_CATEGORIES
    )
    return text.translate(CONFUSABLES).casefold()


def letters_and_word_starts(folded):
    """The letters and digits of a folded text with everything between them dropped ("b.a.d",
    "b-a-d" and "b a d" are all "bad"), the positions in them where a word starts, and the
    positions where a word ends (just after its last letter)."""
    letters, starts, ends = [], [], set()
    in_word = False
    for char in folded:
        if char.isalnum():
            if not in_word:
                starts.append(len(letters))
            letters.append(char)
            in_word = True
        elif in_word:
            ends.add(len(letters))
            in_word = False
    if in_word:
        ends.add(len(letters))
    return "".join(letters), starts, ends


def normalised(text):
    """The text as the duplicate check compares it: folded, its words only, one space apart
    ("Buy  NOW!!" and "buy now" are the same text)."""
    return " ".join(re.findall(r"\w+", fold(text)))


def plural_forms(letters):
    forms = [letters, letters + "s", letters + "es"]
    if letters.endswith("y"):
        forms.append(letters[:-1] + "ies")
    return forms


END = ""  # a trie key no letter can be


class WordList:
    """Words and phrases to look for, one per entry. A match starts where a word starts and
    ends where a word ends, ignores whatever stands between its letters (so "b a d" and "b.a.d"
    are "bad", and "buy now" is also "buynow" and "buy-now"), and takes simple plurals ("bads",
    "glasses", "parties"). "Scampi" does not contain "scam", nor does "is cam".

    The words are kept in a trie; the text is walked once from each word start, never further
    than the longest listed word: linear in the text's length."""

    def __init__(self, entries):
        self.trie = {}
        for entry in entries:
            entry = entry.strip()
            letters = letters_and_word_starts(fold(entry))[0]
            if not letters:
                continue
            for form in plural_forms(letters):
                node = self.trie
                for char in form:
                    node = node.setdefault(char, {})
                node.setdefault(END, entry)

    @classmethod
    def from_lines(cls, text):
        return cls(line for line in text.splitlines() if line.strip())

    def first_in(self, text):
        """The first listed word found in the text (as the moderator wrote it), or None."""
        if not self.trie:
            return None
        letters, starts, ends = letters_and_word_starts(fold(text))
        for start in starts:
            node, position = self.trie, start
            while position < len(letters):
                node = node.get(letters[position])
                if node is None:
                    break
                position += 1
                if END in node and position in ends:
                    return node[END]
        return None


# What urlize makes a link of, looked for in one word at a time: a scheme, "www.", an e-mail
# address, or a name under one of the top-level domains urlize knows without a scheme.
LINK = re.compile(
    r"://|(?<![\w.])www\.|\w@\w[\w-]*\.\w|\w\.(?:com|edu|gov|int|mil|net|org)\b",
    re.IGNORECASE,
)


def count_links(text):
    """How many of the text's words readers will see as links."""
    return sum(1 for word in text.split() if LINK.search(word))
