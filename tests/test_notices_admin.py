"""The editors' side of notices and labels: admin, mentions, history, notices_as_of."""

import datetime
import html
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from notices.models import Label, Notice
from tests.factories import make_article, make_label, make_notice
from tests.test_admin import article_form

pytestmark = pytest.mark.django_db


def notice_form(**overrides):
    return {
        "name": "Channels",
        "body": "<p>Subscribe</p>",
        "list_format": "",
        "placement": "article_end",
        "position": "0",
        "active": "on",
        "scope": "everywhere",
        # the channels inline, empty
        "channels-TOTAL_FORMS": "0",
        "channels-INITIAL_FORMS": "0",
    } | overrides


def test_an_editor_adds_a_notice_and_its_history_says_who_and_what(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:notices_notice_add"), notice_form())
    assert response.status_code == 302
    notice = Notice.objects.get()
    url = reverse("admin:notices_notice_change", args=[notice.pk])
    client.post(url, notice_form(body="<p>Subscribe now</p>"))
    history = list(notice.history.order_by("history_date"))
    assert [(h.history_type, h.history_user, h.body) for h in history] == [
        ("+", editor, "<p>Subscribe</p>"),
        ("~", editor, "<p>Subscribe now</p>"),
    ]
    page = client.get(reverse("admin:notices_notice_history", args=[notice.pk]))
    assert page.status_code == 200
    assert "Subscribe now" in page.content.decode()


def test_a_bad_notice_form_keeps_what_was_typed(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:notices_notice_add"), notice_form(name="", body="<p>Kept text</p>")
    )
    assert response.status_code == 200
    assert "Kept text" in response.content.decode()
    assert not Notice.objects.exists()


def test_the_notice_admin_previews_the_rendered_notice_with_its_list(client, editor):
    notice = make_notice(body="<p>Banned:</p>", list_format="designations")
    make_label("Facebook", notice=notice)
    client.force_login(editor)
    html = client.get(reverse("admin:notices_notice_change", args=[notice.pk])).content.decode()
    assert "Facebook (banned in Russia)</p>" in html
    changelist = client.get(reverse("admin:notices_notice_changelist") + "?placement=article_end")
    assert changelist.status_code == 200


def test_label_history_is_kept_and_visible(client, editor):
    label = make_label("Meta")
    client.force_login(editor)
    url = reverse("admin:notices_label_change", args=[label.pk])
    response = client.post(
        url,
        {
            "name": "Meta",
            "aliases": "Meta Platforms",
            "label_text": "recognized as extremist",
            "listed_as": "",
            "notice": label.notice_id,
            "position": "0",
            "active": "on",
            "valid_from": "",
            "valid_until": "",
        },
    )
    assert response.status_code == 302
    assert list(label.history.values_list("label_text", "history_user")) == [
        ("recognized as extremist", editor.pk),
        ("banned in Russia", None),
    ]
    page = client.get(reverse("admin:notices_label_history", args=[label.pk])).content.decode()
    assert "recognized as extremist" in page


def test_the_label_admin_lists_the_published_articles_that_mention_it(client, editor):
    label = make_label("Meta", aliases="Метой")
    by_name = make_article(title="Meta fined")
    by_alias = make_article(body="<p>Вместе с Метой.</p>")
    draft = make_article(body="<p>Meta</p>", status=Article.Status.DRAFT)
    lookalike = make_article(body="<p>Metadata and meta.</p>")
    client.force_login(editor)
    html = client.get(reverse("admin:notices_label_change", args=[label.pk])).content.decode()
    assert "2 published articles mention it." in html
    assert by_name.get_absolute_url() in html
    assert by_alias.get_absolute_url() in html
    assert draft.title not in html
    assert lookalike.title not in html


def test_the_article_admin_shows_every_mention_and_whether_it_is_labelled(client, editor):
    make_label("Meta")
    make_label("ISIS")
    make_label("Azov")
    article = make_article(
        title="Meta (banned in Russia) and ISIS",
        lead="A lead.",
        body='<p><a href="https://x.test/">Azov</a> and ISIS</p>',
    )
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    assert "<td>Meta</td><td>headline</td><td>(banned in Russia)</td><td>labelled</td>" in html
    assert "<td>ISIS</td><td>headline</td><td>(banned in Russia)</td><td>NOT labelled" in html
    assert "<td>ISIS</td><td>body</td><td>(banned in Russia)</td><td>labelled</td>" in html
    assert "<td>Azov</td><td>body</td><td>(banned in Russia)</td><td>inside a link" in html


def test_publishing_with_an_unlabelled_mention_in_the_headline_asks_to_confirm(
    client, editor, section
):
    make_label("Facebook")
    client.force_login(editor)
    form = article_form(section, title="Facebook fined again", _workflow="publish")
    response = client.post(reverse("admin:articles_article_add"), form)
    assert response.status_code == 200
    assert "mentions Facebook without the label" in response.content.decode()
    assert "Facebook fined again" in response.content.decode()
    assert not Article.objects.exists()

    form["confirm_unlabelled_mentions"] = "on"
    response = client.post(reverse("admin:articles_article_add"), form)
    assert response.status_code == 302
    assert Article.objects.get().status == Article.Status.PUBLISHED


def test_a_draft_or_a_labelled_headline_needs_no_confirmation(client, editor, section):
    make_label("Facebook")
    client.force_login(editor)
    draft = article_form(section, title="Facebook fined")
    assert client.post(reverse("admin:articles_article_add"), draft).status_code == 302
    labelled = article_form(
        section, title="Facebook (banned in Russia) fined", slug="labelled", _workflow="publish"
    )
    assert client.post(reverse("admin:articles_article_add"), labelled).status_code == 302


def test_a_reporter_cannot_open_the_notices_admin(client, reporter):
    client.force_login(reporter)
    assert client.get(reverse("admin:notices_notice_changelist")).status_code == 403


def output_of(*args):
    out = io.StringIO()
    call_command("notices_as_of", *args, stdout=out)
    return out.getvalue()


def test_notices_as_of_prints_what_was_active_on_that_day():
    yesterday = timezone.now() - datetime.timedelta(days=1)
    notice = make_notice(name="Banned list", body="<p>Banned:</p>", list_format="designations")
    label = make_label("Facebook", notice=notice)
    Notice.history.update(history_date=yesterday)
    Label.history.update(history_date=yesterday)

    notice.body = "<p>Changed today</p>"
    notice.save()
    label.label_text = "recognized as extremist"
    label.save()
    make_label("Meta", notice=notice)
    make_notice(name="Born today")

    then = output_of(timezone.localdate(yesterday).isoformat())
    assert "== Banned list [Site footer" not in then  # make_notice default is article_end
    assert "== Banned list [After the article text; Everywhere; position 0]" in then
    assert "Banned:" in then
    assert "Facebook (banned in Russia)" in then
    assert "Changed today" not in then
    assert "Meta" not in then
    assert "Born today" not in then

    now = output_of(timezone.now().isoformat())
    assert "Changed today" in now
    assert "Facebook (recognized as extremist), Meta (banned in Russia)" in now
    assert "Born today" in now


def test_notices_as_of_prints_headings_and_paragraphs_as_separate_words():
    make_notice(name="Channels", body="<h2>Our news channels</h2><p>Subscribe.</p>")
    assert "Our news channels Subscribe." in output_of(timezone.localdate().isoformat())


def test_notices_as_of_leaves_out_inactive_and_expired_entries():
    notice = make_notice(name="Hidden", active=False)
    make_label("Sova", notice=notice, valid_until=timezone.localdate() - datetime.timedelta(1))
    make_label("Dozhd", notice=notice)
    out = output_of(timezone.localdate().isoformat())
    assert "Hidden" not in out
    assert "Sova" not in out
    assert "Dozhd (banned in Russia)" in out


def test_notices_as_of_refuses_what_is_not_a_date():
    with pytest.raises(CommandError, match="not a date"):
        output_of("yesterday")
    with pytest.raises(CommandError, match="not a date"):
        output_of("2026-13-45")


def test_a_name_already_used_by_another_label_is_refused_and_the_form_kept(client, editor):
    existing = make_label("Meta", aliases="Meta Platforms")
    client.force_login(editor)
    response = client.post(
        reverse("admin:notices_label_add"),
        {
            "name": "Facebook",
            "aliases": "Meta Platforms",
            "label_text": "banned",
            "listed_as": "",
            "notice": existing.notice_id,
            "position": "0",
            "active": "on",
            "valid_from": "",
            "valid_until": "",
        },
    )
    assert response.status_code == 200
    assert "Already used by other labels: “Meta Platforms” (Meta)." in html.unescape(
        response.content.decode()
    )
    assert not Label.objects.filter(name="Facebook").exists()
