import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def test_settings(settings, tmp_path):
    """The only place where tests differ from the real settings."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"
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
