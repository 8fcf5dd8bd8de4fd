"""The editorial workflow: every change of an article's state goes through one of these.

Each function checks who may do it and from which state, changes the article and saves it once,
so the history keeps one version per step with the person and the reason. The admin's buttons
and actions call them; so can anything else (a management command, a test).

    draft ──submit──▶ review ──publish/schedule──▶ published ──withdraw──▶ withdrawn
      ▲                 │                              │                      │
      └────send_back────┴──────────────────────────────┴──────────────────────┘
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

import audit
from audit.models import AuditEntry
from medialibrary.models import Image as LibraryImage

from . import notifications
from .models import Article

Action = AuditEntry.Action

Status = Article.Status
PUBLISH_PERMISSION = "articles.publish_article"
# django-simple-history keeps a version's reason in a column of 100 characters.
CHANGE_REASON_MAX_LENGTH = 100


class WorkflowError(Exception):
    """A step that cannot be taken from the article's current state; the message says why."""


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def can_edit(user, article):
    """Editors change any article; a reporter only their own draft (or a new one)."""
    if can_publish(user):
        return user.has_perm("articles.change_article")
    if article.pk is None:
        return user.has_perm("articles.add_article")
    return (
        user.has_perm("articles.change_article")
        and article.created_by_id == user.pk
        and article.status == Status.DRAFT
    )


def _require_publisher(user):
    if not can_publish(user):
        raise PermissionDenied(_("Only editors can publish, schedule, withdraw or send back."))


def _require_state(article, *states):
    if article.status not in states:
        raise WorkflowError(
            _("This cannot be done to an article that is “%(status)s”.")
            % {"status": article.get_status_display()}
        )


def _save(article, by, reason, action, old_status, *, note="", **details):
    """Save one version and its audit entry; `note` is the editor's why, if they gave one."""
    article._history_user = by
    article._change_reason = reason
    article.save()
    audit.record(
        action,
        article,
        by=by,
        reason=note,
        old_status=old_status,
        new_status=article.status,
        **details,
    )
    return article


@transaction.atomic
def submit_for_review(article, *, by):
    if not can_edit(by, article):
        raise PermissionDenied(_("You can only submit your own drafts."))
    _require_state(article, Status.DRAFT)
    article.status = Status.REVIEW
    notifications.submitted(article, by=by)
    return _save(article, by, _("Submitted for review"), Action.SUBMIT, Status.DRAFT)


@transaction.atomic
def send_back(article, *, by, note=""):
    """Back to draft, with a note telling the reporter what to change."""
    _require_publisher(by)
    _require_state(article, Status.REVIEW, Status.PUBLISHED, Status.WITHDRAWN)
    if article.status == Status.REVIEW and not note.strip():
        raise WorkflowError(_("Write a note to the reporter saying what to change."))
    old_status, article.status = article.status, Status.DRAFT
    article.review_note = note.strip()
    notifications.sent_back(article, by=by)
    return _save(
        article, by, _("Sent back to draft"), Action.SEND_BACK, old_status, note=note.strip()
    )


@transaction.atomic
def publish(article, *, by, at=None):
    """Publish now, or at `at` when it is in the future (a schedule: it appears by itself)."""
    _require_publisher(by)
    _require_state(article, Status.DRAFT, Status.REVIEW, Status.PUBLISHED, Status.WITHDRAWN)
    was_public = article.is_public  # mail the reporter when it appears or gets a new time
    now = timezone.now()
    if at is None:
        at = article.published_at if article.published_at and article.published_at <= now else now
    old_status, article.status = article.status, Status.PUBLISHED
    article.published_at = at
    article.review_note = ""
    article.withdrawn_at, article.withdrawal_reason = None, ""
    if not was_public:
        notifications.published(article, by=by)
    if at > now:
        return _save(article, by, _("Scheduled"), Action.SCHEDULE, old_status, at=at.isoformat())
    return _save(article, by, _("Published"), Action.PUBLISH, old_status)


def schedule(article, *, by, at):
    if at is None or at <= timezone.now():
        raise WorkflowError(_("To schedule, set a publication time in the future."))
    return publish(article, by=by, at=at)


WITHDRAWAL_REASON_MAX_LENGTH = Article._meta.get_field("withdrawal_reason").max_length


@transaction.atomic
def withdraw(article, *, by, reason):
    """Take a published article down; its address then answers “410 Gone” and tells readers
    `reason` (plain text). The history keeps it too, as the reason of this version."""
    _require_publisher(by)
    _require_state(article, Status.PUBLISHED)
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("Say why the article is withdrawn: readers are told."))
    if len(reason) > WITHDRAWAL_REASON_MAX_LENGTH:
        raise WorkflowError(
            _("Keep the reason under %(limit)d characters.")
            % {"limit": WITHDRAWAL_REASON_MAX_LENGTH}
        )
    article.status = Status.WITHDRAWN
    article.withdrawn_at = timezone.now()
    article.withdrawal_reason = reason
    change_reason = _("Withdrawn: %(reason)s") % {"reason": reason}
    return _save(
        article,
        by,
        Truncator(change_reason).chars(CHANGE_REASON_MAX_LENGTH),
        Action.WITHDRAW,
        Status.PUBLISHED,
        note=reason,
    )


# The fields a restore brings back. Not the state (restoring never publishes or unpublishes),
# not the slug (the published address stays). The library image comes back if it still exists.
RESTORED_FIELDS = [
    "title",
    "section_id",
    "lead",
    "body",
    "image_id",
    "source_name",
    "source_url",
    "comments_open",
    "seo_description",
]


@transaction.atomic
def restore(article, version, *, by):
    """Bring back the text of an earlier version as a new version; nothing is lost."""
    if not can_edit(by, article):
        raise PermissionDenied(_("You cannot change this article."))
    if version.id != article.pk:
        raise WorkflowError(_("That version belongs to another article."))
    for name in RESTORED_FIELDS:
        setattr(article, name, getattr(version, name))
    if article.image_id and not LibraryImage.objects.filter(pk=article.image_id).exists():
        article.image_id = None  # deleted from the library since
    when = timezone.localtime(version.history_date).strftime("%Y-%m-%d %H:%M")
    return _save(
        article,
        by,
        _("Restored the version of %(when)s") % {"when": when},
        Action.RESTORE,
        article.status,
        version=version.history_id,
    )


# The admin's buttons that the change form posts, by name. Withdrawing is not among them: it
# asks for confirmation and a reason on a page of its own.
TRANSITIONS = {
    "submit": submit_for_review,
    "send_back": send_back,
    "publish": publish,
    "schedule": schedule,
}


def available_transitions(user, article):
    """The buttons to offer this user on this article, in the order they are shown."""
    status = article.status
    if not can_publish(user):
        return ["submit"] if status == Status.DRAFT and can_edit(user, article) else []
    offered = {
        Status.DRAFT: ["submit", "publish", "schedule"],
        Status.REVIEW: ["publish", "schedule", "send_back"],
        Status.PUBLISHED: ["withdraw", "send_back"],
        Status.WITHDRAWN: ["publish", "send_back"],
    }[status]
    if article.pk and article.is_scheduled:
        offered = ["publish", "schedule", "send_back"]
    return offered
