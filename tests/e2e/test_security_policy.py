"""The Content-Security-Policy holds in a real browser: public pages break nothing, and the
admin's rich-text editor still works under the admin's own policy."""

import os

import pytest

from tests.factories import make_article, make_staff

pytestmark = pytest.mark.django_db(transaction=True)


def csp_errors(page):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return errors


def test_public_pages_load_without_policy_violations(live_server, page):
    article = make_article()
    errors = csp_errors(page)
    for url in ["/", article.get_absolute_url(), article.section.get_absolute_url()]:
        response = page.goto(live_server.url + url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    assert errors == []


def test_the_rich_text_editor_works_under_the_admin_policy(live_server, page, screenshot_dir):
    make_staff("editor", group="Editor")
    errors = csp_errors(page)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/articles/article/add/")

    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Typed in the editor")
    assert "Typed in the editor" in editor.inner_text()
    page.screenshot(path=os.path.join(screenshot_dir, "admin-add-article.png"), full_page=True)
    assert errors == []
