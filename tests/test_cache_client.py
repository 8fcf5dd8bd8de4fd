from newsroom.cache import ResilientRedisCache


def test_the_redis_cache_reuses_one_client_per_connection_pool():
    # Connections are made lazily: no Redis server is needed to build clients.
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {})
    first = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is first
    assert cache._cache.get_client("c", write=True) is first  # one server: one pool
