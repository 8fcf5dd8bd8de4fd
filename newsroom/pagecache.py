"""Whole pages for anonymous readers, served from Django's cache.

A page is stored only when it is the same for every anonymous reader: the request carries no
session or messages cookie, and the response sets no cookie and holds no CSRF token. Every
stored page belongs to one "generation"; any change that can show on a page (the models named in
NEWSROOM_PAGE_CACHE_MODELS) starts a new generation, so the next request renders afresh. A
scheduled article is due at a known time, and the generation ends then too, so it appears on
time without a cron job.
"""

import hashlib
import time
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

STATE_KEY = "pagecache:generation"


def _next_scheduled_time():
    """When the next scheduled article becomes public (epoch seconds), or None."""
    from django.utils import timezone

    from articles.models import Article

    due = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).aggregate(due=Min("published_at"))["due"]
    return due.timestamp() if due else None


def current_generation():
    state = cache.get(STATE_KEY)
    if state is None or (state["due"] is not None and time.time() >= state["due"]):
        state = {"id": uuid.uuid4().hex, "due": _next_scheduled_time()}
        cache.set(STATE_KEY, state, None)
    return state["id"]


def invalidate(*args, **kwargs):
    """Start a new generation: every page rendered before now is stale."""
    cache.delete(STATE_KEY)


def connect_invalidation():
    for label in settings.NEWSROOM_PAGE_CACHE_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue  # its app is not installed here
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model, dispatch_uid=f"pagecache-{label}-{signal}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(invalidate, sender=through, dispatch_uid=f"pagecache-m2m-{through}")


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
        if not self._cacheable_request(request):
            response = self.get_response(request)
            if settings.SESSION_COOKIE_NAME in request.COOKIES or response.cookies:
                patch_cache_control(response, private=True, no_store=True)
            return response

        try:
            generation = current_generation()
        except DatabaseError:
            # No database to learn the schedule from: let the view answer (the 503 page).
            return self.get_response(request)
        # The scheme too: pages carry absolute links (canonical, feeds), and an http page
        # must never be handed to https readers.
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}".encode()
        key = f"pagecache:{generation}:{hashlib.sha256(address).hexdigest()}"
        stored = cache.get(key)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Page-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if self._shareable(request, response):
            self._mark_public(response)
            # Hashed once here rather than by ConditionalGetMiddleware on every hit.
            set_response_etag(response)
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in {"set-cookie", "x-page-cache"}
            ]
            cache.set(
                key,
                (response.status_code, headers, response.content),
                settings.NEWSROOM_PAGE_CACHE_SECONDS,
            )
            response.headers["X-Page-Cache"] = "miss"
        elif response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _shareable(request, response):
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and "private" not in cache_control
            and "no-store" not in cache_control
            and b"csrfmiddlewaretoken" not in response.content
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
