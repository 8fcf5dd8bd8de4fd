"""The article admin in Russian: no interface string of the articles, media library and audit
apps is left in English on the pages an editor works on (add and change form, list, history,
comparison, withdrawal, messages). Django's own admin strings come from Django's catalogue."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsroom import translations
from tests.factories import (
    make_article,
    make_author,
    make_image,
    make_section,
    make_user,
    post_data,
)

pytestmark = pytest.mark.django_db

APPS = ("articles", "medialibrary", "audit")
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "label"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\}|<[^>]*>")


class VisibleText(HTMLParser):
    """What a reader of the page sees: text outside scripts and styles, a few attributes and
    the buttons' values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self.hidden += 1
        names = VISIBLE_ATTRIBUTES | ({"value"} if attrs.get("type") == "submit" else set())
        self.parts += [attrs[name] for name in names if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def catalogue_strings(folder, language="ru"):
    """{English string: its translation} of one catalogue (plural entries by their forms)."""
    po = folder / language / "LC_MESSAGES" / "django.po"
    found = {}
    for message in translations.read_catalogue(po, language):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in filter(None, ids):
            found[msgid] = strings
    return found


def english_phrases():
    """The English phrases of these apps' strings that must not show: each string's text
    between placeholders, also capitalised (a single word only capitalised). A phrase that
    another catalogue has not translated yet is left out: the English shown would be its."""
    folders = {folder.parent.name: folder for folder in translations.locale_dirs()}
    untranslated = "\n".join(
        msgid.lower()
        for name, folder in folders.items()
        if name not in APPS
        for msgid, strings in catalogue_strings(folder).items()
        if not all(strings)
    )
    phrases = set()
    for app in APPS:
        for msgid, strings in catalogue_strings(folders[app]).items():
            if msgid in strings:
                continue  # the same in Russian (a name)
            for fragment in PLACEHOLDER.split(msgid):
                fragment = fragment.strip(" .,:;()—…“”")
                label = fragment[:1].upper() + fragment[1:]  # as the admin shows a label
                if re.search(rf"(?<!\w){re.escape(fragment.lower())}(?!\w)", untranslated):
                    continue
                if " " in fragment:
                    phrases |= {fragment, label}
                elif len(fragment) > 3:
                    phrases.add(label)
    return phrases


def english_left(text, phrases):
    return sorted(p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text))


@pytest.fixture
def pages(client):
    """The article admin's pages, as a superuser sees them with articles in every state."""
    client.force_login(make_user("chief", is_staff=True, is_superuser=True))
    section = make_section(name="Политика", slug="politika")
    image = make_image(title="Штаб-квартира", alt_text="Флаги", caption="Флаги", credit="Сайт")
    draft = make_article(
        title="Черновик о бюджете",
        lead="Лид.",
        body="<p>Текст статьи.</p>",
        section=section,
        authors=[make_author(name="Анна Келлер")],
        image=image,
        tags=["бюджет"],
        status=Article.Status.DRAFT,
    )
    make_article(
        title="Запланированная",
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=1),
    )
    live = make_article(
        title="Опубликованная", lead="Лид.", body="<p>Новый текст со ссылкой.</p>", section=section
    )
    change = reverse("admin:articles_article_change", args=[live.pk])
    pages = {}
    # A step's message, then unpublished changes with new formatting and a new link.
    response = client.post(
        reverse("admin:articles_article_change", args=[draft.pk]),
        post_data(draft, editor_fields=True) | {"_workflow": "submit"},
        follow=True,
    )
    pages["message after a step"] = response
    body = '<p>Новый <b>текст</b> со <a href="https://example.com/">ссылкой</a>.</p>'
    step = {"_workflow": "publish_changes"}
    data = post_data(live, editor_fields=True, body=body)
    pages["message after publishing changes"] = client.post(change, data | step, follow=True)
    live.refresh_from_db()
    data = post_data(live, editor_fields=True, body="<p>Ещё не опубликовано.</p>")
    pages["message after keeping changes"] = client.post(change, data, follow=True)
    versions = list(live.history.values_list("history_id", flat=True))
    urls = {
        "add form": reverse("admin:articles_article_add"),
        "change form, in review": reverse("admin:articles_article_change", args=[draft.pk]),
        "change form, live with changes": change,
        "list": reverse("admin:articles_article_changelist"),
        "list, filtered": reverse("admin:articles_article_changelist") + "?state=changes",
        "history": reverse("admin:articles_article_history", args=[live.pk]),
        "as published, nothing then": reverse("admin:articles_article_as_of", args=[live.pk])
        + "?at=2000-01-01T10:00",
        "withdrawal": reverse("admin:articles_article_withdraw", args=[live.pk]),
        "library image": reverse("admin:media_image_change", args=[image.pk]),
        "audit log": reverse("admin:audit_auditentry_changelist"),
        "comparison": reverse("admin:articles_article_history_compare", args=[live.pk])
        + f"?old={versions[-1]}&new={versions[0]}",
    }
    pages |= {name: client.get(url) for name, url in urls.items()}
    withdraw = reverse("admin:articles_article_withdraw", args=[live.pk])
    pages["withdrawal without a reason"] = client.post(withdraw, {"post": "yes", "reason": ""})
    return pages


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"


def test_the_article_admin_shows_none_of_its_strings_in_english(russian, pages):
    phrases = english_phrases()
    assert {"Submit for review", "Note to the reporter", "Focal point"} <= phrases
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert english_left(visible_text(response.content.decode()), phrases) == [], name
    shown = {name: visible_text(response.content.decode()) for name, response in pages.items()}
    assert "Отправить на проверку" in shown["add form"]
    assert "Отправлена на проверку" in shown["message after a step"]
    assert "Изменения опубликованы" in shown["message after publishing changes"]
    assert "Изменения сохранены, но не опубликованы" in shown["message after keeping changes"]
    assert "Опубликована, есть неопубликованные изменения" in shown["list, filtered"]
    assert "Обязательное поле" in shown["withdrawal without a reason"]
    # Formatted when the form is made, in the request's language (not once, at import).
    assert "Простой текст, не более 500 символов" in shown["withdrawal"]
    assert "добавлено форматирование — жирный шрифт" in shown["comparison"]


def test_the_same_pages_in_english_would_be_caught(pages):
    phrases = english_phrases()
    left = english_left(visible_text(pages["add form"].content.decode()), phrases)
    assert {"Submit for review", "Note to the reporter", "Publication time"} <= set(left)
