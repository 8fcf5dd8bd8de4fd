"""A Redis cache that degrades to "no cache" when Redis is away, instead of failing requests.

The cache only ever holds what can be recomputed from the database, so a Redis outage costs
speed, not correctness: reads miss, writes are dropped, add() answers "new", and one warning a
minute is logged. A page makes dozens of cache calls; against a Redis that accepts connections
but never answers, each would wait for the socket timeout, so after a failure the cache is not
asked at all for NEWSROOM_CACHE_RETRY_SECONDS: one timeout, then the database only.
"""

import logging
import time

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger("newsroom.faults")

_MISSING = object()


class ReusingRedisCacheClient(RedisCacheClient):
    """Django makes a new redis.Redis object for every cache operation, which costs more than
    the round trip to Redis (it fills a table of about 80 reply callbacks): a third of the time
    of a page served from the page cache. One client per connection pool is enough; it takes a
    connection from the pool for each command, so threads can share it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]


# What Redis being away or hung can raise: redis-py's own errors, and the socket's (a timeout or
# a reset can surface as OSError from a path redis-py does not wrap).
UNAVAILABLE = (RedisError, OSError)


class ResilientRedisCache(RedisCache):
    _last_warning = 0.0
    # Per server and shared by the threads of a process (each thread has its own cache object).
    _skip_until = {}

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._location = tuple(self._servers)

    def _failed(self, operation, error):
        now = time.monotonic()
        ResilientRedisCache._skip_until[self._location] = (
            now + settings.NEWSROOM_CACHE_RETRY_SECONDS
        )
        if now - ResilientRedisCache._last_warning > 60:
            ResilientRedisCache._last_warning = now
            log.warning("cache unavailable (%s): %s; serving from the database", operation, error)

    def _guard(self, operation, fallback, call, *args, **kwargs):
        if time.monotonic() < ResilientRedisCache._skip_until.get(self._location, 0.0):
            return fallback
        try:
            return call(*args, **kwargs)
        except UNAVAILABLE as error:
            self._failed(operation, error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._guard("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard("has_key", False, super().has_key, key, version)

    def set(self, *args, **kwargs):
        return self._guard("set", None, super().set, *args, **kwargs)

    def add(self, *args, **kwargs):
        # As if the key were new. Callers use add() as a lock or a "first time?" test (allauth's
        # rate limits, the comment double-click guard); answering False would refuse every
        # sign-in and lose comments while Redis is away, instead of only losing the limits.
        return self._guard("add", True, super().add, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._guard("touch", False, super().touch, *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._guard("set_many", [], super().set_many, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._guard("delete", False, super().delete, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        # False (Django's own answers None): invalidation must know that it did not happen.
        return self._guard("delete_many", False, super().delete_many, *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        result = self._guard("incr", _MISSING, super().incr, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def clear(self):
        return self._guard("clear", None, super().clear)
