"""newsroom settings: one file, read from the environment, with safe embedded defaults.

With no variable set the site runs on an SQLite file, a local-memory cache and the console
e-mail backend, with DEBUG off. Every variable is listed in README.md.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from newsroom.embeds import FRAME_SOURCES

BASE_DIR = Path(__file__).resolve().parent.parent


def _lang_name(code):
    from django.conf.locale import LANG_INFO

    if code not in LANG_INFO:
        raise ImproperlyConfigured(f"NEWSROOM_LANGUAGES: unknown language {code!r}")
    return LANG_INFO[code]["name"]


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

# A key nobody set is random per process, so sessions never survive a restart and nothing can
# be signed with a known key. wsgi.py/asgi.py refuse to serve production without a real one.
SECRET_KEY_FROM_ENV = bool(os.environ.get("DJANGO_SECRET_KEY"))
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or get_random_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
# The site's address as staff reach it, for links in mail sent outside a request (workflow).
SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "http://localhost:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.forms",
    "taggit",
    "django_prose_editor",
    "imagekit",
    "axes",
    # The task queue (newsroom/tasks.py) before newsroom, whose admin replaces its own.
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "newsroom",
    "medialibrary",
    "articles",
    "simple_history",
    "notices",
    "allauth",
    "allauth.account",
    "accounts",
    "comments",
    "newsletters",
    "audit",
    # The read API at /api/v1/ (Django Ninja; its Swagger UI is served from our static files).
    "ninja",
    "api",
    "webhooks",
]

MIDDLEWARE = [
    "newsroom.middleware.RequestLogMiddleware",
    # API keys, rate limits, CORS and JSON errors for /api/, before the page cache serves.
    "api.middleware.ApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.SecurityHeadersMiddleware",
    "newsroom.middleware.RejectNulMiddleware",
    "newsroom.middleware.FeedsInBrowsersMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The article page's view beacon: it touches the cache only and needs nothing below.
    "articles.counting.BeaconMiddleware",
    # Before sessions, CSRF, users and messages: a page served whole from the cache needs none
    # of them. What they add to a response being stored is stored with it.
    "newsroom.pagecache.AnonymousPageCacheMiddleware",
    # The language of a page is in its address only (never a cookie or Accept-Language), so a
    # cached page is the same for every reader.
    "newsroom.middleware.AddressLanguageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

# Widgets render through the templates above, so templates/ can hold widget templates too.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "newsroom.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A request never waits long for the database: a query running longer than the statement
# timeout, or waiting longer than the lock timeout for a lock, is cancelled, and the reader gets
# the 503 page at once instead of a worker killed after 30 seconds. Long maintenance commands
# can lift them (`DJANGO_DB_STATEMENT_TIMEOUT_MS=0 manage.py ...`).
DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT_MS", "5000"))
DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DJANGO_DB_LOCK_TIMEOUT_MS", "2000"))
DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "3"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DATABASE_CONNECT_TIMEOUT,
        options=f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
        f" -c lock_timeout={DATABASE_LOCK_TIMEOUT_MS}",
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite's busy timeout: how long a write waits for another writer's lock.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = DATABASE_LOCK_TIMEOUT_MS / 1000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# /healthz reads this model's table: the one every public page reads, so a lock on it shows.
NEWSROOM_HEALTH_MODEL = "articles.Article"

NEWSROOM_REDIS_TIMEOUT = float(os.environ.get("NEWSROOM_REDIS_TIMEOUT", "0.5"))
NEWSROOM_CACHE_RETRY_SECONDS = float(os.environ.get("NEWSROOM_CACHE_RETRY_SECONDS", "10"))
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Degrades to "no cache" while Redis is away: slower, never down.
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # A Redis that accepts connections but never answers costs one timeout, then the
            # cache is skipped for NEWSROOM_CACHE_RETRY_SECONDS (newsroom/cache.py).
            "OPTIONS": {
                "socket_connect_timeout": NEWSROOM_REDIS_TIMEOUT,
                "socket_timeout": NEWSROOM_REDIS_TIMEOUT,
                "retry_on_timeout": False,
                "health_check_interval": 0,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses sign-in after repeated failures, admin and readers alike.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("NEWSROOM_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Lock the username from the attacker's address, so nobody can lock a reader out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And the account from everywhere after more failures, except from addresses it signed in
# from lately (accounts.adapter.SigninLockout): no unlimited guessing from many addresses.
AXES_HANDLER = "accounts.adapter.SigninLockout"
NEWSROOM_SIGNIN_ACCOUNT_FAILURE_LIMIT = int(
    os.environ.get("NEWSROOM_SIGNIN_ACCOUNT_FAILURE_LIMIT", "20")
)
# Readers sign in with an e-mail address: count it under the account it names.
AXES_USERNAME_CALLABLE = "accounts.adapter.signin_username"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "429.html"
AXES_VERBOSE = False
# The proxies that may say who the client is (X-Forwarded-For), by the same variable that tells
# gunicorn which may say "https" (gunicorn.conf.py): newsroom/clients.py.
NEWSROOM_TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS")
AXES_CLIENT_IP_CALLABLE = "newsroom.clients.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "en-us")
# The languages the public site offers, its own first (NEWSROOM_LANGUAGES=ru,en). With more than
# one, each other language has its pages under its prefix (/en/...) and a language switch; the
# site's own language keeps the plain addresses. The admin speaks LANGUAGE_CODE.
_site_language = LANGUAGE_CODE.split("-")[0].lower()
_offered = [
    code.strip().lower()
    for code in os.environ.get("NEWSROOM_LANGUAGES", _site_language).split(",")
    if code.strip()
]
if _site_language not in _offered:
    _offered.insert(0, _site_language)
LANGUAGES = [(code, _lang_name(code)) for code in dict.fromkeys(_offered)]
# The newsroom's zone (e.g. Europe/Moscow): times are stored in UTC (USE_TZ) and shown in this
# one on public pages and in feeds. DJANGO_TIME_ZONE is its older name, still read.
TIME_ZONE = os.environ.get("NEWSROOM_TIME_ZONE") or os.environ.get("DJANGO_TIME_ZONE") or "UTC"
USE_I18N = True
# The strings of templates/; each app keeps its own in its locale/ (newsroom/translations.py).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "newsroom.storage.MediaStorage"},
    # Fingerprinted, compressed files; without `collectstatic` pages still render (unstyled).
    "staticfiles": {"BACKEND": "newsroom.storage.StaticStorage"},
}
# Media on the local disk ("") or in S3-compatible object storage ("s3": AWS, MinIO, moto...),
# so that several app servers share it and keep nothing themselves. The keys are boto's own
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; readers fetch media from NEWSROOM_S3_PUBLIC_URL
# (a CDN, or the bucket's public address), which MEDIA_URL follows.
NEWSROOM_MEDIA_STORAGE = os.environ.get("NEWSROOM_MEDIA_STORAGE", "").strip().lower()
if NEWSROOM_MEDIA_STORAGE not in {"", "s3"}:
    raise ImproperlyConfigured('NEWSROOM_MEDIA_STORAGE: "" (the local disk) or "s3"')
NEWSROOM_S3_BUCKET = os.environ.get("NEWSROOM_S3_BUCKET", "")
NEWSROOM_S3_ENDPOINT_URL = os.environ.get("NEWSROOM_S3_ENDPOINT_URL") or None  # None: AWS
NEWSROOM_S3_REGION = os.environ.get("NEWSROOM_S3_REGION") or None
NEWSROOM_S3_PUBLIC_URL = os.environ.get("NEWSROOM_S3_PUBLIC_URL", "").rstrip("/")
NEWSROOM_S3_TIMEOUT = float(os.environ.get("NEWSROOM_S3_TIMEOUT", "3"))
if NEWSROOM_MEDIA_STORAGE == "s3":
    # Without a CDN, readers fetch from the bucket itself (path-style on another S3 server).
    if not NEWSROOM_S3_PUBLIC_URL and NEWSROOM_S3_ENDPOINT_URL:
        NEWSROOM_S3_PUBLIC_URL = f"{NEWSROOM_S3_ENDPOINT_URL.rstrip('/')}/{NEWSROOM_S3_BUCKET}"
    elif not NEWSROOM_S3_PUBLIC_URL:
        _region = NEWSROOM_S3_REGION or "us-east-1"
        NEWSROOM_S3_PUBLIC_URL = f"https://{NEWSROOM_S3_BUCKET}.s3.{_region}.amazonaws.com"
    MEDIA_URL = f"{NEWSROOM_S3_PUBLIC_URL}/"
    STORAGES["default"] = {
        "BACKEND": "newsroom.objectstorage.ObjectMediaStorage",
        "OPTIONS": {
            "bucket_name": NEWSROOM_S3_BUCKET,
            "endpoint_url": NEWSROOM_S3_ENDPOINT_URL,
            "region_name": NEWSROOM_S3_REGION,
            "public_url": NEWSROOM_S3_PUBLIC_URL,
            "timeout": NEWSROOM_S3_TIMEOUT,
        },
    }
# Image renditions (django-imagekit) are made when an image is saved; serving never checks.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o644
NEWSROOM_MAX_IMAGE_BYTES = int(os.environ.get("NEWSROOM_MAX_IMAGE_MB", "10")) * 1024 * 1024
NEWSROOM_MAX_IMAGE_PIXELS = 40_000_000

# Mail goes through the task queue (newsroom/mail.py): sending never makes a request wait for,
# or fail with, the mail server. NEWSROOM_EMAIL_DELIVERY_BACKEND is what the queued task uses.
EMAIL_BACKEND = "newsroom.mail.QueuedEmailBackend"
EMAIL_TIMEOUT = float(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
if os.environ.get("DJANGO_EMAIL_HOST"):
    NEWSROOM_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["DJANGO_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
else:
    NEWSROOM_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Or a provider's HTTP API through django-anymail: NEWSROOM_EMAIL_PROVIDER names its backend
# (mailgun, postmark, amazon_ses, sendgrid, brevo, sparkpost...), ANYMAIL holds its settings as
# JSON ({"MAILGUN_API_KEY": "...", "MAILGUN_SENDER_DOMAIN": "..."}), and the provider's bounce
# webhook, /anymail/<provider>/tracking/, needs NEWSROOM_ANYMAIL_WEBHOOK_SECRET ("user:password",
# given to the provider as basic auth) before it marks any recipient bounced.
NEWSROOM_EMAIL_PROVIDER = os.environ.get("NEWSROOM_EMAIL_PROVIDER", "")
ANYMAIL = json.loads(os.environ.get("ANYMAIL") or "{}")
if os.environ.get("NEWSROOM_ANYMAIL_WEBHOOK_SECRET"):
    ANYMAIL["WEBHOOK_SECRET"] = os.environ["NEWSROOM_ANYMAIL_WEBHOOK_SECRET"]
if NEWSROOM_EMAIL_PROVIDER:
    NEWSROOM_EMAIL_DELIVERY_BACKEND = f"anymail.backends.{NEWSROOM_EMAIL_PROVIDER}.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "newsroom@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (django-tasks) in PostgreSQL or SQLite (django-tasks-db), run by
# `manage.py db_worker`. A failed task is tried again after 1, 2, 4... times the retry delay,
# up to the attempts limit (newsroom/tasks.py); every attempt shows in the admin.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NEWSROOM_TASK_MAX_ATTEMPTS = int(os.environ.get("NEWSROOM_TASK_MAX_ATTEMPTS", "6"))
NEWSROOM_TASK_RETRY_SECONDS = float(os.environ.get("NEWSROOM_TASK_RETRY_SECONDS", "60"))
# Bulk mail (newsroom/bulkmail.py): recipients per batch task, and how long a worker's claim on
# a batch holds without being renewed (a killed worker's batch is taken over after it).
NEWSROOM_BULK_BATCH_SIZE = int(os.environ.get("NEWSROOM_BULK_BATCH_SIZE", "500"))
NEWSROOM_BULK_LEASE_SECONDS = float(os.environ.get("NEWSROOM_BULK_LEASE_SECONDS", "120"))
# SMTP connections each batch task keeps open: that many messages share one database commit.
NEWSROOM_BULK_SMTP_CONNECTIONS = int(os.environ.get("NEWSROOM_BULK_SMTP_CONNECTIONS", "4"))

# Outgoing webhooks (webhooks/): the waits before each retry of a delivery (seconds; the
# default spans about a day), the failed deliveries in a row that disable an endpoint, the
# connect and read time-outs, and whether endpoints may be on private, loopback or link-local
# addresses (never in production: the admin's URL field would reach the internal network).
NEWSROOM_WEBHOOK_RETRY_SECONDS = [
    float(seconds)
    for seconds in env_list("NEWSROOM_WEBHOOK_RETRY_SECONDS", "60,300,1800,7200,18000,36000")
]
NEWSROOM_WEBHOOK_DISABLE_AFTER = int(os.environ.get("NEWSROOM_WEBHOOK_DISABLE_AFTER", "5"))
NEWSROOM_WEBHOOK_CONNECT_TIMEOUT = float(os.environ.get("NEWSROOM_WEBHOOK_CONNECT_TIMEOUT", "3"))
NEWSROOM_WEBHOOK_READ_TIMEOUT = float(os.environ.get("NEWSROOM_WEBHOOK_READ_TIMEOUT", "5"))
NEWSROOM_WEBHOOKS_ALLOW_PRIVATE = env_bool("NEWSROOM_WEBHOOKS_ALLOW_PRIVATE")
# Longer than any attempt takes: an attempt that left no record by then lost its worker.
NEWSROOM_WEBHOOK_LEASE_SECONDS = float(os.environ.get("NEWSROOM_WEBHOOK_LEASE_SECONDS", "300"))

# Security. Production (DEBUG off) is strict by default; each switch can be turned off for a
# deployment behind a proxy that terminates TLS itself.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(
    os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# Sessions read from the cache (Redis in production), written through to the database: a
# signed-in reader's page costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
NEWSROOM_ADMIN_PREFIX = "/admin/"
_media_origin = (
    ["/".join(NEWSROOM_S3_PUBLIC_URL.split("/")[:3])]
    if NEWSROOM_MEDIA_STORAGE == "s3" and NEWSROOM_S3_PUBLIC_URL
    else []
)
# Public pages: no inline script, nothing from other origins but images.
NEWSROOM_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # Media in object storage comes from its public address, which may be plain http (moto).
    "img-src": ["'self'", "data:", "https:", *_media_origin],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    # Only the frames of the embed providers (newsroom/embeds.py), put in after a reader's click.
    "frame-src": list(FRAME_SOURCES),
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The admin and its rich-text editor use inline scripts (import map) and styles.
NEWSROOM_ADMIN_CSP = NEWSROOM_CSP | {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "frame-src": ["'self'"],
}
NEWSROOM_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # newsroom.request logs every request in one line; Django's own would log 4xx/5xx twice.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

TAGGIT_CASE_INSENSITIVE = True


# Reader accounts (django-allauth): e-mail and password, verified e-mail, POST-only sign-out.
# allauth's own rate limits (ACCOUNT_RATE_LIMITS) stay at their defaults, kept in the cache.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "articles:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.models.display_name"
ACCOUNT_UNIQUE_EMAIL = True
# allauth's default, said out loud: sign-up, sign-in and reset answer alike for unknown addresses.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("NEWSROOM_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# A new reader who confirms their address is signed in, in the browser (session) that signed
# up and within ACCOUNT_LOGIN_TIMEOUT of it; elsewhere the address is confirmed and the reader
# signs in. An hour, not allauth's 15 minutes: mail can be slow to arrive and be read.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_TIMEOUT = int(os.environ.get("NEWSROOM_SIGNUP_SIGNIN_SECONDS", "3600"))
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "articles:home"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "

# Newsroom's own settings.
# Whole pages for anonymous readers (newsroom/pagecache.py). With several app server processes,
# set REDIS_URL so that they share the cache and its invalidation.
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", "600"))
NEWSROOM_CDN_SECONDS = int(os.environ.get("NEWSROOM_CDN_SECONDS", "60"))
NEWSROOM_PAGE_CACHE_EXCLUDE = ("/admin/", "/accounts/", "/healthz", "/preview/")
# The query parameters that views read; any other (utm_*, fbclid...) is left out of the page
# cache's key, so it cannot fill the cache with copies of one page.
NEWSROOM_PAGE_CACHE_PARAMS = frozenset(env_list("NEWSROOM_PAGE_CACHE_PARAMS", "page,comments,q,p"))
# The read API (api/): its address, the requests per minute allowed per address without a key
# and per key (an admin may set a key's own), and the web origins whose pages may call it from a
# browser (CORS; "*" for any). Its query parameters are part of the page cache's key there.
NEWSROOM_API_PREFIX = "/api/"
NEWSROOM_API_RATE = int(os.environ.get("NEWSROOM_API_RATE", "60"))
NEWSROOM_API_KEY_RATE = int(os.environ.get("NEWSROOM_API_KEY_RATE", "600"))
NEWSROOM_API_CORS_ORIGINS = env_list("NEWSROOM_API_CORS_ORIGINS")
NEWSROOM_PAGE_CACHE_PATH_PARAMS = {
    NEWSROOM_API_PREFIX: frozenset(
        [
            "section",
            "tag",
            "author",
            "published_after",
            "published_before",
            "cursor",
            "limit",
            "fields",
            "q",
            "page",
            "placement",
        ]
    )
}
# How long a related-articles list may lag behind other articles' changes (its own article's
# changes show at once).
NEWSROOM_RELATED_SECONDS = int(os.environ.get("NEWSROOM_RELATED_SECONDS", "300"))
# Views counted by the article page's beacon (articles/counting.py), and the "Most read" block:
# how many articles it lists, over the last how many hours, and how long it (and an article's
# view count) may lag behind the counts.
NEWSROOM_COUNT_VIEWS = env_bool("NEWSROOM_COUNT_VIEWS", True)
NEWSROOM_MOST_READ_COUNT = int(os.environ.get("NEWSROOM_MOST_READ_COUNT", "5"))
NEWSROOM_MOST_READ_HOURS = int(os.environ.get("NEWSROOM_MOST_READ_HOURS", "24"))
NEWSROOM_MOST_READ_SECONDS = int(os.environ.get("NEWSROOM_MOST_READ_SECONDS", "300"))
# A front cache to purge by surrogate key (newsroom/purge.py): empty for none, or
# "newsroom.purge.XkeyPurger" with NEWSROOM_PURGE_URLS=http://127.0.0.1:6081/ for Varnish.
NEWSROOM_PURGER = os.environ.get("NEWSROOM_PURGER", "")
NEWSROOM_PURGE_URLS = env_list("NEWSROOM_PURGE_URLS")
NEWSROOM_PAGE_SIZE = int(os.environ.get("NEWSROOM_PAGE_SIZE", "20"))
# Django serves /media/ itself unless a web server does; media in object storage is served
# from its public address, never by Django.
NEWSROOM_SERVE_MEDIA = env_bool("NEWSROOM_SERVE_MEDIA", True) and NEWSROOM_MEDIA_STORAGE != "s3"
# Feeds carry the lead only unless this is on, then the whole article text.
NEWSROOM_FEED_FULL_TEXT = env_bool("NEWSROOM_FEED_FULL_TEXT")
# PostgreSQL text-search configuration of the search index, from the site's language unless
# set (ru → russian, anything without a stemmer → simple); the SQLite fallback stems in the
# same language (articles/search.py). Changing it needs `manage.py rebuild_search_index`.
SEARCH_CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "nb": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
NEWSROOM_SEARCH_CONFIG = os.environ.get("NEWSROOM_SEARCH_CONFIG") or SEARCH_CONFIGS.get(
    LANGUAGE_CODE.split("-")[0].lower(), "simple"
)

# Comments: per-reader limits (counted in the default cache), the author's edit window, how
# many readers' reports hide a comment, and when an article's comments close by themselves.
NEWSROOM_COMMENT_MIN_INTERVAL = int(os.environ.get("NEWSROOM_COMMENT_MIN_INTERVAL", "15"))
NEWSROOM_COMMENTS_PER_HOUR = int(os.environ.get("NEWSROOM_COMMENTS_PER_HOUR", "30"))
NEWSROOM_COMMENT_EDIT_MINUTES = int(os.environ.get("NEWSROOM_COMMENT_EDIT_MINUTES", "15"))
NEWSROOM_COMMENT_REPORT_THRESHOLD = int(os.environ.get("NEWSROOM_COMMENT_REPORT_THRESHOLD", "3"))
NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS = int(os.environ.get("NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS", "0"))

# A reader's "download my data": how many files per reader per hour (0: no limit).
NEWSROOM_DATA_EXPORTS_PER_HOUR = int(os.environ.get("NEWSROOM_DATA_EXPORTS_PER_HOUR", "5"))
NEWSROOM_COMMENTS_PAGE_SIZE = int(os.environ.get("NEWSROOM_COMMENTS_PAGE_SIZE", "50"))

# Newsletters (newsletters/): how long a confirmation link works, sign-ups allowed per hour
# from one client address and to one e-mail address, how many stories a prepared digest
# carries, and an optional mailbox for List-Unsubscribe's mailto (the https link is always
# there).
NEWSROOM_NEWSLETTER_CONFIRM_DAYS = int(os.environ.get("NEWSROOM_NEWSLETTER_CONFIRM_DAYS", "7"))
NEWSROOM_NEWSLETTER_SIGNUPS_PER_ADDRESS = int(
    os.environ.get("NEWSROOM_NEWSLETTER_SIGNUPS_PER_ADDRESS", "20")
)
NEWSROOM_NEWSLETTER_SIGNUPS_PER_EMAIL = int(
    os.environ.get("NEWSROOM_NEWSLETTER_SIGNUPS_PER_EMAIL", "3")
)
NEWSROOM_DIGEST_ARTICLES = int(os.environ.get("NEWSROOM_DIGEST_ARTICLES", "10"))
NEWSROOM_NEWSLETTER_UNSUBSCRIBE_MAILTO = os.environ.get(
    "NEWSROOM_NEWSLETTER_UNSUBSCRIBE_MAILTO", ""
)
