"""Per-reader posting limits, counted in the default cache (shared by all app servers once
REDIS_URL is set)."""

from django.conf import settings
from django.core.cache import cache

HOUR = 3600


def allow_comment(user_id):
    """Take one comment from the reader's allowance; False when either limit says wait."""
    interval = settings.NEWSROOM_COMMENT_MIN_INTERVAL
    per_hour = settings.NEWSROOM_COMMENTS_PER_HOUR
    # cache.add is atomic: of two posts at once, one gets the slot.
    if interval and not cache.add(f"comments:recent:{user_id}", 1, timeout=interval):
        return False
    if per_hour:
        key = f"comments:hour:{user_id}"
        cache.add(key, 0, timeout=HOUR)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=HOUR)
            used = 1
        if used > per_hour:
            return False
    return True


def claim_submission(user_id, key):
    """True for the first request that carries this form's key; a second one (a double click,
    even while the first is still being saved) gets False. The database's unique constraint
    on (user, submission_key) stays the final guarantee."""
    return cache.add(f"comments:submission:{user_id}:{key}", 1, timeout=HOUR)
