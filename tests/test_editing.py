"""Autosave and editing locks in the article form: the typing survives, two editors know of
each other, and the server refuses the save of an editor whose editing was taken over."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import editing, workflow
from articles.models import Article, Autosave, EditLock
from tests.factories import change_url, make_article, make_draft, make_staff, post_data

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
NEW_AUTOSAVE_URL = reverse("admin:articles_article_new_autosave")


def autosave_url(article):
    return reverse("admin:articles_article_autosave", args=[article.pk])


def lock_url(article):
    return reverse("admin:articles_article_lock", args=[article.pk])


def take_over_url(article):
    return reverse("admin:articles_article_lock_take_over", args=[article.pk])


def send(client, url, payload, **extra):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url, body, content_type="application/json", **extra)


def staff(username, first, last, group="Editor"):
    user = make_staff(username, group=group)
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def anna(db):
    return staff("anna", "Anna", "Petrova")


@pytest.fixture
def boris(db):
    return staff("boris", "Boris", "Ivanov")


def as_sent(fields):
    """Form fields as the browser's FormData has them: text, or lists of text."""
    return {
        name: [str(v) for v in value] if isinstance(value, list) else str(value)
        for name, value in fields.items()
    }


def form_fields(article, **overrides):
    """The fields the script sends for `article`'s form, with what was typed."""
    return as_sent(post_data(article, editor_fields=True) | overrides)


# Autosave


def test_autosaved_text_is_restored_when_the_form_opens_again(client, anna):
    article = make_article(title="Budget passes", body="<p>Old text.</p>")
    client.force_login(anna)

    response = send(
        client,
        autosave_url(article),
        {"fields": form_fields(article, title="Budget passes narrowly", body="<p>New text.</p>")},
    )

    assert response.status_code == 200
    assert "saved_at" in response.json()
    page = client.get(change_url(article)).content.decode()
    assert "Unsaved text from" in page and "was restored" in page
    assert 'value="Budget passes narrowly"' in page
    assert "&lt;p&gt;New text.&lt;/p&gt;" in page  # in the body's textarea, for the editor
    article.refresh_from_db()
    assert article.title == "Budget passes"  # the article itself is untouched


def test_saving_the_article_clears_the_autosave(client, anna):
    article = make_article(title="Budget passes")
    client.force_login(anna)
    send(client, autosave_url(article), {"fields": form_fields(article, title="Typed")})
    client.get(change_url(article))

    response = client.post(
        change_url(article), post_data(article, editor_fields=True, title="Budget saved")
    )

    assert response.status_code == 302
    assert not Autosave.objects.exists()
    page = client.get(change_url(article)).content.decode()
    assert "was restored" not in page
    assert 'value="Budget saved"' in page


def test_text_typed_before_somebody_else_saved_is_offered_not_put_in_the_form(client, anna, boris):
    article = make_article(title="Budget passes")
    client.force_login(anna)
    send(client, autosave_url(article), {"fields": form_fields(article, title="Anna's headline")})
    client.force_login(boris)
    client.post(change_url(article), post_data(article, editor_fields=True, title="Boris's"))
    client.force_login(anna)

    page = client.get(change_url(article)).content.decode()

    assert "the article was saved again since" in page
    assert 'value="Boris&#x27;s"' in page
    restored = client.get(change_url(article) + "?autosave=restore").content.decode()
    assert 'value="Anna&#x27;s headline"' in restored
    assert "was restored" in restored
    # Restored on purpose, it is saved over the current version (not refused as stale).
    article.refresh_from_db()
    current = workflow.version_of(article, workflow.pending_changes(article))
    assert f'value="{current}"' in restored


def test_discarding_the_autosave_opens_the_article_as_saved(client, anna):
    article = make_article(title="Budget passes")
    client.force_login(anna)
    send(client, autosave_url(article), {"fields": form_fields(article, title="Typed")})

    response = client.post(reverse("admin:articles_article_autosave_discard", args=[article.pk]))

    assert response.status_code == 302
    assert not Autosave.objects.exists()
    page = client.get(change_url(article)).content.decode()
    assert 'value="Budget passes"' in page
    assert "was restored" not in page


def test_a_refused_save_keeps_what_was_typed_for_later(client, anna, boris):
    article = make_article(title="Budget passes")
    opened = post_data(article, editor_fields=True)
    client.force_login(boris)
    client.post(change_url(article), post_data(article, editor_fields=True, title="Boris's"))
    client.force_login(anna)

    response = client.post(change_url(article), opened | {"body": "<p>My long rewrite.</p>"})

    assert "Not saved" in str(response.context["adminform"].form.errors)
    assert Autosave.objects.get(user=anna, article=article).data["body"] == (
        "<p>My long rewrite.</p>"
    )
    assert '"unsaved": true' in response.content.decode()  # leaving the page warns


def test_a_new_article_is_autosaved_and_restored_until_it_is_saved(client, anna, section):
    client.force_login(anna)
    fields = as_sent(post_data(section=section, title="Half-written scoop", slug="scoop"))

    assert send(client, NEW_AUTOSAVE_URL, {"fields": fields}).status_code == 200
    page = client.get(ADD_URL).content.decode()
    assert 'value="Half-written scoop"' in page and "was restored" in page

    response = client.post(ADD_URL, fields)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Article.objects.get().title == "Half-written scoop"
    assert not Autosave.objects.exists()


def test_autosave_keeps_one_copy_per_user_and_article(client, anna, boris):
    article = make_article()
    for user, title in [(anna, "One"), (anna, "Two"), (boris, "Three")]:
        client.force_login(user)
        send(client, autosave_url(article), {"fields": form_fields(article, title=title)})

    kept = {(a.user.username, a.data["title"]) for a in Autosave.objects.select_related("user")}
    assert kept == {("anna", "Two"), ("boris", "Three")}


def test_a_reporter_cannot_autosave_or_lock_somebody_elses_published_article(client, anna):
    article = make_article(created_by=anna)
    reporter = make_staff("reporter", group="Reporter")
    client.force_login(reporter)

    saved = send(client, autosave_url(article), {"fields": {"title": "Mine now"}})
    locked = send(client, lock_url(article), {"action": "renew"})
    taken = client.post(take_over_url(article))

    assert saved.status_code == locked.status_code == taken.status_code == 403
    assert saved.json()["error"] and locked.json()["error"]
    assert not Autosave.objects.exists() and not EditLock.objects.exists()


def test_a_reporter_autosaves_their_own_draft(client):
    reporter = make_staff("reporter", group="Reporter")
    draft = make_article(status=Article.Status.DRAFT, published_at=None, created_by=reporter)
    client.force_login(reporter)

    assert send(client, autosave_url(draft), {"fields": {"title": "Mine"}}).status_code == 200


def test_signed_out_the_endpoints_answer_403_in_json(client):
    article = make_article()

    response = send(client, autosave_url(article), {"fields": {"title": "x"}})

    assert response.status_code == 403
    assert "Sign in" in response.json()["error"]


def test_autosave_without_the_csrf_token_is_refused_in_json(anna):
    article = make_article()
    client = Client(enforce_csrf_checks=True)
    client.force_login(anna)

    refused = send(client, autosave_url(article), {"fields": {"title": "x"}})

    assert refused.status_code == 403
    assert "security token" in refused.json()["error"]
    assert not Autosave.objects.exists()
    page = client.get(change_url(article)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    accepted = send(
        client, autosave_url(article), {"fields": {"title": "x"}}, HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    "body, message",
    [
        ("{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        ("[1, 2]", "Expected a JSON object"),
        ('{"fields": "title"}', "Expected a JSON object"),
        ('{"fields": {"title": 3}}', "must be text"),
        ('{"fields": {"tags": [["nested"]]}}', "must be text"),
        ('{"fields": {"title": "\\ud800"}}', "not valid text"),
        ('{"fields": {"": "x"}}', "empty or too long"),
        (json.dumps({"fields": {f"f{n}": "" for n in range(501)}}), "Too many fields"),
    ],
)
def test_bad_autosave_input_gets_a_400_in_json_and_keeps_nothing(client, anna, body, message):
    article = make_article()
    client.force_login(anna)

    response = send(client, autosave_url(article), body)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Autosave.objects.exists()


def test_an_oversized_autosave_gets_a_413_in_json(client, anna):
    article = make_article()
    client.force_login(anna)
    body = "x" * editing.AUTOSAVE_MAX_BYTES

    response = send(client, autosave_url(article), {"fields": {"body": body}})

    assert response.status_code == 413
    assert "at most 1024 KB" in response.json()["error"]
    assert not Autosave.objects.exists()


def test_nul_characters_are_dropped_and_the_token_and_buttons_are_not_kept(client, anna):
    article = make_article()
    client.force_login(anna)

    send(
        client,
        autosave_url(article),
        {"fields": {"title": "Bud\u0000get", "csrfmiddlewaretoken": "t", "_save": "Save"}},
    )

    assert Autosave.objects.get().data == {"title": "Budget"}


def test_the_autosave_endpoint_refuses_get(client, anna):
    article = make_article()
    client.force_login(anna)

    assert client.get(autosave_url(article)).status_code == 405


def test_an_unknown_article_gets_a_404_in_json(client, anna):
    client.force_login(anna)

    response = send(client, reverse("admin:articles_article_autosave", args=[999]), {})

    assert response.status_code == 404
    assert response.json()["error"]


# Locks


def test_opening_the_form_takes_the_lock_and_another_editor_sees_who_and_since_when(
    client, anna, boris
):
    article = make_article()
    with time_machine.travel(timezone.now().replace(hour=14, minute=2), tick=False):
        client.force_login(anna)
        client.get(change_url(article))
        client.force_login(boris)

        page = client.get(change_url(article)).content.decode()

    assert EditLock.objects.get(article=article).user == anna
    assert "Anna Petrova has been editing this article since 2:02 p.m." in page
    assert "Take over" in page
    assert 'name="_save"' not in page  # read-only until he takes over
    assert 'id="id_title"' not in page


def test_taking_over_tells_the_first_editor_and_refuses_their_save(client, anna, boris):
    article = make_article(title="Budget passes")
    client.force_login(anna)
    client.get(change_url(article))
    annas_form = post_data(article, editor_fields=True, title="Anna's headline")
    client.force_login(boris)

    response = client.post(take_over_url(article))

    assert response.status_code == 302
    assert "You took over editing from Anna Petrova" in client.get(change_url(article)).text
    client.force_login(anna)
    renewal = send(client, lock_url(article), {"action": "renew"}).json()
    assert renewal["held"] is False and renewal["taken_over"] is True
    assert "Boris Ivanov took over editing at" in renewal["message"]
    assert "your save will be refused" in renewal["message"]

    refused = client.post(change_url(article), annas_form)

    assert refused.status_code == 200
    errors = str(refused.context["adminform"].form.errors)
    assert "Not saved: Boris Ivanov took over editing at" in errors
    assert 'value="Anna&#x27;s headline"' in refused.content.decode()
    article.refresh_from_db()
    assert article.title == "Budget passes"
    assert EditLock.objects.get(article=article).user == boris


def test_the_editor_who_took_over_saves(client, anna, boris):
    article = make_draft(title="Budget passes")  # a draft: its row takes the save
    client.force_login(anna)
    client.get(change_url(article))
    client.force_login(boris)
    client.post(take_over_url(article))
    client.get(change_url(article))

    response = client.post(change_url(article), post_data(article, editor_fields=True, title="B"))

    assert response.status_code == 302
    assert Article.objects.get().title == "B"
    assert not EditLock.objects.exists()  # freed by the save, taken again by the next opening


def test_a_lock_expires_two_minutes_after_the_last_renewal(client, anna, boris):
    article = make_article()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(anna)
        client.get(change_url(article))
        traveller.shift(timedelta(seconds=90))
        send(client, lock_url(article), {"action": "renew"})
        traveller.shift(timedelta(seconds=100))  # 190 s after opening, 100 s after renewing
        client.force_login(boris)
        assert "Anna Petrova has been editing" in client.get(change_url(article)).text
        traveller.shift(timedelta(seconds=21))

        page = client.get(change_url(article)).text

    assert "has been editing" not in page
    assert 'name="_save"' in page
    assert EditLock.objects.get(article=article).user == boris


def test_a_save_after_the_lock_lapsed_is_accepted_when_nobody_else_holds_it(client, anna):
    article = make_draft(title="Budget passes")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.force_login(anna)
        client.get(change_url(article))
        traveller.shift(timedelta(minutes=30))  # a long lunch, no script renewing

        response = client.post(
            change_url(article), post_data(article, editor_fields=True, title="After lunch")
        )

    assert response.status_code == 302
    assert Article.objects.get().title == "After lunch"


def test_a_save_is_refused_while_somebody_else_holds_the_lock(client, anna, boris):
    article = make_article(title="Budget passes")
    form = post_data(article, editor_fields=True, title="Anna's")
    client.force_login(boris)
    client.get(change_url(article))
    client.force_login(anna)

    response = client.post(change_url(article), form)

    assert "Not saved: Boris Ivanov is editing this article (since" in str(
        response.context["adminform"].form.errors
    )
    assert Article.objects.get().title == "Budget passes"


def test_leaving_releases_the_lock_and_the_other_editor_then_opens_it_for_editing(
    client, anna, boris
):
    article = make_article()
    client.force_login(anna)
    client.get(change_url(article))

    released = send(client, lock_url(article), {"action": "release"})

    assert released.status_code == 200 and released.json()["holder"] is None
    client.force_login(boris)
    assert send(client, lock_url(article), {}).status_code == 400
    assert client.get(lock_url(article)).json() == {
        "held": False,
        "holder": None,
        "since": None,
        "taken_over": False,
        "message": "",
    }
    assert 'name="_save"' in client.get(change_url(article)).text


def test_the_lock_status_names_the_holder_for_the_waiting_editor(client, anna, boris):
    article = make_article()
    client.force_login(anna)
    client.get(change_url(article))
    client.force_login(boris)

    status = client.get(lock_url(article)).json()

    assert status["held"] is False
    assert status["holder"] == "Anna Petrova"
    assert "Anna Petrova has been editing this article since" in status["message"]


def test_take_over_works_as_a_plain_form_and_refuses_get(client, anna, boris):
    article = make_article()
    client.force_login(boris)

    assert client.get(take_over_url(article)).status_code == 403
    assert client.post(take_over_url(article)).status_code == 302
    assert EditLock.objects.get().user == boris


def test_locks_cost_no_query_on_the_public_article_page(client, anna, no_page_cache):
    article = make_article()
    client.get(article.get_absolute_url())  # warm the cached parts
    with CaptureQueriesContext(connection) as without_lock:
        client.get(article.get_absolute_url())
    editing.take(article, anna)
    Autosave.objects.create(user=anna, article=article, data={"title": "x"})

    with CaptureQueriesContext(connection) as with_lock:
        response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert len(with_lock) == len(without_lock)
    sql = " ".join(query["sql"] for query in with_lock.captured_queries)
    assert "editlock" not in sql and "autosave" not in sql


def test_a_save_refused_for_a_nul_character_keeps_the_text_without_it(client, anna):
    article = make_article(title="Budget passes")
    client.force_login(anna)

    response = client.post(
        change_url(article), post_data(article, editor_fields=True, title="Bud\x00get")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Autosave.objects.get(user=anna, article=article).data["title"] == "Budget"
