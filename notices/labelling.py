"""Labelling mentions of registered names, and the cached snapshot of notices and labels.

Labelling works on sanitized HTML (or on HTML that Django's own escaping filters produced):
the markup is split into tags and text, only text outside links and code is touched, and what
is inserted is escaped the way the sanitizer escapes text, so the output is still clean and the
sanitizer leaves it unchanged. Names are matched in their escaped form, so no text is ever
unescaped and escaped again.

Everything a page needs (active notices, labels in force, the compiled matcher) is loaded once
per version of the `notices` key (newsroom/invalidation.py) and day, in a fixed number of queries;
a change to a notice or label announces `notices_changed()`, so the next request sees it.
"""

import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from newsroom import invalidation
from newsroom.richtext import display_html

from . import inflection

SNAPSHOT_TIMEOUT = 24 * 60 * 60
# Inside these, text is left alone: a link's text is the link, code is code.
SKIPPED_TAGS = {"a", "code", "pre"}

_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
_CLOSING_QUOTES = re.compile(r"[»“”\"]{0,2}")  # «Медузы», „«Медузы»“


def escape_text(text):
    """Escape text the way the sanitizer (html5ever) serializes text nodes."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\u00a0", "&nbsp;")
    )


def _trie_pattern(terms):
    """One regular expression for all terms, factored by common prefixes, so matching costs
    the same with 5 or 500 labels. Where one term is a prefix of another the longer is tried
    first, so a longer name wins over a shorter one inside it."""
    trie = {}
    for term in terms:
        node = trie
        for char in term:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node):
        branches = [re.escape(char) + build(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@dataclass(frozen=True)
class Mention:
    label: "LabelData"
    term: str
    labelled: bool  # the label follows it, or labelling appends it
    linked: bool = False  # inside a link or code, where it cannot be labelled


class Matcher:
    """Finds the terms of many labels in text, in one pass.

    On a Russian site (`inflection.inflects()`, or `inflect=True`) each term's case and number
    forms are looked for too, in the same expression: "Медуза" finds "Медузы", "Медузе",
    "Медузой"… A name or alias as written wins over another label's inflected form that is
    spelled the same; between two labels' forms, the first label (in the snapshot's order)
    keeps it."""

    def __init__(self, labels, inflect=None):
        self.by_term = {}
        self.forms = {}  # escaped form -> (escaped term, case, number), for the Mentions panel
        for label in labels:
            for term in label.terms:
                self.by_term.setdefault(escape_text(term), label)
        self.inflects = inflection.inflects() if inflect is None else inflect
        if self.inflects:
            for label in labels:
                for term in label.terms:
                    for form, (case, number) in inflection.forms_of(term).items():
                        escaped = escape_text(form)
                        if escaped not in self.by_term:
                            self.by_term[escaped] = label
                            self.forms[escaped] = (escape_text(term), case, number)
        if self.by_term:
            self.regex = re.compile(r"(?<!\w)" + _trie_pattern(self.by_term) + r"(?!\w)")
        else:
            self.regex = None

    def finditer(self, text):
        if self.regex is None:
            return iter(())
        return self.regex.finditer(text)

    def found_as(self, found):
        """(the name or alias, "genitive") for an inflected form found, or None for a term
        found as written."""
        if found not in self.forms:
            return None
        term, case, number = self.forms[found]
        return term, inflection.describe(case, number)


def _label_at(matcher, text, match):
    """Where the label goes: after the mention, or on a Russian site after the closing quotes
    around it ("«Правого сектора» (запрещена)")."""
    end = match.end()
    if matcher.inflects:
        end += len(_CLOSING_QUOTES.match(text, end)[0])
    return end


def _already_labelled(label, following):
    return following.lstrip().startswith(f"({escape_text(label.label_text)})")


def _walk(html, matcher, *, apply):
    """The mentions in order, and the HTML, labelled if `apply`."""
    parts = _TAG.split(html)
    mentions = []
    done = set()
    skipped_depth = 0
    for index in range(0, len(parts), 2):
        if index:
            tag = _TAG_NAME.match(parts[index - 1])
            if tag and tag[2].lower() in SKIPPED_TAGS:
                skipped_depth = max(0, skipped_depth + (-1 if tag[1] else 1))
        text = parts[index]
        if not text or matcher.regex is None:
            continue
        pieces = []
        last = 0
        for match in matcher.finditer(text):
            label = matcher.by_term[match[0]]
            if skipped_depth:
                mentions.append(Mention(label, match[0], label.pk in done, linked=True))
                continue
            if label.pk in done:
                mentions.append(Mention(label, match[0], True))
                continue
            done.add(label.pk)
            end = _label_at(matcher, text, match)
            # The label may already follow, possibly after an inline tag (</em> (banned...)).
            following = text[end : end + 600]
            if len(following) < 600:
                following += "".join(parts[index + 2 : index + 8 : 2])
            if not _already_labelled(label, following):
                pieces += [text[last:end], f" ({escape_text(label.label_text)})"]
                last = end
            mentions.append(Mention(label, match[0], True))
        if apply and pieces:
            parts[index] = "".join(pieces) + text[last:]
    return mentions, "".join(parts)


def label_html(html, matcher):
    """Append each label, in parentheses, after the first labelable mention of its names."""
    if not html or matcher.regex is None:
        return html
    return _walk(html, matcher, apply=True)[1]


def find_mentions(html, matcher):
    """Every mention in the HTML, whether labelling labels it, and which it cannot reach."""
    if not html:
        return []
    return _walk(html, matcher, apply=False)[0]


def find_text_mentions(text, matcher):
    """Mentions in plain text (a headline, a lead), which nothing rewrites: labelled only if
    the text itself carries the label after the mention."""
    escaped = escape_text(text)
    return [
        Mention(
            matcher.by_term[match[0]],
            match[0],
            _already_labelled(
                matcher.by_term[match[0]], escaped[_label_at(matcher, escaped, match) :]
            ),
        )
        for match in matcher.finditer(escaped)
    ]


@dataclass(frozen=True)
class LabelData:
    pk: int
    name: str
    label_text: str
    listing: str
    terms: tuple
    notice_id: int

    @classmethod
    def of(cls, label):
        return cls(
            pk=label.pk,
            name=label.name,
            label_text=label.label_text,
            listing=label.listing,
            terms=tuple(label.terms),
            notice_id=label.notice_id,
        )


@dataclass(frozen=True)
class ChannelData:
    pk: int
    name: str
    kind: str
    link: str
    description: str
    icon: str
    external: bool

    @classmethod
    def of(cls, channel):
        return cls(
            pk=channel.pk,
            name=channel.name,
            kind=channel.kind,
            link=channel.link,
            description=channel.description,
            icon=channel.icon,
            external=channel.is_external,
        )


@dataclass(frozen=True)
class NoticeData:
    pk: int
    name: str
    body: str
    placement: str
    scope: str
    position: int
    list_format: str
    labels: tuple = ()
    targets: frozenset = frozenset()  # the chosen sections' or articles' ids
    channels: tuple = ()  # its active channels, in order

    @classmethod
    def of(cls, notice, labels, targets=frozenset(), channels=()):
        """What a page needs of a notice row, with the labels it lists (if it lists any) and
        its active channels."""
        return cls(
            pk=notice.pk,
            name=notice.name,
            body=notice.body,
            placement=notice.placement,
            scope=notice.scope,
            position=notice.position,
            list_format=notice.list_format,
            labels=tuple(labels) if notice.list_format else (),
            targets=frozenset(targets),
            channels=tuple(channels),
        )

    def applies_to(self, article):
        from .models import Notice

        if self.scope == Notice.Scope.EVERYWHERE:
            return True
        if not article:
            return False
        if self.scope == Notice.Scope.SECTIONS:
            return article.section_id in self.targets
        return article.pk in self.targets


@dataclass
class Snapshot:
    key: str
    notices: tuple
    labels: tuple
    _matcher: Matcher = field(default=None, repr=False)
    _inflects: bool = field(default=None, repr=False)

    def __getstate__(self):
        # The compiled matcher stays in this process; it is rebuilt, not unpickled.
        return {
            "key": self.key,
            "notices": self.notices,
            "labels": self.labels,
            "_matcher": None,
            "_inflects": None,
        }

    @property
    def matcher(self):
        """Built once per snapshot and process (with the forms of every name on a Russian
        site), never per request."""
        inflects = inflection.inflects()
        if self._matcher is None or self._inflects != inflects:
            self._matcher = Matcher(self.labels, inflect=inflects)
            self._inflects = inflects
        return self._matcher

    def notices_for(self, placement, article=None):
        return [n for n in self.notices if n.placement == placement and n.applies_to(article)]


def _by_notice(rows, notice_id):
    grouped = {}
    for row in rows:
        grouped.setdefault(notice_id(row), []).append(row)
    return grouped


def load_snapshot(day=None):
    """Active notices and the labels in force on `day`, in two to five queries: one more for
    their channels, one per kind of scoped notice."""
    from .models import Channel, Label, Notice

    day = day or timezone.localdate()
    labels = tuple(
        LabelData.of(label)
        for label in Label.objects.in_force(day).order_by("notice_id", "position", "name", "pk")
    )
    notices = list(Notice.objects.filter(active=True).order_by("placement", "position", "pk"))
    scoped = {}
    for scope, through, column in [
        (Notice.Scope.SECTIONS, Notice.sections.through, "section_id"),
        (Notice.Scope.ARTICLES, Notice.articles.through, "article_id"),
    ]:
        ids = [notice.pk for notice in notices if notice.scope == scope]
        if ids:
            for notice_id, target in through.objects.filter(notice_id__in=ids).values_list(
                "notice_id", column
            ):
                scoped.setdefault(notice_id, set()).add(target)
    channels = {}
    if notices:
        rows = Channel.objects.filter(notice__in=notices, active=True).order_by(
            "notice_id", "position", "pk"
        )
        channels = _by_notice(rows, lambda row: row.notice_id)
    by_notice = _by_notice(labels, lambda label: label.notice_id)
    return tuple(
        NoticeData.of(
            notice,
            by_notice.get(notice.pk, ()),
            scoped.get(notice.pk, ()),
            [ChannelData.of(row) for row in channels.get(notice.pk, ())],
        )
        for notice in notices
    ), labels


def load_snapshot_as_of(moment):
    """The notices and the labels as readers saw them at `moment`, from their history: each
    notice's text, placement, scope and chosen sections or articles then, and the labels in
    force then, with their channels then. Four to seven queries, whatever the history holds."""
    from .models import Channel, Label, Notice, in_force

    day = timezone.localdate(moment)
    labels = tuple(
        LabelData.of(label)
        for label in Label.history.as_of(moment)
        .filter(in_force(day))
        .order_by("notice_id", "position", "name", "id")
    )
    records = list(
        Notice.history.filter(history_date__lte=moment)
        .latest_of_each()
        .exclude(history_type="-")
        .filter(active=True)
        .order_by("placement", "position", "id")
    )
    scoped = {}
    for scope, relation, column in [
        (Notice.Scope.SECTIONS, "sections", "section_id"),
        (Notice.Scope.ARTICLES, "articles", "article_id"),
    ]:
        ids = {record.history_id: record.id for record in records if record.scope == scope}
        if ids:
            through = getattr(Notice.history.model, relation).model  # the m2m history
            for history_id, target in through.objects.filter(history_id__in=ids).values_list(
                "history_id", column
            ):
                scoped.setdefault(ids[history_id], set()).add(target)
    channels = {}
    if records:
        rows = (
            Channel.history.as_of(moment)
            .filter(notice_id__in=[record.id for record in records], active=True)
            .order_by("notice_id", "position", "id")
        )
        channels = _by_notice(rows, lambda row: row.notice_id)
    by_notice = _by_notice(labels, lambda label: label.notice_id)
    notices = tuple(
        NoticeData.of(
            record.instance,
            by_notice.get(record.id, ()),
            scoped.get(record.id, ()),
            [ChannelData.of(row) for row in channels.get(record.id, ())],
        )
        for record in records
    )
    return notices, labels


_as_of_memo = None  # (key, Snapshot): one archived view renders several notices and a body


def snapshot_as_of(moment):
    """`load_snapshot_as_of(moment)`, kept for this process until a notice or label changes
    (a moment in the past can still gain history: a later edit is dated now, not then)."""
    global _as_of_memo
    version = invalidation.versions(invalidation.NOTICES)[invalidation.NOTICES]
    key = f"notices:as-of:{version}:{moment.isoformat()}"
    memo = _as_of_memo
    if memo is not None and memo.key == key:
        return memo
    _as_of_memo = Snapshot(key, *load_snapshot_as_of(moment))
    return _as_of_memo


def snapshot_for(moment=None):
    """Today's snapshot, or the one of `moment` (an archived view of a page)."""
    return snapshot() if moment is None else snapshot_as_of(moment)


_memo = None  # (key, Snapshot) of this process: no unpickling, no recompiling per request


def snapshot():
    global _memo
    # The version carries the day too (labels start and end on given days); read once a request.
    version = invalidation.versions(invalidation.NOTICES)[invalidation.NOTICES]
    key = f"notices:snapshot:{version}"
    memo = _memo
    if memo is not None and memo.key == key:
        return memo
    cached = cache.get(key)
    if cached is None:
        notices, labels = load_snapshot()
        cached = Snapshot(key, notices, labels)
        cache.set(key, cached, SNAPSHOT_TIMEOUT)
    _memo = cached
    return cached


def labelled_body(article, moment=None):
    """The article body as readers see it (tables and embeds: richtext.display_html) with its
    mentions labelled, cached per article version. An embed's provider is named in its
    block's text, so the name is labelled there when it is the first mention. At `moment`,
    with the labels in force then (not cached: an editor's archived view)."""
    if moment is not None:
        return label_html(display_html(article.body), snapshot_as_of(moment).matcher)
    snap = snapshot()
    stamp = article.updated_at.timestamp() if article.updated_at else ""
    forms = "ru" if inflection.inflects() else ""  # labelled with the forms, or without
    key = f"{snap.key}:body{forms}:{article.pk}:{stamp}"
    html = cache.get(key)
    if html is None:
        html = label_html(display_html(article.body), snap.matcher)
        cache.set(key, html, SNAPSHOT_TIMEOUT)
    return html
