"""With DJANGO_LANGUAGE_CODE=ru the whole site speaks Russian: every public page, every e-mail and
the article admin, rendered with the Russian demo's content, show no English interface string.

"English" here is a Latin word that is not in the content: the Russian demo's own texts (brand
names such as Facebook or Telegram, URLs and addresses) are allowed, nothing else is."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from taggit.models import Tag

from articles import workflow
from articles.management.commands.load_demo import seed_article
from articles.models import Article, Author, Section
from comments.models import Comment, post_comment
from newsletters.models import Issue, IssueArticle, Newsletter
from newsletters.sending import send_issue
from tests.factories import make_article, make_reader
from tests.test_newsletters import confirmed

pytestmark = pytest.mark.django_db

SITE = "https://news.example.com"
# Words that are the same in a Russian interface: names of formats and of the framework.
SAME_IN_RUSSIAN = {"rss", "atom", "django", "xml", "json", "html", "url"}
SAME_IN_RUSSIAN |= {"testserver"}  # the test client's host name, in links written out
SAME_IN_RUSSIAN |= {"utc", "msk"}  # time zones' abbreviations, as the zone database has them
SAME_IN_RUSSIAN |= {"e-mail"}  # Russian writes it in Latin letters (so does allauth's catalogue)
SAME_IN_RUSSIAN |= {"or"}  # the search's operator, typed as "or" in every language
# Services the share links and the embeds' help name: brands, not interface words.
SAME_IN_RUSSIAN |= {"whatsapp", "vk", "telegram", "facebook", "youtube", "vimeo", "instagram"}
SAME_IN_RUSSIAN |= {"netnewswire", "feedly", "inoreader", "feeder", "thunderbird"}  # feed readers
NOT_WORDS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w.-]+|\b[\w-]+(?:\.[\w-]+)+(?:/\S*)?|&\w+;|\{\{.*?\}\}"
)
LATIN = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]")
# Feed elements read by programs, not people (RFC 822 dates are English by definition).
MACHINE_FIELDS = re.compile(r"<(pubDate|lastBuildDate|updated|published|language)>.*?</\1>")
VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}


class Visible(HTMLParser):
    """The text a reader sees or hears: text nodes outside script and style, the visible
    attributes, the value of buttons and the description meta tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self.hidden += 1
        self.pieces += [v for k, v in attrs.items() if k in VISIBLE_ATTRIBUTES and v]
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.pieces.append(attrs.get("value") or "")
        if tag == "meta" and attrs.get("name") == "description":
            self.pieces.append(attrs.get("content") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden:
            self.pieces.append(data)


def visible_text(markup):
    parser = Visible()
    parser.feed(markup)
    parser.close()
    return " ".join(" ".join(parser.pieces).split())


def content_words():
    """Every Latin word stored in the database's text and the outlet's name (SITE_NAME): the
    content, not the interface."""
    found = {w.lower() for w in LATIN.findall(settings.SITE_NAME)}
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value:
                    found.update(w.lower() for w in LATIN.findall(str(value)))
    return found


def english_in(text, allowed):
    """The Latin words of `text` that are neither content nor the same in Russian, each with
    a little of what surrounds it: [(word, context)]."""
    text = NOT_WORDS.sub(" ", text)
    found = []
    for match in LATIN.finditer(text):
        word = match.group().lower().strip("'’-")
        if word in allowed or word in SAME_IN_RUSSIAN:
            continue
        found.append((match.group(), text[max(0, match.start() - 30) : match.end() + 30].strip()))
    return found


@pytest.fixture
def russian(settings):
    settings.LANGUAGE_CODE = "ru"
    settings.SITE_URL = SITE
    settings.NEWSROOM_PAGE_SIZE = 1  # search results on two pages
    settings.DEBUG = True  # the demo's readers and staff
    call_command("load_demo", "--articles", "4", "--language", "ru", stdout=None)
    settings.DEBUG = False
    with translation.override("ru"):
        yield seed_article("ru")


@pytest.fixture
def reader(russian):
    user = get_user_model().objects.get(username="reader")
    client = Client()
    client.force_login(user)
    return client, user


def assert_russian(pages, allowed=None):
    allowed = content_words() if allowed is None else allowed
    report = {}
    for name, markup in pages.items():
        if found := english_in(visible_text(markup), allowed):
            report[name] = [context for _word, context in found[:8]]
    assert not report, "English left:\n" + "\n".join(f"{k}: {v}" for k, v in report.items())


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_the_detector_finds_english_and_leaves_content_and_addresses(db):
    allowed = {"facebook"}
    text = visible_text(
        "<p>Войти через Facebook</p><a title='Sign in' href='/x'>https://t.me/news info@x.ru</a>"
        "<script>var english = 1</script><button>Отправить</button> Read more"
    )
    assert [word for word, _context in english_in(text, allowed)] == ["Sign", "in", "Read", "more"]


def test_every_public_page_speaks_russian(client, russian):
    seed = russian
    tag = Tag.objects.filter(article__in=Article.objects.published()).first()
    author = Author.objects.filter(articles=seed).first()
    pages = {
        "home": reverse("articles:home"),
        "section": seed.section.get_absolute_url(),
        "empty section": Section.objects.exclude(articles__isnull=False).first(),
        "tag": reverse("articles:tag", args=[tag.slug]),
        "author": author.get_absolute_url(),
        "article": seed.get_absolute_url(),
        "search": reverse("articles:search") + "?q=НАТО",
        "search, page 2": reverse("articles:search") + "?q=Россия&page=2",
        "search, nothing found": reverse("articles:search") + "?q=абракадабра",
        "search, no query": reverse("articles:search"),
        "corrections": reverse("articles:corrections"),
        "information": "/pages/about/",
        "sign in": reverse("account_login"),
        "sign up": reverse("account_signup"),
        "password reset": reverse("account_reset_password"),
        "newsletters": reverse("newsletters:subscribe"),
        "rss": reverse("articles:feed_rss"),
        "atom": reverse("articles:feed_atom"),
        "section rss": reverse("articles:section_feed_rss", args=[seed.section.slug]),
        "a feed in a browser": reverse("articles:feed_stylesheet"),
    }
    rendered = {}
    for name, url in pages.items():
        if isinstance(url, Section):
            url = url.get_absolute_url()
        if url is None:
            continue
        rendered[name] = MACHINE_FIELDS.sub(" ", get(client, url))
    rendered["not found"] = get(client, "/article/999999/nichego/", status=404)
    assert_russian(rendered)


def test_a_withdrawn_article_and_the_error_pages_speak_russian(client, russian, settings):
    editor = get_user_model().objects.get(username="editor")
    withdrawn = Article.objects.published().exclude(pk=russian.pk).first()
    workflow.withdraw(withdrawn, by=editor, reason="Юридическое требование")
    request = RequestFactory().get("/")
    pages = {"withdrawn": get(client, withdrawn.get_absolute_url(), status=410)}
    for status in (400, 403, 404, 429, 503):
        pages[str(status)] = render_to_string(f"{status}.html", request=request)
    settings.ROOT_URLCONF = "tests.crashing_urls"
    client.raise_request_exception = False
    pages["500"] = get(client, "/crash/", status=500)
    assert_russian(pages)


def test_a_signed_in_readers_pages_speak_russian(russian, reader):
    client, user = reader
    comment = post_comment(article=russian, user=user, body="Спасибо за статью.")[0]
    pages = {
        "article with the form": get(client, russian.get_absolute_url()),
        "profile": get(client, reverse("accounts:profile")),
        "delete account": get(client, reverse("accounts:delete")),
        "edit comment": get(client, reverse("comments:edit", args=[comment.pk])),
        "delete comment": get(client, reverse("comments:delete", args=[comment.pk])),
        "change password": get(client, reverse("account_change_password")),
        "e-mail addresses": get(client, reverse("account_email")),
    }
    other = Comment.objects.exclude(user=user).filter(article=russian).first()
    if other is None:
        other = post_comment(article=russian, user=make_reader("boris"), body="Не согласен.")[0]
    pages["report comment"] = get(client, reverse("comments:report", args=[other.pk]))
    refused = client.post(reverse("comments:create", args=[russian.pk]), {"body": ""})
    pages["comment refused"] = refused.content.decode()
    assert_russian(pages)


def test_every_mail_speaks_russian(russian, smtp_server, django_capture_on_commit_callbacks):
    digest = Newsletter.objects.filter(kind=Newsletter.Kind.DIGEST).first()
    password = "Длинный-пароль-42"
    signup = {"email": "boris@example.com", "password1": password, "password2": password}
    reader = get_user_model().objects.get(username="reader")
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_signup"), {**signup, "display_name": "Борис"})
        Client().post(reverse("newsletters:subscribe"), {"email": "anna@example.com"})
        Client().post(reverse("account_reset_password"), {"email": "reader@example.com"})
        thread = post_comment(article=russian, user=reader, body="Интересно.")[0]
        post_comment(
            article=russian,
            user=make_reader("vera", display_name="Вера"),
            body="Согласна.",
            parent=thread,
        )
        issue = Issue.objects.create(newsletter=digest, subject="Главное за день")
        IssueArticle.objects.create(issue=issue, article=russian, position=0)
        confirmed("gleb@example.com", digest)
        send_issue(issue, by=None)

    mails = {}
    for message in smtp_server.wait_for(5):
        name = f"{message['Subject'].strip()} → {message['To']}"
        html = smtp_server.html_of(message) if message.get_body(("html",)) else ""
        mails[name] = f"<p>{message['Subject']}</p><pre>{smtp_server.text_of(message)}</pre>{html}"
    # Sign-up confirmations, password reset and the reply's notification, the newsletter issue.
    assert len(mails) == 5, list(mails)
    assert_russian(mails)


def test_the_article_admin_speaks_russian(russian):
    client = Client()
    client.force_login(get_user_model().objects.get(username="editor"))
    pages = {
        "list": get(client, reverse("admin:articles_article_changelist")),
        "add": get(client, reverse("admin:articles_article_add")),
        "change": get(client, reverse("admin:articles_article_change", args=[russian.pk])),
        "history": get(client, reverse("admin:articles_article_history", args=[russian.pk])),
    }
    assert_russian(pages)


def test_comment_counts_take_the_russian_plural(client, russian):
    for count, words in [(1, "1 комментарий"), (2, "2 комментария"), (5, "5 комментариев")]:
        article = make_article(title=f"Статья с комментариями: {count}")
        for n in range(count):
            post_comment(article=article, user=make_reader(f"r{count}{n}"), body="Текст.")
        text = visible_text(get(client, article.section.get_absolute_url()))
        assert words in text, (count, text[:500])


def test_a_failed_form_says_so_in_russian(client, russian):
    pages = {
        "failed sign-in": client.post(
            reverse("account_login"), {"login": "nobody@example.com", "password": "wrong-pass"}
        ),
        "failed sign-up": client.post(
            reverse("account_signup"), {"email": "new@example.com", "password1": "short"}
        ),
    }
    pages = {name: response.content.decode() for name, response in pages.items()}
    for name, page in pages.items():
        title = " ".join(re.search(r"<title>(.*?)</title>", page, re.S).group(1).split())
        assert title.startswith("Ошибка: "), (name, title)
        assert 'class="error-summary"' in page, name
    assert_russian(pages)
