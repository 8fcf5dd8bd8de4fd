"""Browser tests: a real Chromium, driven by Playwright for Python.

The browser is the system's Chromium (no browser download). Without one the tests are skipped
and pytest's summary says so; with NEWSROOM_REQUIRE_BROWSER=1 (as .ci/run sets) a missing
browser fails the run instead.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would
# otherwise refuse the ORM calls the tests make. Tests only, never settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"no Chromium at {CHROMIUM}: browser tests not run"
        if os.environ.get("NEWSROOM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    # An article form releases its editing lock when left (articles/editing.py): leave with the
    # network cut, so that nothing reaches the live server while the database is emptied.
    page.route("**/*", lambda route: route.abort())
    page.goto("about:blank")
    context.close()


@pytest.fixture
def screenshot_dir():
    """Where tests leave screenshots for people to look at (ignored by git)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture
def content(db):
    """An article with authors, tags, a thread and a second story in its section: the pages
    the accessibility tests read."""
    from tests.factories import make_article, make_author, make_comment

    author = make_author(name="Anna Keller")
    article = make_article(
        title="Parliament passes the budget", authors=[author], tags=["budget", "parliament"]
    )
    parent = make_comment(article, body="A first comment with a link: https://example.com")
    make_comment(article, body="A reply.", parent=parent)
    make_article(section=article.section, title="Second story")
    return article
