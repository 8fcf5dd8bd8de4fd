"""Views counted in the cache, in batches, without cookies and without keeping who read what.

An article page is the same for every anonymous reader and is served whole from the page cache
or a CDN, so it cannot count itself. Its script sends one small POST (a beacon) to
`articles:count_view` with the article's signed id; that request reads nothing from the
database and only touches the cache:

- a reader is counted at most once per article per hour: `views:seen:<digest>` is added, where
  the digest is an HMAC of the client address, the article and the hour under a random secret
  made for that hour and dropped from the cache after it. The address is never stored or logged,
  and once the hour's secret is gone the digests cannot be tied to an address again;
- the count goes to a counter per article and minute (`views:n:<minute>:<article>`), and the
  first count of an article in a minute takes a numbered slot (`views:slot:<minute>:<n>`), so
  that the minute's articles can be listed without anything but get, add and incr;
- the first count of a minute enqueues `flush_views` to run when the minute is over (the
  lock `views:flush:<minute>` makes that once a minute, whichever app server counted).

`flush_views` adds each finished minute, claimed with `cache.add` so that two workers never add
the same minute, to the hourly `ArticleViews` rows, for published articles only. When the cache
is away, counting stops silently; the page never waits for it.
"""

import hmac
import logging
import re
import secrets
import time
from collections import defaultdict
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from newsroom.tasks import retrying_task

log = logging.getLogger("newsroom.views")

SALT = "articles.views"
PREFIX = "views:"
# Keys live longer than the flush looks back, so that a minute claimed stays claimed.
KEEP_SECONDS = 3 * 60 * 60
LOOK_BACK_MINUTES = 120
# A beacon that read the clock just before a minute ended still lands in that minute's counter:
# a minute is flushed this long after its end.
GRACE_SECONDS = 5

# User agents that say they are robots, tools or link previews. Browsers without them count.
ROBOTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|facebookexternalhit|embedly|lighthouse|"
    r"curl|wget|python|httpclient|http-client|okhttp|java/|go-http|libwww|scrapy|axios|node-fetch",
    re.IGNORECASE,
)


def token(article_id):
    """What the page sends back: the article's id, signed, so the beacon needs no query to
    know it names an article that was shown to readers."""
    return signing.Signer(salt=SALT).sign(str(article_id))


def article_from(value):
    """The article id in a token, or None for anything not made by token()."""
    try:
        return int(signing.Signer(salt=SALT).unsign(value))
    except (signing.BadSignature, ValueError):
        return None


def countable(request):
    """Whether a beacon looks like a reader's browser on this site: a user agent that does not
    call itself a robot, and a referer or origin on this host (a browser sends one with a
    beacon from our page; a request made by hand or by a script elsewhere rarely does)."""
    agent = request.headers.get("User-Agent", "")
    if not agent or ROBOTS.search(agent):
        return False
    if request.headers.get("Sec-Purpose") or request.headers.get("Purpose"):
        return False  # a prefetch or prerender, not a reading
    source = request.headers.get("Referer") or request.headers.get("Origin") or ""
    return bool(source) and url_has_allowed_host_and_scheme(
        source, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _incr(key):
    """cache.incr, creating the key; None when the cache is away."""
    try:
        return cache.incr(key)
    except ValueError:
        cache.add(key, 0, KEEP_SECONDS)
        try:
            return cache.incr(key)
        except ValueError:
            return None


_secret = {}  # this process's copy of the current hour's secret: {hour: secret}


def _hour_secret(hour):
    if hour in _secret:
        return _secret[hour]
    key = f"{PREFIX}secret:{hour}"
    secret = cache.get(key)
    if secret is None:
        # Two servers may both make one; add() keeps the first, and both read it back.
        cache.add(key, secrets.token_hex(32), 2 * 60 * 60)
        secret = cache.get(key)
    if secret is not None:
        _secret.clear()  # the last hour's is forgotten here too
        _secret[hour] = secret
    return secret


def count(article_id, address, now=None):
    """Count one view of `article_id` from `address`; True when it counted (False: counted
    already this hour, or the cache is away)."""
    now = time.time() if now is None else now
    hour, minute = int(now // 3600), int(now // 60)
    secret = _hour_secret(hour)
    if secret is None:
        return False
    digest = hmac.new(
        secret.encode(), f"{address}|{article_id}|{hour}".encode(), "sha256"
    ).hexdigest()[:32]
    until_next_hour = (hour + 1) * 3600 - now
    if not cache.add(f"{PREFIX}seen:{digest}", 1, int(until_next_hour) + 60):
        return False
    views = _incr(f"{PREFIX}n:{minute}:{article_id}")
    if views is None:
        return False
    if views == 1:  # the article's first view this minute: give it a slot in the minute's list
        slot = _incr(f"{PREFIX}slots:{minute}")
        if slot is None:
            return False
        cache.set(f"{PREFIX}slot:{minute}:{slot}", article_id, KEEP_SECONDS)
        _schedule_flush(minute)
    return True


class BeaconMiddleware:
    """The beacon is answered before sessions, CSRF, users and messages (where the page cache
    stands): it needs none of them, and it is the most frequent request of the site."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = reverse("articles:count_view", args=["-"])[:-1]

    def __call__(self, request):
        path = request.path_info
        if path.startswith(self.prefix) and "/" not in path[len(self.prefix) :]:
            from .views import count_view

            return count_view(request, path[len(self.prefix) :])
        return self.get_response(request)


def shared_cache():
    """Whether every process sees the same cache (Redis), so that the worker can flush what
    the app servers counted. With the local-memory cache (`make run`) each process has its own,
    and the app server flushes its own counts."""
    backend = settings.CACHES["default"]["BACKEND"]
    return "locmem" not in backend and "dummy" not in backend


def _schedule_flush(minute):
    if not cache.add(f"{PREFIX}flush:{minute}", 1, KEEP_SECONDS):
        return
    if not shared_cache():
        flush(grace=0)  # the minutes before this one, in this process
        return
    # A backend that cannot wait (the tests' ImmediateBackend) would flush nothing now: the
    # minute is not over. Those call flush() themselves.
    if flush_views.get_backend().supports_defer:
        due = datetime.fromtimestamp((minute + 1) * 60 + GRACE_SECONDS, UTC)
        flush_views.using(run_after=due).enqueue()


def flush(now=None, grace=GRACE_SECONDS):
    """Add every finished minute's counts (of the last LOOK_BACK_MINUTES) not added yet to the
    hourly rows. Returns how many views were added."""
    from .models import Article, ArticleViews

    now = time.time() if now is None else now
    last = int((now - grace) // 60) - 1
    minutes = range(last - LOOK_BACK_MINUTES + 1, last + 1)
    found = cache.get_many([f"{PREFIX}slots:{minute}" for minute in minutes])
    claimed = []
    counts = defaultdict(int)
    for minute in minutes:
        slots = found.get(f"{PREFIX}slots:{minute}")
        if not slots or not cache.add(f"{PREFIX}done:{minute}", 1, KEEP_SECONDS):
            continue
        claimed.append(minute)
        ids = cache.get_many([f"{PREFIX}slot:{minute}:{n}" for n in range(1, slots + 1)])
        views = cache.get_many([f"{PREFIX}n:{minute}:{pk}" for pk in ids.values()])
        hour = datetime.fromtimestamp(minute // 60 * 3600, UTC)
        for pk in ids.values():
            counts[(pk, hour)] += views.get(f"{PREFIX}n:{minute}:{pk}", 0)
    if not counts:
        return 0
    try:
        # Only what readers may see: an article withdrawn meanwhile, or a forged id, is left out.
        public = set(
            Article.objects.published()
            .filter(pk__in={pk for pk, _ in counts})
            .values_list("pk", flat=True)
        )
        kept = {key: n for key, n in counts.items() if key[0] in public and n}
        with transaction.atomic():
            ArticleViews.add(kept)
    except Exception:
        cache.delete_many([f"{PREFIX}done:{minute}" for minute in claimed])  # tried again
        raise
    return sum(kept.values())


@retrying_task
def flush_views():
    """The queue's copy of flush(): enqueued by the beacon once a minute."""
    added = flush()
    if added:
        log.info("added %d view(s) to the hourly counts", added)
    return added
