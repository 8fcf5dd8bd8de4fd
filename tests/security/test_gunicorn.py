"""Forged https behind gunicorn: a request claims X-Forwarded-Proto: https. Only the proxy
named in FORWARDED_ALLOW_IPS may say so; with nothing set, nobody may, not even this machine."""

import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config
from gunicorn.http.message import Request
from gunicorn.http.unreader import IterUnreader

CONFIG_FILE = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"

FORGED = b"GET / HTTP/1.1\r\nHost: news.example.com\r\nX-Forwarded-Proto: https\r\n\r\n"


def gunicorn_config(monkeypatch, allow=None):
    """The settings gunicorn builds at start-up from the project's config file."""
    if allow is None:
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    else:
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", allow)
    config = Config()
    for name, value in runpy.run_path(str(CONFIG_FILE)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def scheme_seen(config, peer):
    return Request(config, IterUnreader([FORGED]), (peer, 40000)).scheme


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "203.0.113.9"])
def test_with_nothing_set_no_peer_may_claim_https(monkeypatch, peer):
    assert scheme_seen(gunicorn_config(monkeypatch), peer) == "http"


def test_the_named_proxy_may_claim_https_and_nobody_else(monkeypatch):
    config = gunicorn_config(monkeypatch, allow="10.0.0.5")
    assert scheme_seen(config, "10.0.0.5") == "https"
    assert scheme_seen(config, "127.0.0.1") == "http"
    assert scheme_seen(config, "10.0.0.6") == "http"
