"""WSGI entry point, used by gunicorn in production and by runserver."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

from newsroom.production import refuse_unsafe_production  # noqa: E402

refuse_unsafe_production()
