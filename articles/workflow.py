"""The editorial workflow: every change of an article's state goes through one of these.

Each function checks who may do it and from which state, changes the article and saves it once,
so the history keeps one version per step with the person and the reason. The admin's buttons
and actions call them; so can anything else (a management command, a test).

    draft ──submit──▶ review ──publish/schedule──▶ published ──withdraw──▶ withdrawn
      ▲                 │                              │                      │
      └────send_back────┴──────────────────────────────┴──────────────────────┘
"""

import functools

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

import audit
from audit.models import AuditEntry
from medialibrary.models import Image as LibraryImage
from newsroom import invalidation
from newsroom.richtext import sanitize_html

from . import notifications
from .models import Article, Author, PendingChanges, tag_slug

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


# The fields a restore brings back (with the tags and authors). Not the state (restoring never
# publishes or unpublishes), not the slug (the published address stays). The library image
# comes back if it still exists.
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
    before = invalidation.article_keys(article)  # the author and tag lists it may leave
    for name in RESTORED_FIELDS:
        setattr(article, name, getattr(version, name))
    if article.image_id and not LibraryImage.objects.filter(pk=article.image_id).exists():
        article.image_id = None  # deleted from the library since
    when = timezone.localtime(version.history_date).strftime("%Y-%m-%d %H:%M")
    _save(
        article,
        by,
        _("Restored the version of %(when)s") % {"when": when},
        Action.RESTORE,
        article.status,
        version=version.history_id,
    )
    # After the row, as the admin does; the new version then records them (record_relations).
    # An author deleted since cannot come back: the byline keeps those who still exist.
    article.tags.set(version.tag_names)
    author_ids = [author["id"] for author in version.version_authors]
    article.authors.set(Author.objects.filter(pk__in=author_ids))
    invalidation.article_changed(article, before=before)
    return article


# Drafts of live articles. What the public sees is the article row; while an article is live,
# the desk's saves go to its PendingChanges until an editor publishes them.

# Fields that act on the live article at once rather than waiting with the text: the state and
# its time (the workflow's), the note to the reporter, and whether readers may comment.
APPLIED_AT_ONCE = frozenset({"status", "published_at", "review_note", "comments_open"})


def is_live(article):
    """Readers see this article now, as stored (the database's word, not the form's)."""
    return article.pk is not None and Article.objects.published().filter(pk=article.pk).exists()


@functools.cache
def _article_fields():
    """The article's stored fields by name (many-to-many included): what a draft may hold."""
    return {field.name: field for field in Article._meta.get_fields() if field.concrete}


def _as_json(article, field, value):
    if field.many_to_many:
        return [item.pk if isinstance(item, models.Model) else str(item) for item in value or ()]
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, UploadedFile):  # kept in storage now, so that the draft can name it
        return field.storage.save(field.generate_filename(article, value.name), value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if value is False and isinstance(field, models.FileField):  # "clear" ticked
        return ""
    return value


def changes_from_form(form):
    """The form's values of the fields that wait for publication, as JSON."""
    article = form.instance
    fields = _article_fields()
    return {
        name: _as_json(article, fields[name], value)
        for name, value in form.cleaned_data.items()
        if name in fields and name not in APPLIED_AT_ONCE
    }


def apply_changes(article, data):
    """Set the pending values on `article` in memory; returns the many-to-many ones
    ({name: [pk or tag name]}), which only a saved article can take."""
    many = {}
    fields = _article_fields()
    for name, value in data.items():
        field = fields.get(name)
        if field is None:  # a field removed since the changes were saved
            continue
        if field.many_to_many:
            many[name] = value
        elif field.is_relation:
            setattr(article, field.attname, value)
        else:
            setattr(article, name, value)
    return many


def version_of(article, pending):
    """What an editor's form is opened on: the article's last save, and its pending
    changes' (the change form's `opened_version`, which autosaves carry too)."""
    return f"{article.updated_at.isoformat()}|{pending.saved_at.isoformat() if pending else ''}"


def pending_changes(article):
    return PendingChanges.objects.filter(article_id=article.pk).first() if article.pk else None


def show_pending_changes(article, pending):
    """`article` as its pending changes would make it, in memory only (the preview and the
    change form): authors and tags too, as if prefetched."""
    many = apply_changes(article, pending.data)
    cache = article.__dict__.setdefault("_prefetched_objects_cache", {})
    if "authors" in many:
        authors = Author.objects.filter(pk__in=many["authors"])
        authors._result_cache, authors._prefetch_done = list(authors), True
        cache["authors"] = authors
    if "tags" in many:
        tags = article.tags.through.tag_model().objects.filter(name__in=many["tags"])
        found = {tag.name: tag for tag in tags}
        # A tag not made yet (it is, when the changes are published) is shown by its name.
        tags._result_cache = [
            found.get(name) or tags.model(name=name, slug=tag_slug(name)) for name in many["tags"]
        ]
        tags._prefetch_done = True
        cache["tags"] = tags
    return article


@transaction.atomic
def keep_changes(article, data, *, by, audited=True):
    """Keep `data` as the live article's unpublished changes; readers still see the article.
    Not `audited` when they are published in the same step (that is the entry)."""
    if not can_edit(by, article):
        raise PermissionDenied(_("You cannot change this article."))
    if "body" in data:  # as Article.save() does: the preview shows it, trusted
        data = {**data, "body": sanitize_html(data["body"] or "")}
    pending, _created = PendingChanges.objects.update_or_create(
        article_id=article.pk,
        defaults={"data": data, "saved_by": by, "saved_at": timezone.now()},
    )
    if audited:
        audit.record(Action.KEEP_CHANGES, article, by=by, fields=sorted(data))
    return pending


@transaction.atomic
def publish_changes(article, *, by):
    """Write the article's pending changes into it: readers see them on the next request."""
    _require_publisher(by)
    pending = PendingChanges.objects.select_for_update().filter(article_id=article.pk).first()
    if pending is None:
        raise WorkflowError(_("There are no unpublished changes to publish."))
    before = invalidation.article_keys(article)
    many = apply_changes(article, pending.data)
    article._announce_before = before
    _save(
        article,
        by,
        _("Changes published"),
        Action.PUBLISH_CHANGES,
        article.status,
        fields=sorted(pending.data),
    )
    if "authors" in many:
        article.authors.set(many["authors"])
    if "tags" in many:
        article.tags.set(many["tags"])
    pending.delete()
    invalidation.article_changed(article, before=before)
    return article


@transaction.atomic
def discard_changes(article, *, by):
    if not can_edit(by, article):
        raise PermissionDenied(_("You cannot change this article."))
    deleted, _rows = PendingChanges.objects.filter(article_id=article.pk).delete()
    if deleted:
        audit.record(Action.DISCARD_CHANGES, article, by=by)
    return bool(deleted)


# The admin's buttons that the change form posts, by name. Withdrawing is not among them: it
# asks for confirmation and a reason on a page of its own.
TRANSITIONS = {
    "submit": submit_for_review,
    "send_back": send_back,
    "publish": publish,
    "schedule": schedule,
    "publish_changes": publish_changes,
}


def available_transitions(user, article):
    """The buttons to offer this user on this article, in the order they are shown."""
    status = article.status
    if not can_publish(user):
        return ["submit"] if status == Status.DRAFT and can_edit(user, article) else []
    offered = {
        Status.DRAFT: ["submit", "publish", "schedule"],
        Status.REVIEW: ["publish", "schedule", "send_back"],
        Status.PUBLISHED: ["publish_changes", "withdraw", "send_back"],
        Status.WITHDRAWN: ["publish", "send_back"],
    }[status]
    if article.pk and article.is_scheduled:
        offered = ["publish", "schedule", "send_back"]
    return offered
