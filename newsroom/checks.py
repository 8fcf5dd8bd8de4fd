"""Deployment checks that Django's own `check --deploy` does not make."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY_FROM_ENV:
        return []
    return [
        checks.Error(
            "DJANGO_SECRET_KEY is not set; a random key is used for this process only.",
            hint="Set DJANGO_SECRET_KEY to a long random value in production.",
            id="newsroom.E001",
        )
    ]


@checks.register(checks.Tags.caches, deploy=True)
def cache_shared_by_every_process(app_configs, **kwargs):
    """What must be the same for every app server process lives in the cache: sessions, rate
    limits, the page cache's versions, the schedule, the view counts, double-submit keys."""
    backend = settings.CACHES["default"]["BACKEND"]
    if "locmem" not in backend.lower() and "dummy" not in backend.lower():
        return []
    return [
        checks.Warning(
            "The cache is this process's own memory (REDIS_URL is not set): each gunicorn "
            "worker and each app server has its own sessions cache, rate limits, page cache "
            "and invalidations.",
            hint="Set REDIS_URL to a Redis server that every app server and worker reaches.",
            id="newsroom.W020",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def allowed_hosts_not_wildcard(app_configs, **kwargs):
    if "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        checks.Error(
            "DJANGO_ALLOWED_HOSTS contains '*', which accepts any Host header.",
            hint="List the site's host names in DJANGO_ALLOWED_HOSTS.",
            id="newsroom.E002",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def content_security_policy_on(app_configs, **kwargs):
    if "newsroom.middleware.SecurityHeadersMiddleware" in settings.MIDDLEWARE and getattr(
        settings, "NEWSROOM_CSP", None
    ):
        return []
    return [
        checks.Error(
            "No Content-Security-Policy is sent.",
            hint="Keep newsroom.middleware.SecurityHeadersMiddleware and NEWSROOM_CSP in settings.",
            id="newsroom.E003",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def sign_in_throttled(app_configs, **kwargs):
    backends = settings.AUTHENTICATION_BACKENDS
    throttled = (
        getattr(settings, "AXES_ENABLED", True)
        and "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
        and bool(backends)
        and backends[0].startswith("axes.backends.")
    )
    if throttled:
        return []
    return [
        checks.Error(
            "Sign-in is not throttled: repeated failed sign-ins are never refused.",
            hint="Keep django-axes' backend first in AUTHENTICATION_BACKENDS and its middleware.",
            id="newsroom.E004",
        )
    ]


@checks.register()
def catalogues_compiled(app_configs, **kwargs):
    """Without its .mo file a language silently falls back to English."""
    from newsroom import translations

    stale = [
        str(po.relative_to(translations.base_dir()))
        for language, po in translations.catalogue_files()
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return []
    return [
        checks.Warning(
            f"{len(stale)} translation catalogue(s) not compiled, e.g. {stale[0]}.",
            hint="Run `manage.py catalogues compile` (make does it at install).",
            id="newsroom.W010",
        )
    ]


@checks.register(deploy=True)
def media_storage_configured(app_configs, **kwargs):
    if settings.NEWSROOM_MEDIA_STORAGE != "s3":
        return []
    if not settings.NEWSROOM_S3_BUCKET:
        return [
            checks.Error(
                "NEWSROOM_MEDIA_STORAGE is s3 but NEWSROOM_S3_BUCKET is not set.",
                hint="Name the bucket in NEWSROOM_S3_BUCKET (and its keys in AWS_ACCESS_KEY_ID "
                "and AWS_SECRET_ACCESS_KEY).",
                id="newsroom.E005",
            )
        ]
    return []


@checks.register(deploy=True)
def media_on_local_disk(app_configs, **kwargs):
    """A front cache to purge (NEWSROOM_PURGER) is how this site runs on several app servers;
    each of them would keep its own uploads on its own disk."""
    if settings.NEWSROOM_MEDIA_STORAGE == "s3" or not settings.NEWSROOM_PURGER:
        return []
    return [
        checks.Info(
            "Media is on this machine's disk (MEDIA_ROOT): with several app servers, each one "
            "sees only the images uploaded to it.",
            hint="Set NEWSROOM_MEDIA_STORAGE=s3 and NEWSROOM_S3_BUCKET to share media in object "
            "storage, or mount one shared MEDIA_ROOT on every server.",
            id="newsroom.I001",
        )
    ]
