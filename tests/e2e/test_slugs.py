"""The admin's prepopulated slug (Django's URLify, wrapped by static/js/admin-slugs.js) gives
the server's slug (articles/slugs.py) for Cyrillic headlines and names, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Section
from articles.slugs import slug_from
from tests.factories import make_section, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/work/shots/rusearch"

TITLES = [
    "Медуза признана «иностранным агентом»",
    "Щука съела ёжика, а Юлия — нет",
    "Хроника ЦИК: подъезд, объявление, Эхо",
    "Meduza и COVID-19: новые данные",
    "Київ і Ґрунт, Єва, Ўладзімір",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
    "Café Zürich, 2024",
]


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-12345678")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + "/admin/")


def type_in(page, selector, text):
    """Type `text` key by key. Playwright inserts letters its US layout lacks (Cyrillic) without
    key events, and Django's prepopulate listens to keyup: End, a real key, ends the typing as
    a keyboard with a Russian layout would have after every letter."""
    page.locator(selector).press_sequentially(text)
    page.locator(selector).press("End")


def test_the_article_form_suggests_the_servers_slug_for_cyrillic(live_server, page):
    make_section(name="Политика", slug="politika")
    make_staff("editor", group="Editor")
    sign_in(page, live_server, "editor")
    page.goto(live_server.url + "/admin/articles/article/add/")
    for title in TITLES:
        page.fill("#id_title", "")
        type_in(page, "#id_title", title)
        expect(page.locator("#id_slug")).to_have_value(slug_from(title, max_length=200))
    page.fill("#id_title", "")
    type_in(page, "#id_title", "Суд арестовал журналиста «Медузы»")
    expect(page.locator("#id_slug")).to_have_value("sud-arestoval-zhurnalista-meduzy")
    page.screenshot(path=f"{SHOTS}/article-admin-cyrillic-slug.png", full_page=False)

    # Saved as suggested; the address is the Latin one.
    page.locator(".field-section .select2-selection").click()
    page.fill(".select2-search__field", "Пол")
    page.locator(".select2-results__option", has_text="Политика").click()
    page.fill("#id_lead", "Вводка.")
    page.locator(".field-body .ProseMirror[contenteditable]").click()
    page.keyboard.type("Текст статьи.")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Article.objects.get().slug == "sud-arestoval-zhurnalista-meduzy"


def test_an_emoji_headline_leaves_the_slug_to_the_server(live_server, page):
    make_staff("editor", group="Editor")
    sign_in(page, live_server, "editor")
    page.goto(live_server.url + "/admin/articles/article/add/")
    type_in(page, "#id_title", "🔥🔥")
    page.locator("#id_lead").click()
    expect(page.locator("#id_slug")).to_have_value("")


def test_the_section_form_suggests_the_servers_slug(live_server, page, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    sign_in(page, live_server, "boss")
    page.goto(live_server.url + "/admin/articles/section/add/")
    type_in(page, "#id_name", "Общество и культура")
    expect(page.locator("#id_slug")).to_have_value("obshchestvo-i-kultura")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert Section.objects.get().slug == slug_from("Общество и культура", max_length=100)


def test_a_reader_sees_a_latin_address_and_moscow_time(live_server, page, settings):
    from datetime import UTC, datetime

    from tests.factories import make_article

    settings.TIME_ZONE = "Europe/Moscow"
    article = Article.objects.create(
        title="Суд арестовал журналиста «Медузы»",
        section=make_section(name="Общество", slug=""),
        lead="Вводка статьи.",
        body="<p>Текст статьи.</p>",
        status=Article.Status.PUBLISHED,
        published_at=datetime(2026, 3, 10, 9, 30, tzinfo=UTC),
    )
    make_article(title="Другая новость")
    page.goto(live_server.url + article.get_absolute_url())
    assert page.url.endswith("/sud-arestoval-zhurnalista-meduzy/")
    expect(page.locator(".article__meta time").first).to_have_text("March 10, 2026, 12:30 p.m. MSK")
    expect(page.locator(".article__section a")).to_have_attribute("href", "/section/obshchestvo/")
    page.screenshot(path=f"{SHOTS}/article-page-moscow-time.png", full_page=False)
