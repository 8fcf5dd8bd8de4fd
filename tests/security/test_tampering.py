"""Crafted requests: unexpected methods, over-long and malformed input, invalid UTF-8,
text-direction tricks, SQL-shaped text. Each gets a clear answer and changes nothing it
should not; none gets a 500."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Profile
from articles.models import Article
from comments.models import Comment
from tests.factories import make_article, make_comment, make_reader, make_section
from tests.test_workflow import ADD_URL, post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, reader):
    client.force_login(reader)
    return client


# Method tampering


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_posting_and_deleting_comments_answer_405_to_other_methods(signed_in, reader, method):
    article = make_article()
    comment = make_comment(article, reader)
    urls = [reverse("comments:create", args=[article.pk])]
    if method != "get":  # a GET of the delete address asks for confirmation (below)
        urls.append(reverse("comments:delete", args=[comment.pk]))
    for url in urls:
        assert getattr(signed_in, method)(url).status_code == 405, url
    assert Comment.objects.get().is_visible


def test_a_get_of_the_delete_address_only_asks(signed_in, reader):
    comment = make_comment(make_article(), reader)
    response = signed_in.get(reverse("comments:delete", args=[comment.pk]))
    assert response.status_code == 200
    assert b"Delete your comment?" in response.content
    assert Comment.objects.get().is_visible


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_forms_answer_405_to_methods_they_do_not_take(signed_in, reader, method):
    comment = make_comment(make_article(), reader, body="Mine")
    other = make_comment(make_article())
    for url in [
        reverse("comments:edit", args=[comment.pk]),
        reverse("comments:report", args=[other.pk]),
        reverse("accounts:profile"),
    ]:
        assert getattr(signed_in, method)(url, "body=Hacked").status_code == 405, url
    assert Comment.objects.get(pk=comment.pk).body == "Mine"


def test_signing_out_by_get_does_not_sign_out(signed_in):
    signed_in.get(reverse("account_logout"))
    assert "_auth_user_id" in signed_in.session


# Over-long input


def test_an_over_long_comment_is_refused_with_the_text_kept(signed_in, article):
    body = "word " * 20_000
    response = signed_in.post(reverse("comments:create", args=[article.pk]), {"body": body})
    assert response.status_code == 200
    assert "at most 5000 characters" in response.content.decode()
    assert body.strip()[:1000] in response.content.decode()
    assert not Comment.objects.exists()


def test_a_request_body_over_the_upload_limit_gets_a_400(signed_in, article, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = signed_in.post(reverse("comments:create", args=[article.pk]), {"body": "x" * 20_000})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_an_over_long_display_name_is_refused_with_the_text_kept(signed_in, reader):
    name = "N" * 500
    response = signed_in.post(reverse("accounts:profile"), {"display_name": name})
    assert response.status_code == 200
    assert name in response.content.decode()
    assert Profile.objects.get(user=reader).display_name == "Anna Reader"


def test_an_over_long_headline_from_a_reporter_is_refused(client, reporter):
    client.force_login(reporter)
    response = client.post(ADD_URL, post_data(section=make_section(), title="H" * 5000))
    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_an_over_long_sign_in_is_refused_cleanly(client):
    response = client.post(
        reverse("account_login"), {"login": "a" * 10_000 + "@example.com", "password": "p" * 10_000}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


# Invalid UTF-8 and text-direction tricks


@pytest.mark.parametrize(
    "address", ["/search/?q=%FF%FE%C0%AF", "/tag/%FF%FE/", "/section/%C0%AF/", "/?page=%ED%A0%80"]
)
def test_invalid_utf8_in_the_address_gets_a_page_not_a_500(client, address):
    assert client.get(address).status_code in {200, 400, 404}


def test_invalid_utf8_in_a_posted_comment_is_stored_replaced_not_a_500(signed_in, article):
    response = signed_in.post(
        reverse("comments:create", args=[article.pk]),
        b"body=Caf%E9+%FF%FE+ok",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert Comment.objects.get().body.endswith("ok")


@pytest.mark.parametrize("name", ["Anna\u202eredaeR", "Mod\u2067erator", "\u200bAdmin", "A\x07B"])
def test_a_display_name_with_direction_or_invisible_characters_is_refused(signed_in, reader, name):
    response = signed_in.post(reverse("accounts:profile"), {"display_name": name})
    assert response.status_code == 200
    assert "invisible or text-direction characters" in response.content.decode()
    assert Profile.objects.get(user=reader).display_name == "Anna Reader"


def test_a_right_to_left_override_in_a_comment_stays_inside_the_comment(signed_in, article):
    signed_in.post(reverse("comments:create", args=[article.pk]), {"body": "evil \u202e txt.exe"})
    html = signed_in.get(article.get_absolute_url()).content.decode()
    before, body_and_after = html.split('class="comment__body">', 1)
    body, after = body_and_after.split("</div>", 1)
    assert "\u202e" in body
    assert "\u202e" not in before and "\u202e" not in after


# SQL-shaped input is only ever data

SQL = [
    "' OR '1'='1",
    "1; DROP TABLE articles_article; --",
    '" UNION SELECT password FROM auth_user --',
    "%' AND 1=(SELECT COUNT(*) FROM auth_user) --",
]


@pytest.mark.parametrize("text", SQL)
def test_sql_shaped_search_finds_nothing_and_drops_nothing(client, text):
    make_article(title="Budget passes")
    response = client.get(reverse("articles:search"), {"q": text})
    assert response.status_code == 200
    assert "Budget passes" not in response.content.decode()
    assert "articles_article" in connection.introspection.table_names()
    assert Article.objects.count() == 1


@pytest.mark.parametrize("text", SQL[:2])
def test_sql_shaped_sign_in_is_refused(client, text):
    make_reader("anna")
    response = client.post(reverse("account_login"), {"login": text, "password": text})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sql_shaped_addresses_are_not_found(client):
    make_article()
    for address in ["/tag/x'%20OR%20'1'='1/", "/author/1%20OR%201=1/", "/?page=1%20OR%201=1"]:
        assert client.get(address).status_code == 404, address


def test_a_sql_shaped_comment_is_stored_as_written(signed_in, article):
    signed_in.post(reverse("comments:create", args=[article.pk]), {"body": SQL[1]})
    assert Comment.objects.get().body == SQL[1]
    assert Article.objects.filter(pk=article.pk).exists()


# NUL characters in forms (PostgreSQL refuses them in any text; they must never reach it)


def nul_comment(client, reader):
    article = make_article()
    return client.post(reverse("comments:create", args=[article.pk]), {"body": "a\x00b"})


def nul_reply_number(client, reader):
    article = make_article()
    url = reverse("comments:create", args=[article.pk])
    return client.post(url, {"body": "ok", "parent": "1\x00"})


def nul_report(client, reader):
    comment = make_comment(make_article())
    return client.post(reverse("comments:report", args=[comment.pk]), {"reason": "spam\x00"})


def nul_display_name(client, reader):
    return client.post(reverse("accounts:profile"), {"display_name": "Anna\x00"})


def nul_sign_in(client, reader):
    client.logout()
    return client.post(reverse("account_login"), {"login": "a\x00@example.com", "password": "x"})


@pytest.mark.parametrize(
    "attempt", [nul_comment, nul_reply_number, nul_report, nul_display_name, nul_sign_in]
)
def test_a_nul_character_in_a_form_gets_a_form_error_and_stores_nothing(signed_in, reader, attempt):
    response = attempt(signed_in, reader)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Null characters are not allowed." in html or "The form was damaged" in html
    assert not Comment.objects.filter(body__contains="ok").exists()
    assert "\x00" not in Profile.objects.get(user=reader).display_name


def test_a_nul_character_in_a_reporters_headline_gets_a_form_error(client, reporter):
    client.force_login(reporter)
    response = client.post(ADD_URL, post_data(section=make_section(), title="Budget\x00"))
    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


# Numbers: huge, negative, non-numeric, where the address or a form carries one


@pytest.mark.parametrize(
    "value",
    ["99999999999999999999", "9223372036854775808", "-5", "0", "abc", "1e3", "9" * 5000, "%C0"],
)
def test_any_discussion_page_number_shows_the_article(client, article, value):
    make_comment(article, body="The first comment.")
    response = client.get(f"{article.get_absolute_url()}?comments={value}")
    assert response.status_code == 200
    assert "The first comment." in response.content.decode()


@pytest.mark.parametrize("parent", ["99999999999999999999", "-1", "1.5"])
def test_a_reply_to_an_impossible_comment_number_is_refused(signed_in, article, parent):
    response = signed_in.post(
        reverse("comments:create", args=[article.pk]), {"body": "Reply", "parent": parent}
    )
    assert response.status_code == 200
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "/comments/99999999999999999999/edit/",
        "/comments/99999999999999999999/report/",
        "/preview/99999999999999999999/",
        "/preview/1/version/99999999999999999999/",
    ],
)
def test_huge_numbers_in_addresses_are_not_found(client, editor, address):
    client.force_login(editor)
    assert client.get(address).status_code == 404


@pytest.mark.parametrize(
    "address, status",
    [
        ("/sitemap-articles.xml?p=99999999999999999999", 404),
        ("/sitemap-articles.xml?p=-1", 404),
        ("/sitemap-tags.xml?p=abc", 404),
        ("/corrections/?page=99999999999999999999", 404),
        ("/search/?q=a&page=99999999999999999999", 200),
        ("/search/?q=a&page=-1", 200),
        ("/tag/%E2%80%AE/rss/", 404),
        ("/pages/../../etc/passwd", 404),
        ("/static/%2e%2e/%2e%2e/manage.py", 404),
        ("/media/articles/..%5c..%5cmanage.py", 404),
        ("/accounts/password/reset/key/zz-zz/", 200),  # "this link is not valid" page
        ("/admin/articles/article/99999999999999999999/change/", 302),  # "does not exist"
        ("/admin/articles/article/1/history/99999999999999999999/", 302),
        ("/admin/articles/article/?status=<script>", 200),
    ],
)
def test_crafted_addresses_anywhere_get_a_clear_answer(client, editor, address, status):
    make_comment(make_article(tags=["t"]))
    client.force_login(editor)
    response = client.get(address)
    assert response.status_code == status
    assert b"DJANGO_SETTINGS_MODULE" not in response.content
    assert b"<script>" not in response.content.replace(b'<script type="', b"")
