"""GET /healthz: the database and cache state as JSON, for load balancers."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger("newsroom.faults")


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as error:  # any failure means unhealthy; say which in one line
        log.warning("healthz: database: %s", str(error).strip().splitlines()[:1])
        return False


def _cache_ok():
    key, value = "healthz-probe", uuid.uuid4().hex
    try:
        cache.set(key, value, 10)
        return cache.get(key) == value
    except Exception as error:
        log.warning("healthz: cache: %s", str(error).strip().splitlines()[:1])
        return False


@never_cache
def healthz(request):
    database, cache_state = _database_ok(), _cache_ok()
    # The site serves without its cache (slower), so only the database decides health.
    return JsonResponse(
        {
            "status": "ok" if database else "unavailable",
            "database": "ok" if database else "unavailable",
            "cache": "ok" if cache_state else "unavailable",
        },
        status=200 if database else 503,
    )
