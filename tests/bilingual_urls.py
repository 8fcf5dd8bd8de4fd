"""The site's URLs as a site offering two languages has them (NEWSROOM_LANGUAGES=ru,en): the
settings decide it when newsroom/urls.py is imported, so tests switch to this module instead."""

from django.conf.urls.i18n import i18n_patterns

from newsroom.urls import public_urlpatterns
from newsroom.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    *(p for p in site_urlpatterns if p not in public_urlpatterns),
    *i18n_patterns(*public_urlpatterns, prefix_default_language=False),
]
