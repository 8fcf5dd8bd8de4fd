"""A Russian-language site in Chromium: a name registered once is labelled at its first
mention whatever its case, and the article admin's Mentions panel shows the form found."""

import os

import pytest
from playwright.sync_api import expect

from tests.factories import make_article, make_label, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/work/shots/morph"


def test_an_editor_sees_the_forms_found_and_a_reader_the_label_at_the_first_mention(
    live_server, page, screenshot_dir, settings
):
    settings.LANGUAGE_CODE = "ru"
    make_staff("editor", group="Editor")
    make_label("Медуза", "признана иноагентом")
    make_label("Голос Америки", "признан иноагентом")
    make_label("Фонд борьбы с коррупцией", "признан экстремистским", aliases="ФБК")
    article = make_article(
        title="Расследование Медузы",
        lead="Что нашли журналисты.",
        body=(
            "<p>Как выяснили журналисты Медузы, Фонду борьбы с коррупцией передали документы.</p>"
            "<p>Медуза опубликовала их. Корреспондент Голоса Америки подтвердил, ФБК тоже.</p>"
        ),
    )

    page.goto(live_server.url + article.get_absolute_url())
    body = page.locator(".article__body")
    expect(body).to_contain_text("журналисты Медузы (признана иноагентом),")
    expect(body).to_contain_text("Фонду борьбы с коррупцией (признан экстремистским) передали")
    expect(body).to_contain_text("Голоса Америки (признан иноагентом) подтвердил")
    assert body.inner_text().count("(признана иноагентом)") == 1
    page.screenshot(path=os.path.join(screenshot_dir, "labels-ru-article.png"), full_page=True)
    if os.path.isdir(SHOTS):
        page.screenshot(path=os.path.join(SHOTS, "article.png"), full_page=True)

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-12345678")
    page.locator("input[type=submit]").click()
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + f"/admin/articles/article/{article.pk}/change/")
    panel = page.locator(".field-mentions")
    expect(panel).to_contain_text("Медузы — Медуза")
    expect(panel).to_contain_text("Фонду борьбы с коррупцией — Фонд борьбы с коррупцией")
    expect(panel).to_contain_text("Голоса Америки — Голос Америки")
    panel.scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(screenshot_dir, "labels-ru-mentions.png"), full_page=True)
    if os.path.isdir(SHOTS):
        panel.screenshot(path=os.path.join(SHOTS, "mentions-panel.png"))
