"""What every request under /api/ goes through before the page cache: the API key, the rate
limit (per key, or per address without one), CORS, and JSON for every error, including those
raised outside the API's views (an unknown address, a refused method, a NUL in the address)."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from newsroom import ratelimit
from newsroom.clients import client_address

from . import errors
from .models import ApiKey, find_key, hash_key

WINDOW_SECONDS = 60
# How often a key's "last used" is written at most.
LAST_USED_SECONDS = 60
KEY_CACHE_SECONDS = 300
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def key_cache_key(hashed):
    return f"api:key:{hashed}"


def forget_key(api_key):
    """A revoked or changed key is looked up in the database again at its next request."""
    cache.delete(key_cache_key(api_key.hashed_key))


def presented_key(request):
    raw = request.headers.get("X-API-Key", "").strip()
    if not raw:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            raw = value.strip()
    return raw


def known_key(raw):
    """(pk, limit) of the active key `raw`, or None; kept in the cache a few minutes, so a
    request served from the page cache reads nothing from the database."""
    hashed = hash_key(raw)
    found = cache.get(key_cache_key(hashed))
    if found is None:
        key = find_key(raw)
        found = (key.pk, key.limit) if key else False
        cache.set(key_cache_key(hashed), found, KEY_CACHE_SECONDS)
    return found or None


def note_use(pk):
    """Writes "last used" at most once a minute per key, not on every request."""
    if cache.add(f"api:used:{pk}", 1, LAST_USED_SECONDS):
        ApiKey.objects.filter(pk=pk).update(last_used_at=timezone.now())


def allowed_origin(request):
    origin = request.headers.get("Origin")
    allowed = settings.NEWSROOM_API_CORS_ORIGINS
    if not origin or not allowed:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(settings.NEWSROOM_API_PREFIX):
            return self.get_response(request)
        response = self._answer(request)
        self._cors(request, response)
        return response

    def _answer(self, request):
        if request.method not in SAFE_METHODS:
            return errors.error_response(405, headers={"Allow": ", ".join(SAFE_METHODS)})
        if request.method == "OPTIONS":
            # A browser's preflight: answered here, never counted against the limit.
            response = errors.JsonResponse({}, status=200)
            response["Allow"] = ", ".join(SAFE_METHODS)
            return response
        raw = presented_key(request)
        key = known_key(raw) if raw else None
        if key is not None:
            bucket, limit = f"api:rate:key:{key[0]}", key[1]
        else:
            # A wrong key counts against its address too: guessing keys is limited.
            bucket = f"api:rate:address:{client_address(request)}"
            limit = settings.NEWSROOM_API_RATE
        wait = ratelimit.take(bucket, limit, WINDOW_SECONDS)
        if wait:
            return errors.error_response(
                429, headers={"Retry-After": str(wait)}, retry_after=wait, limit=limit
            )
        if raw and key is None:
            return errors.error_response(401, headers={"WWW-Authenticate": "Bearer"})
        head = request.method == "HEAD"
        if head:
            # The endpoints answer GET; a HEAD gets the same headers (and the same cached
            # answer), without the body.
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
            response.content = b""
        if key is not None:
            note_use(key[0])
        if limit:
            response["X-RateLimit-Limit"] = f"{limit};w={WINDOW_SECONDS}"
        if response.status_code >= 400 and not errors.is_json(response):
            response = self._as_json(response)
        return response

    @staticmethod
    def _as_json(response):
        """Django's own 404, 400 or 500 page for an API address, as the API's JSON."""
        headers = {
            name: response[name] for name in ("Allow", "Retry-After") if response.has_header(name)
        }
        return errors.error_response(response.status_code, headers=headers)

    @staticmethod
    def _cors(request, response):
        patch_vary_headers(response, ["Origin"])
        origin = allowed_origin(request)
        if origin is None:
            return
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Headers"] = "Authorization, X-API-Key, If-None-Match"
        response["Access-Control-Allow-Methods"] = ", ".join(SAFE_METHODS)
        response["Access-Control-Expose-Headers"] = (
            "ETag, Retry-After, X-RateLimit-Limit, Surrogate-Key"
        )
        response["Access-Control-Max-Age"] = "86400"
