"""The guard that the production entry points (wsgi.py, asgi.py) run before serving.

gunicorn runs no system checks, so a deployment that forgot DJANGO_SECRET_KEY would otherwise
serve with a random key: every restart would sign everyone out and the mistake would go unseen.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_unsafe_production():
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENV:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG unset) refuses to serve "
            "without it. Generate one with: python -c 'from django.core.management.utils "
            "import get_random_secret_key; print(get_random_secret_key())'"
        )
