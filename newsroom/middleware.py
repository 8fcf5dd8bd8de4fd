"""Site-wide middleware: security headers, a clean 503 when the database is away, request logs."""

import logging
import sys
import time

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import defaults

from newsroom.text import loggable

request_log = logging.getLogger("newsroom.request")
fault_log = logging.getLogger("newsroom.faults")


def _policy(directives):
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    Public pages allow no inline script at all. The admin keeps its own, looser policy: Django's
    admin and the rich-text editor's import map need inline script and style there.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.public_policy = _policy(settings.NEWSROOM_CSP)
        self.admin_policy = _policy(settings.NEWSROOM_ADMIN_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        admin = request.path.startswith(settings.NEWSROOM_ADMIN_PREFIX)
        response.headers.setdefault(
            "Content-Security-Policy", self.admin_policy if admin else self.public_policy
        )
        response.headers.setdefault("Permissions-Policy", settings.NEWSROOM_PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


FEED_TYPES = ("application/rss+xml", "application/atom+xml")


class AddressLanguageMiddleware:
    """Speaks the language of the address: /en/... in English where the site offers it
    (NEWSROOM_LANGUAGES), every other address in the site's language. Never a cookie or the
    browser's Accept-Language: the page cache and a front cache key pages by address alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = settings.LANGUAGE_CODE
        if len(settings.LANGUAGES) > 1:
            language = translation.get_language_from_path(request.path_info) or language
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class FeedsInBrowsersMiddleware:
    """A feed asked for by a browser goes out as `application/xml`, the same bytes otherwise.

    Chromium shows `application/rss+xml` and `application/atom+xml` as plain text and never
    applies their stylesheet (the `xml-stylesheet` that makes a feed a readable page), while it
    does for `application/xml`. Browsers ask for `text/html` first; feed readers do not, and
    keep the feed's own type. Outside the page cache, so a cached feed serves both; `Vary:
    Accept` tells a front cache to keep the two apart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith(FEED_TYPES):
            patch_vary_headers(response, ["Accept"])
            if "text/html" in request.headers.get("Accept", ""):
                response.headers["Content-Type"] = "application/xml; charset=utf-8"
        return response


class RejectNulMiddleware:
    """A NUL character has no place in a web address, and PostgreSQL refuses it in any query:
    answer 400 before a view can pass one to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            raise SuspiciousOperation("NUL character in the request address")
        return self.get_response(request)


RETRY_AFTER_SECONDS = 30


def is_database_unavailable(exception):
    """Whether `exception` means the database cannot be reached or cannot answer in time (not a
    bad query). A statement cancelled by PostgreSQL's statement_timeout or lock_timeout is an
    OperationalError ("canceling statement due to statement timeout"), and so is SQLite's
    "database is locked" after its busy timeout."""
    return isinstance(exception, OperationalError | InterfaceError) or (
        isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
    )


def log_database_unavailable(request, exception, what="database unavailable"):
    first_line = str(exception).strip().splitlines()[0] if str(exception).strip() else ""
    fault_log.error(
        "%s: %s %s: %s",
        what,
        loggable(request.method),
        loggable(request.path),
        loggable(first_line or type(exception)),
    )


def unavailable_response(html):
    """A 503 that asks clients to come back shortly and that nobody caches."""
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "private, no-store"
    # The fault was logged in one line already; Django's own "Service Unavailable" would repeat it.
    response._has_been_logged = True
    return response


def database_unavailable_page(request, exception):
    log_database_unavailable(request, exception)
    return unavailable_response(render_to_string("503.html", {"site_name": settings.SITE_NAME}))


class DatabaseUnavailableMiddleware:
    """When the database cannot be reached, readers get a 503 page in the site's design with
    Retry-After, and the log gets one line instead of a stack trace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_unavailable(exception):
            return None
        return database_unavailable_page(request, exception)


def server_error(request):
    """handler500: the same 503 page for a database fault raised outside a view (in a
    middleware such as the page cache's, or the session's), Django's 500 page otherwise."""
    exception = sys.exc_info()[1]
    if exception is not None and is_database_unavailable(exception):
        return database_unavailable_page(request, exception)
    return defaults.server_error(request)


class RequestLogMiddleware:
    """One line per request on stderr: method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        request_log.info(
            "%s %s %s %.1fms",
            loggable(request.method),
            loggable(request.get_full_path()[:300]),
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response
