"""Purging a front cache (Varnish, a CDN) by the keys the app names in `Surrogate-Key`.

A purger is any class with `purge(keys)`; `NEWSROOM_PURGER` names it (dotted path) and
`NEWSROOM_PURGE_URLS` says where it sends. newsroom calls it once per committed change with the
keys that changed (newsroom/invalidation.py). A purge that fails is logged and never fails the
write: the front cache then keeps the page at most `NEWSROOM_CDN_SECONDS`.

For Fastly, a purger POSTs to `https://api.fastly.com/service/<id>/purge` with the keys in a
`Surrogate-Key` header and a `Fastly-Key` token; for Cloudflare, it POSTs
`{"tags": [...]}` to `/zones/<zone>/purge_cache` (Cache-Tag header, Enterprise plans). Both take
the same keys as the Varnish purger below.
"""

import http.client
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("newsroom.cache")


class NoPurger:
    """No front cache: nothing to purge (the default)."""

    def purge(self, keys):
        pass


class XkeyPurger:
    """Varnish with varnish-modules' xkey: `PURGE /` with an `xkey-purge` header listing the
    keys, to each URL in NEWSROOM_PURGE_URLS (deploy/varnish.vcl answers it)."""

    timeout = 1.0

    def __init__(self, urls=None):
        self.urls = list(urls if urls is not None else settings.NEWSROOM_PURGE_URLS)

    def purge(self, keys):
        if not keys:
            return
        for url in self.urls:
            parts = urlsplit(url)
            try:
                connection = http.client.HTTPConnection(
                    parts.hostname, parts.port or 80, timeout=self.timeout
                )
                try:
                    connection.request(
                        "PURGE", parts.path or "/", headers={"xkey-purge": " ".join(keys)}
                    )
                    status = connection.getresponse().status
                finally:
                    connection.close()
                if status >= 400:
                    log.warning("purge refused by %s: %s", parts.netloc, status)
            except OSError as error:
                log.warning("purge failed at %s: %s", parts.netloc, error)


def configured():
    path = settings.NEWSROOM_PURGER
    return import_string(path)() if path else NoPurger()
