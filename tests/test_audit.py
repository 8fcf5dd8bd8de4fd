"""One audit log: every editorial and moderation action says who, when, what and why, written
through the path that takes it (admin posts, workflow functions, the readers' report view)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Correction
from audit.models import AuditEntry
from comments.models import Comment, CommentBan, ModerationSettings
from notices.models import Label, Notice
from tests.factories import (
    change_url,
    make_article,
    make_comment,
    make_draft,
    make_label,
    make_notice,
    make_reader,
    post_data,
)
from tests.test_notices_admin import notice_form

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
NOW = timezone.make_aware(timezone.datetime(2026, 3, 2, 9, 30))
COMMENTS_URL = reverse("admin:comments_comment_changelist")


def only_entry(**filters):
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


# Articles: the workflow, through the admin's buttons and actions


@time_machine.travel(NOW, tick=False)
def test_submitting_sending_back_and_publishing_are_recorded_with_who_when_and_why(
    client, editor, reporter
):
    article = make_draft(created_by=reporter, title="Budget story")
    client.force_login(reporter)
    client.post(change_url(article), post_data(article, _workflow="submit"))
    article.refresh_from_db()
    client.force_login(editor)
    client.post(
        change_url(article),
        post_data(article, editor_fields=True, review_note="Add a source.", _workflow="send_back"),
    )
    article.refresh_from_db()
    client.post(change_url(article), post_data(article, editor_fields=True, _workflow="publish"))

    submitted, sent_back, published = AuditEntry.objects.order_by("pk")
    assert (submitted.action, submitted.actor, submitted.actor_name) == (
        Action.SUBMIT,
        reporter,
        "reporter",
    )
    assert submitted.created_at == NOW
    assert submitted.target == article
    assert submitted.target_repr == "Budget story"
    assert submitted.details == {"old_status": "draft", "new_status": "review"}
    assert (sent_back.action, sent_back.actor, sent_back.reason) == (
        Action.SEND_BACK,
        editor,
        "Add a source.",
    )
    assert sent_back.details == {"old_status": "review", "new_status": "draft"}
    assert (published.action, published.actor) == (Action.PUBLISH, editor)
    assert published.details == {"old_status": "draft", "new_status": "published"}


def test_scheduling_records_the_time_it_will_appear(editor):
    article = make_draft(status=Article.Status.REVIEW)
    at = timezone.now() + timedelta(hours=3)
    workflow.schedule(article, by=editor, at=at)
    entry = only_entry(action=Action.SCHEDULE)
    assert entry.actor == editor
    assert entry.details["at"] == at.isoformat()


def test_withdrawing_from_the_list_and_restoring_a_version_are_recorded(client, editor):
    article = make_article(title="Original")
    article.title = "Vandalised"
    article.save()
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "withdraw",
            "_selected_action": [article.pk],
            "post": "yes",
            "reason": "Defamatory headline.",
        },
    )
    original = article.history.last()
    client.post(
        reverse("admin:articles_article_history_restore", args=[article.pk, original.history_id])
    )

    withdrawn = only_entry(action=Action.WITHDRAW)
    assert (withdrawn.actor, withdrawn.details["new_status"]) == (editor, "withdrawn")
    assert withdrawn.reason == "Defamatory headline."
    restored = only_entry(action=Action.RESTORE)
    assert (restored.actor, restored.target_repr) == (editor, "Original")
    assert restored.details["version"] == original.history_id


def test_a_refused_step_records_nothing(reporter):
    article = make_draft()
    with pytest.raises(workflow.PermissionDenied):
        workflow.publish(article, by=reporter)
    assert not AuditEntry.objects.exists()


def test_a_correction_added_with_the_article_and_one_in_its_own_admin_are_recorded(client, editor):
    article = make_article()
    client.force_login(editor)
    data = post_data(article, editor_fields=True) | {
        "corrections-TOTAL_FORMS": "1",
        "corrections-0-kind": "correction",
        "corrections-0-created_at_0": "2026-03-02",
        "corrections-0-created_at_1": "10:00:00",
        "corrections-0-text": "The vote was 51 to 49.",
    }
    assert client.post(change_url(article), data).status_code == 302
    correction = Correction.objects.get()
    added = only_entry(action=Action.ADD)
    assert (added.target, added.actor) == (correction, editor)

    client.post(reverse("admin:articles_correction_delete", args=[correction.pk]), {"post": "yes"})
    deleted = only_entry(action=Action.DELETE)
    assert (deleted.object_id, deleted.actor) == (correction.pk, editor)
    assert deleted.target_repr == added.target_repr


def test_a_correction_deleted_with_the_article_is_recorded(client, editor):
    article = make_article()
    correction = Correction.objects.create(article=article, text="Wrong date.")
    article.refresh_from_db()
    client.force_login(editor)
    data = post_data(article, editor_fields=True) | {
        "corrections-TOTAL_FORMS": "1",
        "corrections-INITIAL_FORMS": "1",
        "corrections-0-id": correction.pk,
        "corrections-0-article": article.pk,
        "corrections-0-kind": "correction",
        "corrections-0-created_at_0": "2026-03-02",
        "corrections-0-created_at_1": "10:00:00",
        "corrections-0-text": "Wrong date.",
        "corrections-0-DELETE": "on",
    }
    assert client.post(change_url(article), data).status_code == 302
    assert not Correction.objects.exists()
    deleted = only_entry(action=Action.DELETE)
    assert (deleted.object_id, deleted.actor) == (correction.pk, editor)


# Notices and labels


def test_notice_and_label_saves_and_deletes_are_recorded(client, editor):
    client.force_login(editor)
    client.post(reverse("admin:notices_notice_add"), notice_form())
    notice = Notice.objects.get()
    url = reverse("admin:notices_notice_change", args=[notice.pk])
    client.post(url, notice_form(body="<p>Subscribe now</p>"))
    label = make_label("Meta", notice=make_notice())
    client.post(
        reverse("admin:notices_label_changelist"),
        {"action": "delete_selected", "_selected_action": [label.pk], "post": "yes"},
    )

    assert not Label.objects.exists()
    added, changed, deleted = AuditEntry.objects.order_by("pk")
    assert (added.action, added.target, added.actor) == (Action.ADD, notice, editor)
    assert (changed.action, changed.details) == (Action.CHANGE, {"fields": ["body"]})
    assert (deleted.action, deleted.target_repr, deleted.actor) == (
        Action.DELETE,
        "Meta (banned in Russia)",
        editor,
    )


# Comments: moderators, readers' reports, bans and settings


def test_moderators_approve_hold_and_remove_with_a_reason(client, article, moderator):
    comments = [make_comment(article, body=f"Comment {i}") for i in range(2)]
    client.force_login(moderator)
    assert 'name="reason"' in client.get(COMMENTS_URL).content.decode()
    pks = [c.pk for c in comments]
    client.post(COMMENTS_URL, {"action": "hold", "_selected_action": pks, "reason": "Checking"})
    client.post(COMMENTS_URL, {"action": "approve", "_selected_action": pks})
    client.post(COMMENTS_URL, {"action": "remove", "_selected_action": pks[:1], "reason": "Spam"})
    client.post(COMMENTS_URL, {"action": "remove", "_selected_action": pks[:1]})  # no change

    first = [(e.action, e.actor, e.reason) for e in AuditEntry.objects.about(comments[0])]
    assert first == [
        (Action.REMOVE, moderator, "Spam"),
        (Action.APPROVE, moderator, ""),
        (Action.HOLD, moderator, "Checking"),
    ]
    assert AuditEntry.objects.about(comments[1]).count() == 2
    removed = AuditEntry.objects.about(comments[0]).first()
    assert removed.details == {"old_status": "visible", "new_status": "removed"}


def test_the_comment_page_in_the_admin_shows_its_history(client, article, moderator):
    comment = make_comment(article)
    client.force_login(moderator)
    client.post(
        COMMENTS_URL, {"action": "remove", "_selected_action": [comment.pk], "reason": "Abusive"}
    )
    page = client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content
    history = page.decode().split("history")[-1]
    assert "moderator" in history
    assert "removed" in history
    assert "Abusive" in history


def test_a_comment_hidden_by_readers_reports_is_recorded_as_theirs(client, article):
    ModerationSettings.objects.update_or_create(pk=1, defaults={"report_threshold": 2})
    comment = make_comment(article)
    for reader in [make_reader(), make_reader()]:
        client.force_login(reader)
        client.post(reverse("comments:report", args=[comment.pk]), {"reason": "rude"})

    entry = only_entry(action=Action.HOLD)
    assert entry.target == comment
    assert (entry.actor, entry.actor_name) == (None, "readers' reports")
    assert entry.reason == "2 open reports"


def test_a_reader_deleting_their_own_comment_is_not_a_moderation(client, reader, article):
    comment = make_comment(article, reader)
    client.force_login(reader)
    client.post(reverse("comments:delete", args=[comment.pk]))
    assert Comment.objects.get().status == Comment.Status.REMOVED
    assert not AuditEntry.objects.exists()


def test_banning_and_unbanning_a_reader_are_recorded_and_shown_on_the_ban(
    client, article, moderator
):
    reader = make_reader("troll")
    comment = make_comment(article, reader)
    client.force_login(moderator)
    client.post(COMMENTS_URL, {"action": "remove", "_selected_action": [comment.pk]})
    client.post(reverse("admin:comments_commentban_add"), {"user": reader.pk, "reason": "Abuse"})
    ban = CommentBan.objects.get()
    page = client.get(reverse("admin:comments_commentban_change", args=[ban.pk])).content
    assert page.decode().count("<tr><td>") == 2  # the ban and the removed comment
    client.post(reverse("admin:comments_commentban_delete", args=[ban.pk]), {"post": "yes"})

    assert not CommentBan.objects.exists()
    unbanned, banned = AuditEntry.objects.about(reader)
    assert (banned.action, banned.actor, banned.reason) == (Action.BAN, moderator, "Abuse")
    assert (unbanned.action, unbanned.actor) == (Action.UNBAN, moderator)
    assert unbanned.target_repr == "troll"


def test_changing_the_moderation_settings_is_recorded_with_old_and_new(client, moderator):
    client.force_login(moderator)
    client.post(
        reverse("admin:comments_moderationsettings_change", args=[1]),
        {
            "banned_words": "scam",
            "suspect_words": "",
            "max_links": "1",
            "duplicate_minutes": "5",
            "report_threshold": "3",
        },
    )
    entry = only_entry(action=Action.CHANGE)
    assert entry.target == ModerationSettings.load()
    assert entry.actor == moderator
    assert entry.details["changes"]["banned_words"]["new"] == "scam"


def test_the_entry_keeps_the_name_of_an_actor_whose_account_is_deleted(article, moderator):
    from comments.models import set_status

    comment = make_comment(article)
    set_status(Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, by=moderator)
    moderator.delete()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.actor_name) == (None, "moderator")


# The log itself


@pytest.mark.parametrize("group", ["Editor", "Moderator"])
def test_editors_and_moderators_may_read_the_log_and_nobody_may_write_it(client, group):
    from tests.factories import make_staff

    user = make_staff("staff", group=group)
    entry = AuditEntry.objects.record(Action.PUBLISH, make_article(), by=user, reason="Ready")
    client.force_login(user)
    listing = client.get(reverse("admin:audit_auditentry_changelist"), {"q": "Ready"})
    assert listing.status_code == 200
    assert "Ready" in listing.content.decode()
    page = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    assert AuditEntry.objects.count() == 1


def test_not_even_a_superuser_may_change_the_log(admin_client, editor):
    entry = AuditEntry.objects.record(Action.PUBLISH, make_article(), by=editor)
    url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"reason": "Rewritten"})
    entry.refresh_from_db()
    assert entry.reason == ""
    assert admin_client.get(reverse("admin:audit_auditentry_add")).status_code == 403


def test_reporters_cannot_read_the_log(client, reporter):
    client.force_login(reporter)
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 403
    assert not reporter.has_perm("audit.view_auditentry")
    assert Group.objects.get(name="Editor").permissions.filter(codename="view_auditentry")


class Refused(Exception):
    pass


@pytest.fixture
def failing_log(monkeypatch):
    def refuse(*args, **kwargs):
        raise Refused

    monkeypatch.setattr("audit.models.AuditEntryQuerySet.record", refuse)


def test_a_step_whose_entry_cannot_be_written_does_not_happen(failing_log, editor):
    article = make_draft()
    with pytest.raises(Refused):
        workflow.publish(article, by=editor)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_moderation_whose_entry_cannot_be_written_does_not_happen(
    failing_log, article, moderator
):
    from comments.models import set_status

    comment = make_comment(article)
    with pytest.raises(Refused):
        set_status(Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, by=moderator)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
