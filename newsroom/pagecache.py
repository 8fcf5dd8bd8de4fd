"""Whole pages for anonymous readers, served from Django's cache, fresh to the last change.

A page is stored only when it is the same for every anonymous reader: the request carries no
session or messages cookie, and the response sets no cookie and holds no form with a CSRF token.
It is stored with the versions of every key it depends on (newsroom/invalidation.py), and served
while those versions hold: a comment on one article makes that article's page fresh on the next
request and leaves every other page cached. The same keys go out in `Surrogate-Key` and
`Cache-Tag` for a front cache. A scheduled article is due at a known time, read in the same
round trip as the page; when it passes, the lists are fresh, so it appears on time without cron.

Query strings that do not change a page (`utm_*`, `fbclid`, anything a view does not read) are
left out of the cache key, so they cannot fill the cache with copies of one page.
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

from newsroom import invalidation
from newsroom.middleware import database_unavailable_page, is_database_unavailable

PAGE_PREFIX = "page:"


def cache_address(request):
    """What identifies a page: scheme, host, path and the parameters that views read."""
    allowed = settings.NEWSROOM_PAGE_CACHE_PARAMS
    for prefix, names in settings.NEWSROOM_PAGE_CACHE_PATH_PARAMS.items():
        if request.path.startswith(prefix):
            allowed = allowed | names  # the parameters of the views under that address
    params = sorted(
        (name, value) for name, value in request.GET.items() if name in allowed and value != ""
    )
    query = urlencode(params)
    # The scheme too: pages carry absolute links (canonical, feeds), and an http page must
    # never be handed to https readers.
    return f"{request.scheme}://{request.get_host()}{request.path}" + (f"?{query}" if query else "")


def page_key(request):
    return PAGE_PREFIX + hashlib.sha256(cache_address(request).encode()).hexdigest()


def surrogate_headers(response, keys):
    if keys:
        response.headers["Surrogate-Key"] = " ".join(keys)
        response.headers["Cache-Tag"] = ",".join(keys)


def private(response):
    patch_cache_control(response, private=True, no_store=True)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _cacheable_request(self, request):
        return (
            settings.NEWSROOM_PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and not request.path.startswith(settings.NEWSROOM_PAGE_CACHE_EXCLUDE)
        )

    def __call__(self, request):
        with invalidation.request_versions(), invalidation.Scope() as scope:
            if not self._cacheable_request(request):
                self._prefetch(request)
                response = self.get_response(request)
                self._private_if_personal(request, response)
                return response
            return self._anonymous(request, scope)

    @staticmethod
    def _recipe_address(request):
        signed_in = settings.SESSION_COOKIE_NAME in request.COOKIES
        return f"{'reader' if signed_in else 'anonymous'} {cache_address(request)}"

    def _prefetch(self, request):
        """The parts this page used last time, in one round trip (newsroom/invalidation.py)."""
        if request.method not in ("GET", "HEAD") or request.path.startswith(
            settings.NEWSROOM_PAGE_CACHE_EXCLUDE
        ):
            return
        address = self._recipe_address(request)
        invalidation.prefetch(address, cache.get(invalidation.recipe_key(address)))

    def _anonymous(self, request, scope):
        key = page_key(request)
        try:
            found = cache.get_many([key, invalidation.SCHEDULE])
            due = invalidation.due_passed(found.get(invalidation.SCHEDULE))
            stored = None if due else found.get(key)
            if stored is not None and invalidation.still_fresh(stored[3]):
                return self._from_cache(stored)
        except DatabaseError as error:
            if is_database_unavailable(error):
                # Asking again in the view would wait for the database a second time.
                return database_unavailable_page(request, error)
            return self.get_response(request)

        self._prefetch(request)
        invalidation.depend(*invalidation.EVERY_PAGE)
        response = self.get_response(request)
        if self._shareable(request, response):
            self._mark_public(response)
            surrogate_headers(response, scope.keys)
            # Hashed once here rather than by ConditionalGetMiddleware on every hit.
            set_response_etag(response)
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in {"set-cookie", "x-page-cache"}
            ]
            cache.set(
                key,
                (response.status_code, headers, response.content, scope.versions),
                settings.NEWSROOM_PAGE_CACHE_SECONDS,
            )
            response.headers["X-Page-Cache"] = "miss"
        else:
            self._private_if_personal(request, response)
        return response

    @classmethod
    def _private_if_personal(cls, request, response):
        """A signed-in reader's page, or one that sets a cookie or holds a form (its CSRF token
        is the reader's), is never kept by a shared cache."""
        if (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or cls._holds_form(response)
        ):
            private(response)

    @staticmethod
    def _from_cache(stored):
        status, headers, content, _versions = stored
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response.headers[name] = value
        response.headers["X-Page-Cache"] = "hit"
        return response

    @staticmethod
    def _holds_form(response):
        return not response.streaming and b"csrfmiddlewaretoken" in response.content

    @classmethod
    def _shareable(cls, request, response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in cache_control
            and "no-store" not in cache_control
            and not cls._holds_form(response)
        )

    @staticmethod
    def _mark_public(response):
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.NEWSROOM_CDN_SECONDS,
            stale_while_revalidate=settings.NEWSROOM_CDN_SECONDS,
        )
        patch_vary_headers(response, ["Cookie"])
