"""Autosave and editing locks: what keeps an editor's typing and tells two editors of each other.

The article form's script (static/js/article-desk.js) sends the form's fields every
AUTOSAVE_SECONDS when they changed, and on leaving; they are kept per user and article in an
`Autosave`, apart from the article, until the article is saved. Opening the form takes the
article's `EditLock`; the script renews it every RENEW_SECONDS and it lapses EXPIRES_AFTER the
last renewal, so a closed laptop never blocks an article for long. Another editor may take
over; the first one's page is told at its next renewal, and the server refuses their save.
Public pages never read either model.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import workflow
from .models import Autosave, EditLock

EXPIRES_AFTER = timedelta(minutes=2)
RENEW_SECONDS = 30
AUTOSAVE_SECONDS = 20
# A body is at most 256 KB of HTML (newsroom/richtext.py); JSON escaping can double it.
AUTOSAVE_MAX_BYTES = 1024 * 1024
AUTOSAVE_MAX_FIELDS = 500
AUTOSAVE_MAX_VALUES = 200  # of one field, e.g. the chosen authors
FIELD_NAME_MAX_LENGTH = 200
# Not what the editor typed: the CSRF token, and the buttons (whose names start with "_").
NOT_KEPT = {"csrfmiddlewaretoken"}


class BadAutosave(ValueError):
    """What the browser sent is not a form's fields; the message says what is wrong."""


def display_name(user):
    return user.get_full_name() or user.get_username()


def display_time(moment):
    """“2:02 p.m.” today, with the date on other days."""
    local = timezone.localtime(moment)
    same_day = local.date() == timezone.localtime().date()
    return date_format(local, "TIME_FORMAT" if same_day else "DATETIME_FORMAT")


# Locks


def is_live(lock, now=None):
    return lock.renewed_at > (now or timezone.now()) - EXPIRES_AFTER


def live_lock(article):
    """The article's lock if somebody's form still renews it, else None."""
    lock = EditLock.objects.select_related("user", "taken_from").filter(article=article).first()
    return lock if lock is not None and is_live(lock) else None


@transaction.atomic
def take(article, user, *, take_over=False):
    """Take or renew `user`'s lock on `article` and return the lock as it then stands: held by
    `user`, or — when somebody else's form still renews it and `take_over` is false — theirs."""
    now = timezone.now()
    # Only the lock's own row: PostgreSQL locks no row of a nullable join (taken_from).
    locks = EditLock.objects.select_for_update(of=("self",)).select_related("user", "taken_from")
    lock = locks.filter(article=article).first()
    if lock is None:
        try:
            with transaction.atomic():
                return EditLock.objects.create(
                    article=article, user=user, since=now, renewed_at=now
                )
        except IntegrityError:  # another request of the same moment created it
            lock = locks.get(article=article)
    if lock.user_id == user.pk:
        lock.renewed_at = now
        lock.save(update_fields=["renewed_at"])
    elif take_over or not is_live(lock, now):
        lock.taken_from = lock.user if is_live(lock, now) else None
        lock.user, lock.since, lock.renewed_at = user, now, now
        lock.save()
    return lock


def release(article, user):
    """`user` leaves the form: the lock is free at once (if it is still theirs)."""
    EditLock.objects.filter(article=article, user=user).delete()


def blocking_lock(article, user):
    """Somebody else's live lock, which refuses `user`'s save; None when they may save."""
    lock = live_lock(article)
    return lock if lock is not None and lock.user_id != user.pk else None


def lock_message(lock, user):
    """What `user` is told about `lock` ('' when it is theirs)."""
    if lock is None or lock.user_id == user.pk:
        return ""
    names = {"who": display_name(lock.user), "when": display_time(lock.since)}
    if lock.taken_from_id == user.pk:
        return (
            _("%(who)s took over editing at %(when)s; your save will be refused — copy your text.")
            % names
        )
    # No full stop after the time: “p.m.” has its own.
    return _("%(who)s has been editing this article since %(when)s") % names


def lock_status(lock, user):
    """The lock as the form's script reads it."""
    mine = lock is not None and lock.user_id == user.pk
    return {
        "held": mine,
        "holder": display_name(lock.user) if lock is not None and not mine else None,
        "since": lock.since.isoformat() if lock is not None else None,
        "taken_over": lock is not None and not mine and lock.taken_from_id == user.pk,
        "message": lock_message(lock, user),
    }


# Autosave


def clean_fields(payload):
    """The form's fields from the script's JSON ({"fields": {name: value or [values]}}),
    checked; raises BadAutosave."""
    if not isinstance(payload, dict) or not isinstance(payload.get("fields"), dict):
        raise BadAutosave(_("Expected a JSON object with the form's fields under “fields”."))
    fields = payload["fields"]
    if len(fields) > AUTOSAVE_MAX_FIELDS:
        raise BadAutosave(_("Too many fields: at most %(limit)d.") % {"limit": AUTOSAVE_MAX_FIELDS})
    cleaned = {}
    for name, value in fields.items():
        if not name or len(name) > FIELD_NAME_MAX_LENGTH:
            raise BadAutosave(_("A field name is empty or too long."))
        if name in NOT_KEPT or name.startswith("_"):
            continue
        values = value if isinstance(value, list) else [value]
        if len(values) > AUTOSAVE_MAX_VALUES or not all(isinstance(v, str) for v in values):
            raise BadAutosave(
                _("The field “%(name)s” must be text or a short list of texts.")
                % {"name": name[:50]}
            )
        try:
            for text in [name, *values]:
                text.encode("utf-8")
        except UnicodeEncodeError as error:
            message = _("The field “%(name)s” is not valid text.") % {"name": name[:50]}
            raise BadAutosave(message) from error
        # PostgreSQL stores no NUL character, and a form field refuses one anyway.
        values = [v.replace("\x00", "") for v in values]
        cleaned[name.replace("\x00", "")] = values if isinstance(value, list) else values[0]
    return cleaned


def fields_from_post(post):
    """The fields of a posted form (a QueryDict), as the script sends them."""
    fields = {}
    for name, values in post.lists():
        if name in NOT_KEPT or name.startswith("_"):
            continue
        # A NUL is refused by the form, and PostgreSQL stores none in JSON.
        values = [value.replace("\x00", "") for value in values]
        fields[name.replace("\x00", "")] = values if len(values) > 1 else values[0]
    return fields


def store(user, article, fields):
    """Keep `fields` as `user`'s text of `article` (None: the new article they are writing)."""
    autosave, _created = Autosave.objects.update_or_create(
        user=user, article=article, defaults={"data": fields, "saved_at": timezone.now()}
    )
    return autosave


def pending(user, article):
    """`user`'s autosave of `article` (None: of a new article), or None."""
    return Autosave.objects.filter(user=user, article=article).first()


def discard(user, article):
    Autosave.objects.filter(user=user, article=article).delete()


def typed_on_current_version(autosave, article):
    """Whether the text was typed on the article as it is now: nobody has saved it since the
    form it came from was opened. Only such text is put back into the form by itself."""
    if article is None or article.pk is None:
        return True
    current = workflow.version_of(article, workflow.pending_changes(article))
    return autosave.data.get("opened_version") == current
