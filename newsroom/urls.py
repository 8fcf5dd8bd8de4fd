from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from newsroom.health import healthz

handler500 = "newsroom.middleware.server_error"

# The reader's pages: in each language the site offers (NEWSROOM_LANGUAGES), the site's own
# language at the plain addresses, another under its prefix (/en/...).
public_urlpatterns = [
    path("pages/", include("django.contrib.flatpages.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("comments/", include("comments.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("", include("articles.urls")),
]
public = public_urlpatterns
if len(settings.LANGUAGES) > 1:
    public = i18n_patterns(*public_urlpatterns, prefix_default_language=False)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The read API (api/): JSON at /api/v1/, its schema and its documentation page; one address
    # in every language (its texts follow the site's language).
    path("api/", include("api.urls")),
    # Mail providers' delivery webhooks (django-anymail): bounces mark bulk mail recipients.
    path("anymail/", include("anymail.urls")),
    *public,
]

if settings.NEWSROOM_SERVE_MEDIA:
    # Uploaded images, for a single-machine deployment. Behind a web server or object storage,
    # set NEWSROOM_SERVE_MEDIA=0 and let that serve MEDIA_URL.
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    ]
