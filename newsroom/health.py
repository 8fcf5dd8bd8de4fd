"""GET /healthz: what the site depends on, checked for real, as JSON for load balancers.

Each check does what serving does: the database reads the table every public page reads
(NEWSROOM_HEALTH_MODEL) through the site's own connection (so a locked table or a statement
timeout shows) and, on PostgreSQL, opens a new connection (so "every connection taken" shows
while this worker still holds its own); the cache writes and reads a key; the static manifest
is loaded as pages would load it; a file is written to and removed from media storage. The
answer is 503 when the database, the static manifest or media storage fails, naming which; the
site serves without its cache (slower), so the cache is reported but does not make it
unhealthy.
"""

import logging
import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

log = logging.getLogger("newsroom.faults")


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _check(name, probe):
    try:
        ok = probe()
    except Exception as error:  # any failure means unavailable; say which in one line
        log.warning("healthz: %s: %s", name, _first_line(error))
        return False
    if not ok:
        log.warning("healthz: %s: probe gave a wrong answer", name)
    return ok


def _database():
    apps.get_model(settings.NEWSROOM_HEALTH_MODEL).objects.only("pk").first()
    current = connections["default"]
    if current.vendor == "postgresql":
        fresh = current.copy()
        try:
            with fresh.cursor() as cursor:
                cursor.execute("SELECT 1")
                return cursor.fetchone() == (1,)
        finally:
            fresh.close()
    return True


def _cache():
    key, value = "healthz-probe", uuid.uuid4().hex
    cache.set(key, value, 10)
    return cache.get(key) == value


def _static():
    """A manifest storage without its manifest (no `collectstatic`) serves pages unstyled."""
    load_manifest = getattr(staticfiles_storage, "load_manifest", None)
    if load_manifest is None:
        return True
    paths, _ = load_manifest()
    if not paths:
        raise FileNotFoundError(f"no static files manifest in {staticfiles_storage.location}")
    return True


def _media():
    name = default_storage.save(f"healthz-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return True


CHECKS = {"database": _database, "cache": _cache, "static": _static, "media": _media}
REQUIRED = {"database", "static", "media"}


@never_cache
def healthz(request):
    results = {name: _check(name, probe) for name, probe in CHECKS.items()}
    healthy = all(results[name] for name in REQUIRED)
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable"}
        | {name: "ok" if ok else "unavailable" for name, ok in results.items()},
        status=200 if healthy else 503,
    )
    response._has_been_logged = True  # each failed check was logged in one line already
    return response
