"""Search over published articles: full text on PostgreSQL, word matching elsewhere.

On PostgreSQL each article stores a weighted document (title A, tags and lead B, body C) in
`search_vector`, GIN-indexed; queries use web-search syntax (`"a phrase"`, `-word`, `or`), are
ranked, and come with a highlighted excerpt from ts_headline. The configuration is the site's
language (settings.NEWSROOM_SEARCH_CONFIG, `russian` for a Russian site); changing it needs
`manage.py rebuild_search_index`.

On SQLite (development, tests) an article is found when it contains every word (or quoted
phrase) of the query and none of the `-words`, in any letter case (Cyrillic too). A word is also
found in another form: the Snowball stemmer of the site's language cuts it to its stem, and any
word starting with that stem counts ("Медузы" → "медуз" finds "Медуза"; "glaciers" → "glacier").
Its excerpt is highlighted in Python. Either way the query is passed to the database as a
parameter, never as SQL.
"""

import functools
import re
from html import unescape

import snowballstemmer
from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import F, Func, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10

# ts_headline marks matches with these; everything else is escaped before they become <mark>.
_START, _STOP = "\ue000", "\ue001"
_TERM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
_WORD_CHARACTER = re.compile(r"[^\W_]")


def document(tagged_item_model):
    """The weighted search document of each article row, as an SQL expression."""
    config = settings.NEWSROOM_SEARCH_CONFIG
    tag_names = Subquery(
        tagged_item_model.objects.filter(
            content_type__app_label="articles",
            content_type__model="article",
            object_id=OuterRef("pk"),
        )
        .values("object_id")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector(tag_names, weight="B", config=config)
        + SearchVector("lead", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def search_articles(queryset, query):
    """`queryset` narrowed to the articles matching `query`, best first."""
    if connections[queryset.db].vendor == "postgresql":
        return _full_text(queryset, query)
    return _all_words(queryset, query)


def websearch_text(query):
    """`query` as PostgreSQL is given it: at most MAX_TERMS words and phrases holding a letter
    or a digit, each with one minus at most, and the `or`s between them; "" when none is left.

    Punctuation alone never reaches the text-search parser, nor a run of minus signs: 33 of
    them ("- - - …") overflow its operator stack ("tsquery stack too small", a 500)."""
    kept, words = [], 0
    for match in _TERM.finditer(query):
        minus, phrase, word_minus, word = match.groups()
        if phrase is None:
            minus, text = word_minus, word.lstrip('-"')
        else:
            text = phrase
        if text.lower() == "or" and not minus:
            kept.append("or")
        elif _WORD_CHARACTER.search(text) and words < MAX_TERMS:
            kept.append(minus + (f'"{text}"' if phrase is not None else text))
            words += 1
    return " ".join(kept) if words else ""


def _full_text(queryset, query):
    config = settings.NEWSROOM_SEARCH_CONFIG
    text = websearch_text(query)
    if not text:
        return queryset.none()
    search_query = SearchQuery(text, search_type="websearch", config=config)
    body_text = Func(
        F("body"),
        Value("<[^>]+>"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    return (
        queryset.filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            headline=SearchHeadline(
                Concat(F("lead"), Value(" "), body_text, output_field=TextField()),
                search_query,
                config=config,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


def terms(query):
    """(text, excluded) pairs of a query in web-search syntax, at most MAX_TERMS of them."""
    found = []
    for match in _TERM.finditer(query):
        minus, phrase, word_minus, word = match.groups()
        if phrase is not None:
            text, excluded = " ".join(phrase.split()), bool(minus)
        else:
            text, excluded = word.strip(".,;:!?()[]{}'\"«»"), bool(word_minus)
        if _WORD_CHARACTER.search(text) and text.lower() != "or":
            found.append((text, excluded))
    return found[:MAX_TERMS]


@functools.cache
def _stemmer(config):
    """The Snowball stemmer for a text-search configuration's language, None for `simple`."""
    if config in snowballstemmer.algorithms():
        return snowballstemmer.stemmer(config)
    return None


def word_pattern(text):
    """A regular expression (for re.IGNORECASE) finding `text` as written, or, for one word,
    any word that starts with its stem: "Медузы" gives `Медузы|\\bмедуз`. A phrase is matched
    as written. Both parts are literals, so matching stays linear in the text."""
    stemmer = _stemmer(settings.NEWSROOM_SEARCH_CONFIG)
    pattern = re.escape(text)
    if stemmer is not None and " " not in text:
        stem = stemmer.stemWord(text.lower())
        if stem and stem != text.lower():
            pattern += r"|\b" + re.escape(stem)
    return pattern


def _all_words(queryset, query):
    wanted = [text for text, excluded in terms(query) if not excluded]
    if not wanted:
        return queryset.none()
    tagged = queryset.model.objects.values("pk")
    for text, excluded in terms(query):
        # iregex: SQLite's LIKE folds the case of ASCII letters only; Python's re does Unicode.
        pattern = word_pattern(text)
        contains = (
            Q(title__iregex=pattern)
            | Q(lead__iregex=pattern)
            | Q(body__iregex=pattern)
            | Q(pk__in=tagged.filter(tags__name__iregex=pattern))
        )
        queryset = queryset.exclude(contains) if excluded else queryset.filter(contains)
    return queryset.order_by("-published_at", "-pk")


def snippet(article, query):
    """The article's excerpt for a results page, matches wrapped in <mark>, as safe HTML."""
    headline = getattr(article, "headline", None)
    if headline is not None:
        # ts_headline worked on the stored HTML with its tags stripped: entities remain.
        text = escape(unescape(headline))
        return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))
    return highlight(article.excerpt, [text for text, excluded in terms(query) if not excluded])


def highlight(text, words):
    if not words:
        return escape(text)
    # A stem marks the whole word it starts.
    pattern = re.compile("|".join(f"(?:{word_pattern(w)})\\w*" for w in words), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[last : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))
