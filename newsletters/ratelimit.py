"""Sign-up limits, counted in the default cache (shared by all app servers once REDIS_URL is
set): per client address, so one machine cannot mail a thousand strangers, and per e-mail
address, so nobody's mailbox fills with confirmation requests."""

import hashlib
import math
import time

from django.core.cache import cache
from django.utils.translation import ngettext


def take(kind, identity, limit, period):
    """Count one attempt. 0 when allowed, otherwise the seconds until the window ends."""
    if not limit:
        return 0
    digest = hashlib.sha256(str(identity).encode()).hexdigest()[:32]
    count, ends = f"newsletters:{kind}:{digest}", f"newsletters:{kind}-ends:{digest}"
    now = time.time()
    cache.add(ends, now + period, timeout=period)
    cache.add(count, 0, timeout=period)
    try:
        used = cache.incr(count)
    except ValueError:  # expired between add and incr
        cache.set(count, 1, timeout=period)
        used = 1
    if used <= limit:
        return 0
    until = cache.get(ends)
    return max(1, math.ceil(until - now)) if until else 1


def duration_in_words(seconds):
    """A wait as a reader reads it: "15 seconds", "50 minutes", "2 hours" (rounded up)."""
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
