"""What changed, and what must be fresh because of it.

Every cached thing (a whole page in the page cache, a part of a page, the notices snapshot)
records the *keys* it depends on and the *version* each key had when it was rendered. A key
names something that can change: one article (`a12`), one article's discussion (`c12`), the
home page's list (`home`), a section's list (`s3`), every page's navigation (`nav`)... A cached
thing is fresh while every key still has the version it recorded; the functions that write say
what they changed through the domain events at the bottom of this module, which give the keys
new versions. The same keys go out as `Surrogate-Key` headers, so a front cache (Varnish with
xkey, a CDN) can be purged by exactly the same names (newsroom/purge.py).

Versions are read once per request (a request's versions are memoized), in one round trip for
all keys that a page declares, and always before the data they guard is read from the database,
so that a write committed meanwhile is never stored under the new version. A new version is given
by deleting the key: the next reader finds none and makes a fresh, never-used one. That happens
after the transaction commits (and once at once, for readers in the same transaction).
"""

import hashlib
import logging
import threading
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import get_language
from django_tasks import task

from newsroom.tasks import ALERT, retrying_task

log = logging.getLogger("newsroom.cache")

VERSION_PREFIX = "v:"
PART_PREFIX = "part:"
# How long a rendered part is kept when nothing changes it (it is also dropped when any key it
# depends on changes). Parts with keys that cannot name everything they show (related articles)
# pass a shorter time: that is how long they may lag.
PART_SECONDS = 24 * 60 * 60

# Keys. One place names them, so the page cache, the parts and the purges agree.
HOME = "home"
FEEDS = "feeds"
SITEMAPS = "sitemaps"
SEARCH = "search"
CORRECTIONS = "corrections"
NAVIGATION = "nav"  # sections, Information pages, the site itself: on every page
NOTICES = "notices"  # notices and labels: on every page, in every body and comment
LISTS = "lists"  # every list of articles: new when a scheduled article appears
SCHEDULE = "schedule"  # not a version: when the next scheduled article is due (epoch seconds)
# Every page depends on these.
EVERY_PAGE = (NAVIGATION, NOTICES)
# Labels start and end on given days: what depends on them is new every day too.
DAILY = frozenset({NOTICES})


def article_key(pk):
    return f"a{pk}"


def comments_key(article_pk):
    return f"c{article_pk}"


def section_key(pk):
    return f"s{pk}"


def tag_key(pk):
    return f"t{pk}"


def author_key(pk):
    return f"au{pk}"


# One request's versions, read once; and the scopes (the response, and any part being
# rendered) that record what they depend on.
_scopes = ContextVar("newsroom_scopes", default=())


class Scope:
    """What one response or one part depends on: {key: version}."""

    def __init__(self):
        self.versions = {}

    def __enter__(self):
        self._token = _scopes.set((*_scopes.get(), self))
        return self

    def __exit__(self, *exc):
        _scopes.reset(self._token)
        # What a part depends on, the response showing it depends on too.
        for outer in _scopes.get():
            outer.versions.update(self.versions)
        return False

    @property
    def keys(self):
        return sorted(self.versions)


class Request:
    """One request's reads of the cache: each version once, and, when the page was rendered
    before, every part it used and every version they need in one round trip (its *recipe*:
    the parts' keys and their dependencies, kept per address and kind of reader)."""

    def __init__(self):
        self.versions = {}
        self.parts = {}  # prefetched: {cache key: stored value or None}
        self.used = []  # the parts this request looked up, in order
        self.recipe_key = None
        self.recipe = None


_request = ContextVar("newsroom_request", default=None)


class request_versions:
    """`with request_versions():` around one request: its versions are read once."""

    def __enter__(self):
        retry_lost()
        self.request = Request()
        self._token = _request.set(self.request)
        return self.request

    def __exit__(self, *exc):
        request = self.request
        _request.reset(self._token)
        if request.recipe_key and request.used and exc[0] is None:
            recipe = (tuple(request.used), tuple(sorted(request.versions)))
            if recipe != request.recipe:
                cache.set(request.recipe_key, recipe, PART_SECONDS)
        return False


def recipe_key(address):
    return "recipe:" + hashlib.sha256(address.encode()).hexdigest()


def prefetch(address, recipe):
    """Read what the page at `address` used last time (`recipe`, already read, or None) in one
    round trip: its parts and their versions."""
    request = _request.get()
    if request is None:
        return
    request.recipe_key = recipe_key(address)
    request.recipe = recipe
    if not recipe:
        return
    part_keys, version_keys = recipe
    found = cache.get_many([*part_keys, *(VERSION_PREFIX + key for key in version_keys)])
    request.parts = {key: found.get(key) for key in part_keys}
    request.versions.update(_versions_from(version_keys, found))


def _versions_from(keys, found):
    """Versions of `keys` from `found` (a get_many's answer), giving a new one to any that has
    none."""
    versions = {}
    fresh = {}
    for key in keys:
        version = found.get(VERSION_PREFIX + key)
        if version is None:
            version = uuid.uuid4().hex[:12]
            fresh[VERSION_PREFIX + key] = version
        versions[key] = version
    if fresh:
        # Two readers may both make one; the last wins, and what the other stored is then
        # merely not found fresh: a miss, never a stale answer.
        cache.set_many(fresh, None)
    today = None
    for key in DAILY.intersection(versions):
        today = today or timezone.localdate().isoformat()
        versions[key] = f"{versions[key]}-{today}"
    return versions


def _read(keys):
    """The current versions of `keys`, giving a new one to any that has none."""
    return _versions_from(keys, cache.get_many([VERSION_PREFIX + key for key in keys]))


def versions(*keys):
    """The versions of `keys` for this request (read at most once per request), recorded as
    dependencies of every scope being rendered."""
    request = _request.get()
    memo = request.versions if request is not None else {}
    missing = [key for key in dict.fromkeys(keys) if key not in memo]
    if missing:
        memo.update(_read(missing))
    found = {key: memo[key] for key in keys}
    for scope in _scopes.get():
        scope.versions.update(found)
    return found


def depend(*keys):
    """Say that what is being rendered shows what `keys` name. Call it before reading that
    from the database."""
    versions(*keys)


def still_fresh(recorded):
    """Whether every key in `recorded` ({key: version}) still has that version."""
    if not recorded:
        return True
    return versions(*recorded) == recorded


def _part_key(name, vary):
    # A part holds words and addresses in the language it was rendered in.
    digest = hashlib.sha256(repr((get_language(), vary)).encode()).hexdigest()[:24]
    return f"{PART_PREFIX}{name}:{digest}"


def cached_part(name, vary, render, *, keys=(), timeout=PART_SECONDS):
    """The HTML (or any picklable value) of one part of a page, rendered by `render()` once
    per version of what it shows and reused by every reader until then. `keys` are declared
    before rendering; anything `render()` declares itself (depend()) is recorded too."""
    depend(*keys)
    cache_key = _part_key(name, vary)
    request = _request.get()
    if request is not None:
        request.used.append(cache_key)
    if request is not None and cache_key in request.parts:
        stored = request.parts.pop(cache_key)
    else:
        stored = cache.get(cache_key)
    if stored is not None:
        recorded, value = stored
        if still_fresh(recorded):
            return value
    with Scope() as scope:
        depend(*keys)
        value = render()
    cache.set(cache_key, (scope.versions, value), timeout)
    return value


# Changes. Each write path calls one of the domain events below.

# The domain events for what listens beyond the cache (outgoing webhooks, webhooks/events.py),
# sent inside the writer's transaction: sender "article" (article_id=, corrected=), "comments"
# (article_id=, comment_ids=) or "notices" (changed=: the notice or label, when one is known).
announced = Signal()


def _purge(keys):
    from newsroom import purge

    purge.configured().purge(keys)


# Keys whose new version could not be given (the cache was away): given again by this process
# at its next request, and by a background task (retried with backoff) in case it never gets one.
_pending = set()
_pending_lock = threading.Lock()


def _expire(keys):
    """Give `keys` new versions; False when the cache could not be reached."""
    if cache.delete_many([VERSION_PREFIX + key for key in keys]) is False:
        with _pending_lock:
            _pending.update(keys)
        return False
    return True


def retry_lost():
    """Expire again what could not be expired before; each request starts with it."""
    if not _pending:
        return
    with _pending_lock:
        keys = sorted(_pending)
        _pending.clear()
    if _expire(keys):
        log.info("invalidation of %d key(s) delivered after the cache came back", len(keys))


@retrying_task
def expire_later(keys):
    """The durable copy of a lost invalidation: raises (and is tried again) until it lands."""
    if not _expire(keys):
        raise ConnectionError("the cache is still unavailable")
    with _pending_lock:
        _pending.difference_update(keys)


def changed(*keys):
    """New versions for `keys`: now (for this transaction's own later reads) and once the
    transaction commits (for everybody else, who could not see the change before). The
    front cache is purged after the commit."""
    keys = sorted(set(keys))
    if not keys:
        return
    _expire(keys)

    def after_commit():
        if not _expire(keys):
            log.warning("cache unavailable: invalidation of %s kept to retry", " ".join(keys))
            expire_later.enqueue(keys)
        _purge(keys)

    transaction.on_commit(after_commit)


def article_keys(article):
    """The keys that show `article` as it stands in the database now: its page, the lists it
    is on (home, its section, tags and authors) and the site-wide lists."""
    from articles.models import Article

    keys = {article_key(article.pk), HOME, FEEDS, SITEMAPS, SEARCH, CORRECTIONS}
    row = (
        Article.objects.filter(pk=article.pk).values_list("section_id", "translation_of_id").first()
    )
    if row is not None:
        keys.add(section_key(row[0]))
        if row[1] is not None:  # the translated article offers this one (hreflang)
            keys.add(article_key(row[1]))
    keys.update(tag_key(pk) for pk in article.tags.values_list("pk", flat=True))
    keys.update(author_key(pk) for pk in article.authors.values_list("pk", flat=True))
    return keys


def article_changed(article, *, before=(), corrected=False):
    """An article was written (saved, published, withdrawn, corrected, retagged, deleted).
    `before`: the keys it had before the change (article_keys() read then), so that the lists
    it left are fresh too. `corrected`: a correction of it was added, changed or removed."""
    keys = set(before) | {article_key(article.pk)}
    if article.pk is not None:
        keys |= article_keys(article)
    if getattr(article, "section_id", None):
        keys.add(section_key(article.section_id))
    changed(*keys)
    # Its publication time may be the next one due.
    _reschedule()
    transaction.on_commit(_reschedule_after_commit)
    if article.pk is not None:
        announced.send("article", article_id=article.pk, corrected=corrected)


def article_deleted(article_id, *, before):
    """An article was deleted: the pages and lists it was on (`before`, read before)."""
    changed(*before)
    announced.send("article", article_id=article_id, corrected=False)


def comments_changed(article_id, comment_ids=()):
    """A comment on this article was posted, edited, deleted, moderated or hidden by reports:
    its page (discussion and count) is fresh on the next request; no other page is touched.
    `comment_ids`: the comments whose text or status changed, when the writer knows them."""
    changed(comments_key(article_id))
    announced.send("comments", article_id=article_id, comment_ids=tuple(comment_ids))


def notices_changed(what=None):
    """A notice or label changed (`what`, when the writer has it): every page, body and comment
    that may show one."""
    changed(NOTICES)
    announced.send("notices", changed=what)


def search_changed():
    """The search index was rebuilt (another language): every results page is new."""
    changed(SEARCH)


def navigation_changed():
    """Sections, Information pages or the site's name changed: every page's header/footer."""
    changed(NAVIGATION, HOME, FEEDS, SITEMAPS)


def section_changed(section):
    changed(NAVIGATION, section_key(section.pk), HOME, FEEDS, SITEMAPS)


def author_changed(author, *, announce=True):
    """An author's name, bio or photo: their page and every article page with their byline.
    With announce=False, only the keys (read before a change, to be announced with it)."""
    from articles.models import Article

    ids = Article.objects.filter(authors=author).values_list("pk", flat=True)
    keys = {author_key(author.pk), FEEDS, *(article_key(pk) for pk in ids)}
    if announce:
        changed(*keys)
    return keys


def tag_changed(tag, *, announce=True):
    """A tag renamed or deleted: its page and every article carrying it."""
    from articles.models import Article

    ids = Article.objects.filter(tags=tag).values_list("pk", flat=True)
    keys = {tag_key(tag.pk), FEEDS, SITEMAPS, *(article_key(pk) for pk in ids)}
    if announce:
        changed(*keys)
    return keys


def image_changed(image, *, announce=True):
    """A library image's file, focal point, description, caption or credit: every article
    showing it (as its lead image, on its page, its cards and in feeds, or in its text)."""
    from django.db.models import Q

    from articles.models import Article

    if image.pk is None:
        return set()
    using = Q(image=image) | Q(body_images=image)
    ids = Article.objects.filter(using).values_list("pk", flat=True).distinct()
    keys = {article_key(pk) for pk in ids}
    if keys:
        keys.add(FEEDS)
    if announce:
        changed(*keys)
    return keys


def everything_changed():
    """For bulk loaders (demo content, generated content): nothing cached stays."""
    cache.clear()
    _purge([NAVIGATION])  # on every page


# The schedule: articles due to appear, with no cron job. The next due time is kept in the
# cache; the page cache reads it with every page (in the same round trip as the page), and when
# it has passed, every list is given a new version.


def next_due():
    """When the next scheduled article becomes public (epoch seconds), 0 if none is."""
    from articles.models import Article

    due = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return due.timestamp() if due else 0


def _reschedule():
    due = next_due()
    cache.set(SCHEDULE, due, None)
    return due


def _reschedule_after_commit():
    """As _reschedule; and a front cache, which asks the app nothing while its copies last,
    is told when the next scheduled article is due (once per due time, by whichever app
    server saw it first)."""
    due = _reschedule()
    if not due or not settings.NEWSROOM_PURGER or not lists_due.get_backend().supports_defer:
        return
    if cache.add(f"{SCHEDULE}:purge:{due}", 1, timeout=int(max(due - time.time(), 0)) + 3600):
        run_after = datetime.fromtimestamp(due, tz=UTC)
        lists_due.using(priority=ALERT, run_after=run_after).enqueue()


@task
def lists_due():
    """A scheduled article is due: every list gets a new version, and the front cache drops
    its copies of them, so that it appears through the front cache on time too."""
    due_passed(None)


def due_passed(state):
    """`state`: the SCHEDULE value read from the cache. True when a scheduled article became
    public since (or when nobody knows: the value was lost), after giving the lists new
    versions and reading the next due time (one query)."""
    if state is not None and (state == 0 or time.time() < state):
        return False
    _expire([LISTS])
    _purge([LISTS])
    _reschedule()
    return True


def depends_on(*keys):
    """A view decorator: the response shows what `keys` name (declared before the view reads
    anything): `path("feeds/rss/", depends_on(FEEDS, LISTS)(feed))`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            depend(*keys)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
