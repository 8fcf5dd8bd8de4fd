"""Per-reader posting limits and the double-submit guard, counted in the default cache (shared
by all app servers once REDIS_URL is set).

Both are taken only for a comment that is about to be stored, and given back when it is not
stored after all, so that a refused or failed attempt never counts against the reader nor
makes the same form look like a double click when it is sent again."""

import time

from django.conf import settings
from django.core.cache import cache

from newsroom import ratelimit

HOUR = 3600


def take_comment_allowance(user_id):
    """Take one comment from the reader's allowance. Returns 0 when taken, otherwise how many
    seconds the reader must wait (then nothing is taken)."""
    interval = settings.NEWSROOM_COMMENT_MIN_INTERVAL
    per_hour = settings.NEWSROOM_COMMENTS_PER_HOUR
    now = time.time()
    recent = f"comments:recent:{user_id}"
    # cache.add is atomic: of two posts at once, one gets the slot. The value is when it ends.
    if interval and not cache.add(recent, now + interval, timeout=interval):
        # The value, not the cache's own expiry, says when the wait is over (a cache may keep
        # a key a little longer than asked; a clock may have moved).
        ends = cache.get(recent)
        if ends is not None and ends > now:
            return ratelimit.seconds_until(ends, now)
        cache.set(recent, now + interval, timeout=interval)
    if wait := ratelimit.take(f"comments:hour:{user_id}", per_hour, HOUR):
        if interval:
            cache.delete(recent)
        return wait
    return 0


def give_back_comment_allowance(user_id):
    """The comment taken from the allowance was not stored after all."""
    cache.delete(f"comments:recent:{user_id}")
    ratelimit.give_back(f"comments:hour:{user_id}")


def _submission(user_id, key):
    return f"comments:submission:{user_id}:{key}"


def claim_submission(user_id, key):
    """True for the first request that carries this form's key; a second one (a double click,
    even while the first is still being saved) gets False. The database's unique constraint
    on (user, submission_key) stays the final guarantee."""
    return cache.add(_submission(user_id, key), 0, timeout=HOUR)


def record_submission(user_id, key, comment_id):
    """The form's comment is stored: a copy of the form sent later is shown this comment."""
    cache.set(_submission(user_id, key), comment_id, timeout=HOUR)


def submitted_comment(user_id, key):
    """The id of the comment stored from this form, or None while it is still being saved.
    Read from the cache, not the comments table, which the first request may be writing."""
    return cache.get(_submission(user_id, key)) or None


def release_submission(user_id, key):
    """The form's comment was not stored: the same form may be sent again."""
    cache.delete(_submission(user_id, key))
