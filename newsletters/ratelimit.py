"""Sign-up limits: per client address, so one machine cannot mail a thousand strangers, and per
e-mail address, so nobody's mailbox fills with confirmation requests (newsroom/ratelimit.py).
The address is hashed in the key: the cache holds no e-mail address."""

import hashlib

from newsroom import ratelimit


def take(kind, identity, limit, period):
    """Count one attempt. 0 when allowed, otherwise the seconds until the window ends."""
    digest = hashlib.sha256(str(identity).encode()).hexdigest()[:32]
    return ratelimit.take(f"newsletters:{kind}:{digest}", limit, period)
