"""Fixed-window limits, counted in the default cache (shared by all app servers once REDIS_URL
is set): comments per reader per hour, newsletter sign-ups per address and per e-mail, data
downloads per reader. Each caller names its key; nothing here knows what is limited."""

import contextlib
import math
import time

from django.core.cache import cache
from django.utils.translation import ngettext


def take(key, limit, period):
    """Count one attempt at `key` within a window of `period` seconds. Returns 0 when it is
    allowed, otherwise how many seconds until the window ends (and the attempt is not counted).
    A `limit` of 0 means no limit."""
    if not limit:
        return 0
    now = time.time()
    count, ends = f"{key}:count", f"{key}:ends"
    # The window's end is kept as a value: a cache may keep a key a little longer than asked.
    cache.add(ends, now + period, timeout=period)
    cache.add(count, 0, timeout=period)
    try:
        used = cache.incr(count)
    except ValueError:  # expired between add and incr
        cache.set(count, 1, timeout=period)
        used = 1
    if used <= limit:
        return 0
    with contextlib.suppress(ValueError):
        cache.decr(count)
    return seconds_until(cache.get(ends), now)


def give_back(key):
    """The attempt taken from `key` did not happen after all (a comment not stored)."""
    with contextlib.suppress(ValueError):  # the window is over
        cache.decr(f"{key}:count")


def seconds_until(moment, now):
    # Gone meanwhile (or no cache at all): the wait has just ended.
    return max(1, math.ceil(moment - now)) if moment else 1


def duration_in_words(seconds):
    """A wait as a reader reads it: "15 seconds", "50 minutes", "2 hours" (rounded up)."""
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
