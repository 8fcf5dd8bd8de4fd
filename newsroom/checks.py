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
