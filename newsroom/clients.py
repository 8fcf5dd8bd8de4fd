"""The reader's address, for per-address limits (sign-in failures, the view counter).

It is the peer's address, unless the peer is a proxy named in FORWARDED_ALLOW_IPS (the same
setting by which gunicorn believes a proxy about https, gunicorn.conf.py): then it is the last
address in X-Forwarded-For that is not such a proxy, i.e. the one the outermost trusted proxy
saw. Whatever a client writes into X-Forwarded-For itself stands to the left of that and is
never believed. With `*` (a platform's router that cannot be named), only the last hop is.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _trusted(names):
    networks = tuple(ipaddress.ip_network(name, strict=False) for name in names if name != "*")
    return "*" in names, networks


def _address(text):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request):
    peer = request.META.get("REMOTE_ADDR", "")
    everyone, networks = _trusted(tuple(settings.NEWSROOM_TRUSTED_PROXIES))
    peer_address = _address(peer)
    if peer_address is None or not (everyone or any(peer_address in n for n in networks)):
        return peer
    hops = [_address(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if hop is None:
            return peer  # a hop that is no address: believe none of it
        if everyone or not any(hop in n for n in networks):
            return str(hop)
    return peer
