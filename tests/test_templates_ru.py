"""The templates in Russian (locale/ru): the pages, error pages and e-mails a Russian site shows
carry none of the templates' English strings, the counts take the Russian plural forms
(1 комментарий, 2 комментария, 5 комментариев), and the English site is unchanged."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from articles.models import Correction
from newsroom import translations
from tests.factories import make_article, make_author, make_comment, make_reader, make_staff
from tests.faults.test_database import database_unreachable
from tests.test_translations import VISIBLE_ATTRIBUTES, VisibleText

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]

TEMPLATE_CATALOGUE = translations.base_dir() / "locale" / "ru" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"


def english_sentences():
    """The templates' English strings of two words or more, without placeholders or markup
    (a single word, such as a brand or "Focus", may be an article's own text)."""
    found = set()
    for message in translations.read_catalogue(TEMPLATE_CATALOGUE, "ru"):
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            plain = text and not {"%", "<", "{"} & set(text)
            if plain and len(re.findall(r"[A-Za-z]{2,}", text)) >= 2:
                found.add(text)
    return found


ENGLISH = english_sentences()


def app_strings():
    """The English strings of the apps' own catalogues that the templates do not share, longest
    first: a page may show them (a form's help text) while their translation is not in yet,
    and one may hold a template's string ("Your e-mail address is never shown.")."""
    found = set()
    for language, po in translations.catalogue_files():
        if language == "en" and po.parent.parent.parent != TEMPLATE_CATALOGUE.parents[2]:
            for message in translations.read_catalogue(po, language):
                found.update(message.id if isinstance(message.id, tuple) else (message.id,))
    # One that is part of a template's string would hide it.
    found = {text for text in found if text and not any(text in mine for mine in ENGLISH)}
    words = "|".join(re.escape(text) for text in sorted(found, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


APP_STRINGS = app_strings()


# Attributes whose text the page's scripts show (copy-link.js, comments.js).
SHOWN_BY_SCRIPTS = {"data-copied", "data-copy-failed", "data-template"}


class PageText(VisibleText):
    """All the text a reader sees or hears (the scan of test_translations keeps only the
    text with Latin letters)."""

    def handle_starttag(self, tag, attrs):
        shown = VISIBLE_ATTRIBUTES | SHOWN_BY_SCRIPTS
        super().handle_starttag(tag, [(n, v) for n, v in attrs if n not in shown])
        self.found += [v for n, v in attrs if n in shown and v]

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.found.append(" ".join(data.split()))


def visible_text(response):
    parser = PageText()
    parser.feed(response.content.decode())
    parser.close()
    return "\n".join(parser.found)


def assert_russian(response, status=200):
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="ru">' in html
    text = visible_text(response)
    templates_text = APP_STRINGS.sub(" ", text)
    left = sorted(sentence for sentence in ENGLISH if sentence in templates_text)
    assert not left, f"English left on {response.request['PATH_INFO']}: {left}"
    return text


def test_the_scan_knows_the_templates_english():
    assert "Skip to content" in ENGLISH and "Corrections and updates" in ENGLISH
    assert "Focus" not in ENGLISH


def test_public_pages_are_russian(client, russian):
    author = make_author(name="Анна Петрова", slug="anna")
    article = make_article(
        title="Саммит НАТО",
        tags=["нато"],
        authors=[author],
        source_name="Focus",
        source_url="https://focus.de/",
    )
    Correction.objects.create(article=article, text="Исправлена дата саммита.")
    make_comment(article, body="Хороший текст.")
    pages = [
        reverse("articles:home"),
        article.get_absolute_url(),
        article.section.get_absolute_url(),
        reverse("articles:tag", args=[article.tags.get().slug]),
        reverse("articles:author", args=["anna"]),
        reverse("articles:search") + "?q=саммит",
        reverse("articles:search") + "?q=ничегоподобного",
        reverse("articles:search"),
        reverse("articles:corrections"),
        reverse("newsletters:subscribe"),
    ]
    for url in pages:
        text = assert_russian(client.get(url))
        assert "Перейти к содержанию" in text and "Информация" in text, url
    assert "Страница не найдена" in assert_russian(client.get("/nothing-here/"), status=404)


def test_a_signed_in_readers_pages_are_russian(client, russian):
    reader = make_reader("anna")
    article = make_article()
    comment = make_comment(article, user=reader, body="Мой комментарий.")
    others = make_comment(article, body="Чужой комментарий.")
    client.force_login(reader)
    text = assert_russian(client.get(article.get_absolute_url()))
    assert "Отправить комментарий" in text and "Выйти" in text
    for url in [
        reverse("accounts:profile"),
        reverse("accounts:delete"),
        reverse("comments:edit", args=[comment.pk]),
        reverse("comments:delete", args=[comment.pk]),
        reverse("comments:report", args=[others.pk]),
    ]:
        assert_russian(client.get(url))
    # A reader cannot report their own comment: the 403 page.
    forbidden = client.get(reverse("comments:report", args=[comment.pk]))
    assert "Доступ запрещён" in assert_russian(forbidden, status=403)


def test_the_editors_dashboard_and_article_pages_are_russian(client, russian):
    """The templates' own strings only: model fields and choices are the apps' catalogues."""
    editor = make_staff("chief", group="Editor")
    article = make_article(title="Саммит НАТО")
    client.force_login(editor)
    assert "Мои черновики" in visible_text(client.get(reverse("admin:index")))
    change = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert change.status_code == 200
    assert "Предпросмотр" in visible_text(change)
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert "Старая версия" in visible_text(history)
    preview = client.get(reverse("articles:preview", args=[article.pk]))
    assert "Предпросмотр — не опубликовано" in assert_russian(preview)


@pytest.mark.parametrize(
    "count, words",
    [
        (1, "комментарий"),
        (21, "комментарий"),
        (2, "комментария"),
        (4, "комментария"),
        (22, "комментария"),
        (5, "комментариев"),
        (11, "комментариев"),
        (12, "комментариев"),
        (14, "комментариев"),
        (0, "комментариев"),
        (100, "комментариев"),
    ],
)
def test_a_comment_count_takes_the_russian_plural(count, words):
    with translation.override("ru"):
        for template in ["comments/card_count.html", "comments/count.html"]:
            html = render_to_string(template, {"count": count})
            assert f'> {count}<span class="visually-hidden"> {words}</span>' in html


@pytest.mark.parametrize("count, words", [(1, "comment"), (2, "comments"), (0, "comments")])
def test_a_comment_count_in_english_is_unchanged(count, words):
    with translation.override("en"):
        html = render_to_string("comments/card_count.html", {"count": count})
    assert f'> {count}<span class="visually-hidden"> {words}</span>' in html


def test_the_article_page_counts_its_comments_in_russian(client, russian):
    article = make_article()
    for _ in range(3):
        make_comment(article)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '> 3<span class="visually-hidden"> комментария</span>' in html


@pytest.mark.parametrize(
    "found, sentence",
    [
        (1, "По запросу «ледники» найдена одна статья."),
        (2, "По запросу «ледники» найдены 2 статьи."),
        (5, "По запросу «ледники» найдено 5 статей."),
        (21, "По запросу «ледники» найдена 21 статья."),
    ],
)
def test_the_search_counts_its_results_in_russian(client, russian, found, sentence):
    for n in range(found):
        make_article(title=f"Ледники {n}")
    response = client.get(reverse("articles:search"), {"q": "ледники"})
    assert sentence in response.content.decode()


@pytest.mark.parametrize(
    "found, sentence",
    [(1, "One article found for “glaciers”."), (2, "2 articles found for “glaciers”.")],
)
def test_the_search_count_in_english_is_unchanged(client, found, sentence):
    for n in range(found):
        make_article(title=f"Glaciers {n}")
    response = client.get(reverse("articles:search"), {"q": "glaciers"})
    assert sentence in response.content.decode()


def test_the_500_page_is_russian_and_needs_no_database(client, settings, russian):
    settings.ROOT_URLCONF = "tests.crashing_urls"
    settings.SITE_NAME = "Вести Заречья"
    client.raise_request_exception = False
    text = assert_russian(client.get("/crash/"), status=500)
    assert "Что-то пошло не так" in text and "Вести Заречья" in text
    with database_unreachable(), translation.override("ru"):
        html = render_to_string("500.html")
    assert "Что-то пошло не так" in html and "Newsroom" in html


def test_the_500_page_in_english_is_unchanged(client, settings):
    settings.ROOT_URLCONF = "tests.crashing_urls"
    client.raise_request_exception = False
    html = client.get("/crash/").content.decode()
    assert "Something went wrong" in html and '<html lang="en-us">' in html


def test_the_503_page_is_russian(client, russian):
    with database_unreachable():
        text = assert_russian(client.get(reverse("articles:home")), status=503)
    assert "Временно недоступно" in text


@pytest.mark.django_db(transaction=True)
def test_the_newsletter_confirmation_mail_is_russian(client, russian, smtp_server):
    from newsletters.models import Newsletter

    Newsletter.objects.create(name="Дайджест дня", slug="daily", kind="digest", default=True)
    response = client.post(reverse("newsletters:subscribe"), {"email": "anna@example.com"})
    assert "Проверьте почту" in assert_russian(response)
    message = smtp_server.only_message_to("anna@example.com")
    text, html = smtp_server.text_of(message), smtp_server.html_of(message)
    assert "Чтобы подтвердить подписку, откройте эту ссылку" in text
    assert re.search(r"Ссылка действует \d+ (день|дня|дней)\.", text)
    assert '<html lang="ru">' in html and "Подтвердить подписку" in html
    assert not [sentence for sentence in ENGLISH if sentence in text + html]


MAIL_CONTEXT = {
    "site_name": "Вести",
    "site_url": "https://vesti.example.ru",
    "subject": "Тема письма",
    "url": "https://vesti.example.ru/newsletters/confirm/x/",
    "days": 7,
    "newsletters": [{"name": "Дайджест дня"}],
    "newsletter": {"name": "Дайджест дня"},
    "issue": {"intro": "Главное за день."},
    "stories": [({"title": "Саммит", "lead": "Лид.", "section": {"name": "Политика"}}, "/a/")],
    "unsubscribe_url": "/u/",
    "preferences_url": "/p/",
    "article_title": "Саммит",
    "own_text": "Мой комментарий.",
    "items": [
        {"kind": "approved", "text": "Мой комментарий.", "url": "/c/1/"},
        {"kind": "reply", "name": "Анна", "text": "Ответ.", "url": "/c/2/"},
    ],
    "thread_url": "/t/",
}


@pytest.mark.parametrize(
    "template",
    [
        "newsletters/mail/confirm.html",
        "newsletters/mail/confirm.txt",
        "newsletters/mail/issue.html",
        "newsletters/mail/issue.txt",
        "comments/mail/notification.html",
        "comments/mail/notification.txt",
    ],
)
def test_every_mail_is_russian(template):
    with translation.override("ru"):
        mail = render_to_string(template, MAIL_CONTEXT)
    assert not [sentence for sentence in ENGLISH if sentence in mail], mail
    assert not re.search(r"\b(the|you|your|to|of)\b", mail, re.IGNORECASE), mail
    if template.endswith(".html"):
        assert '<html lang="ru">' in mail
