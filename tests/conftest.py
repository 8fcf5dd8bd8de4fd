import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import override_settings

from tests import factories


@pytest.fixture(autouse=True, scope="session")
def compiled_catalogues():
    """The translations as `make` compiles them, for a run of pytest without make (only the
    catalogues changed since are written)."""
    from newsroom import translations

    translations.compile_catalogues()


@pytest.fixture(autouse=True, scope="session")
def test_settings(tmp_path_factory):
    """The only place where tests differ from the real settings. Session-wide, so that the
    live server of the browser tests, started once, is built with them too."""
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        SECURE_SSL_REDIRECT=False,
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        # Mail still goes through the task queue, and lands in mail.outbox. Tasks run at once
        # unless a test starts a worker (tests/faults/test_mail.py).
        EMAIL_BACKEND="newsroom.mail.QueuedEmailBackend",
        NEWSROOM_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    ):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def section(db):
    return factories.make_section()


@pytest.fixture
def article(db):
    return factories.make_article()


@pytest.fixture
def editor(db):
    return factories.make_staff("editor", group="Editor")


@pytest.fixture
def reporter(db):
    return factories.make_staff("reporter", group="Reporter")


@pytest.fixture
def no_page_cache(settings):
    """For query budgets: measure the page's own rendering. A page served from the anonymous
    page cache runs no query at all (tests/test_pagecache.py)."""
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def reader(db):
    return factories.make_reader("reader1", display_name="Anna Reader")


@pytest.fixture
def moderator(db):
    return factories.make_staff("moderator", group="Moderator")


@pytest.fixture
def smtp_server():
    """A real SMTP server on a loopback port, and the site's mail delivered to it
    (tests/mailserver.py). Tasks still run at once unless the test starts a worker."""
    from tests.mailserver import running_smtp_server, smtp_settings

    with running_smtp_server() as inbox, smtp_settings(inbox.port):
        yield inbox
