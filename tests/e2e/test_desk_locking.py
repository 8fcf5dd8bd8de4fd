"""Two editors on one article, and an editor's typing surviving a reload, in Chromium."""

import os
import threading

import pytest
from django.core.handlers.wsgi import WSGIHandler
from playwright.sync_api import expect

from articles import editing
from articles.models import Autosave
from tests.factories import change_url, make_article, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def one_request_at_a_time(monkeypatch):
    """With SQLite, Django's live server hands one in-memory connection to all its threads, and
    it cannot hold two transactions at once; here the script's rounds run beside page loads.
    (A real server, or PostgreSQL, gives each thread its own connection.)"""
    lock = threading.Lock()
    handle = WSGIHandler.__call__

    def one_at_a_time(self, environ, start_response):
        with lock:
            return handle(self, environ, start_response)

    monkeypatch.setattr(WSGIHandler, "__call__", one_at_a_time)


@pytest.fixture(autouse=True)
def quick_rounds(monkeypatch):
    """The script's rounds in seconds, not tens of seconds (the page reads them when it opens)."""
    monkeypatch.setattr(editing, "AUTOSAVE_SECONDS", 1)
    monkeypatch.setattr(editing, "RENEW_SECONDS", 1)


def leave(page):
    """Leave the form with the network cut, so that the lock's release (sent on leaving) cannot
    reach the live server while the test's database is being emptied."""
    page.route("**/*", lambda route: route.abort())
    page.goto("about:blank")


@pytest.fixture(autouse=True)
def quiet_page(page):
    yield
    leave(page)


def wait_for_autosave(page, text):
    """Until the server has a round with `text` (the rounds go on while the editor types)."""
    for _ in range(50):
        if any(text in autosave.data.get("body", "") for autosave in Autosave.objects.all()):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"no autosave with {text!r}")


def staff(username, first, last):
    user = make_staff(username, group="Editor")
    user.first_name, user.last_name = first, last
    user.save()
    return user


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-12345678")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")


def test_a_second_editor_sees_the_lock_takes_over_and_the_first_is_told_before_saving(
    live_server, browser, page, screenshot_dir
):
    staff("anna", "Anna", "Petrova")
    staff("boris", "Boris", "Ivanov")
    article = make_article(title="Budget passes", body="<p>The vote was 52 to 48.</p>")
    url = live_server.url + change_url(article)

    sign_in(page, live_server, "anna")
    page.goto(url)
    assert page.locator("#id_title").is_editable()

    boris_context = browser.new_context(viewport={"width": 1280, "height": 900})
    boris = boris_context.new_page()
    boris.set_default_timeout(10_000)
    sign_in(boris, live_server, "boris")
    boris.goto(url)
    notice = boris.get_by_role("alert").filter(has_text="Anna Petrova has been editing")
    assert notice.is_visible()
    assert "since" in notice.inner_text()
    assert boris.locator("#id_title").count() == 0  # read-only while Anna edits
    boris.screenshot(path=os.path.join(screenshot_dir, "i13-lock-seen.png"), full_page=True)
    boris.get_by_role("button", name="Take over").click()
    boris.wait_for_url(url)
    expect(boris.get_by_text("You took over editing from Anna Petrova")).to_be_visible()
    assert boris.locator("#id_title").is_editable()

    # Anna's page hears it at its next renewal, before she saves.
    told = page.locator("#article-editing-lock")
    told.wait_for(state="visible")
    assert "Boris Ivanov took over editing at" in told.inner_text()
    assert "your save will be refused" in told.inner_text()
    page.locator("#id_title").fill("Budget passes after a long night")
    page.screenshot(path=os.path.join(screenshot_dir, "i13-lock-told.png"), full_page=True)

    page.locator("input[name=_save]").first.click()
    page.wait_for_load_state()
    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    assert page.get_by_text("Not saved: Boris Ivanov took over editing at").is_visible()
    assert page.locator("#id_title").input_value() == "Budget passes after a long night"
    page.screenshot(path=os.path.join(screenshot_dir, "i13-lock-refused.png"), full_page=True)
    article.refresh_from_db()
    assert article.title == "Budget passes"
    leave(boris)
    boris_context.close()


def test_an_autosaved_text_survives_a_reload(live_server, page, screenshot_dir):
    staff("anna", "Anna", "Petrova")
    article = make_article(title="Budget passes", body="<p>The vote was 52 to 48.</p>")
    sign_in(page, live_server, "anna")
    page.goto(live_server.url + change_url(article))

    page.locator("#id_title").fill("Budget passes narrowly")
    body = page.locator(".field-body .ProseMirror[contenteditable]")
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" Three members abstained.")
    page.get_by_text("Your text was kept as a draft at").wait_for()
    wait_for_autosave(page, "Three members abstained.")

    # Leaving with changes that are not saved in the article asks first.
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", accept)
    page.reload()

    assert dialogs == ["beforeunload"]
    assert page.get_by_text("was restored").is_visible()
    assert page.locator("#id_title").input_value() == "Budget passes narrowly"
    body = page.locator(".field-body .ProseMirror[contenteditable]")
    assert "52 to 48. Three members abstained." in body.inner_text()
    page.screenshot(path=os.path.join(screenshot_dir, "i13-lock-restored.png"), full_page=True)

    # Discard: the article as saved.
    page.remove_listener("dialog", accept)
    page.on("dialog", lambda dialog: dialog.accept())
    restored = page.get_by_role("status").filter(has_text="was restored")
    restored.get_by_role("button", name="Discard").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Your unsaved text was discarded.")).to_be_visible()
    assert page.locator("#id_title").input_value() == "Budget passes"


def test_text_that_could_not_reach_the_server_comes_back_from_the_browsers_copy(
    live_server, page, screenshot_dir
):
    staff("anna", "Anna", "Petrova")
    article = make_article(title="Budget passes", body="<p>The vote was 52 to 48.</p>")
    sign_in(page, live_server, "anna")
    page.goto(live_server.url + change_url(article))
    page.route("**/autosave/", lambda route: route.abort())  # the network drops the autosave

    page.locator("#id_title").fill("Budget passes on the train")
    page.locator(".field-body .ProseMirror[contenteditable]").click()
    page.keyboard.press("End")
    page.keyboard.type(" Typed in a tunnel.")
    page.get_by_text("The server cannot be reached").wait_for()
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()

    assert page.get_by_role("status").get_by_text("put back from this browser's copy").is_visible()
    page.get_by_text("The server cannot be reached").wait_for()  # and still not reachable
    assert page.locator("#id_title").input_value() == "Budget passes on the train"
    body = page.locator(".field-body .ProseMirror[contenteditable]")
    assert "52 to 48. Typed in a tunnel." in body.inner_text()
    page.screenshot(path=os.path.join(screenshot_dir, "i13-lock-local-copy.png"), full_page=True)
