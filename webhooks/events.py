"""Which webhook events a domain change makes, and their bodies.

newsroom/invalidation.py announces every change (`announced`, inside the writer's
transaction). Here the announcements of one transaction are gathered and, once it commits,
looked at once per article, comment or notice: what the database holds then decides the event.
An article that is public (`Article.objects.published()`, the one definition) and was not
announced live is `article.published`; one still live is `article.updated` (or
`article.corrected`); one that stopped being public is `article.withdrawn`. A scheduled article
gets a task that runs when it is due and looks again, so `article.published` fires when it
appears, with no cron, and once: the Appearance row's conditional change lets one process win.
Comments likewise: visible and not announced is `comment.created`; announced and no longer
visible (removed, held, deleted) is `comment.removed`. Only the public fields go out.
"""

import json
import logging
import uuid
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from newsroom.tasks import NOTIFICATION

from .delivery import enqueue_after_commit
from .models import Appearance, Delivery, Endpoint, Event, EventType

log = logging.getLogger("newsroom.webhooks")


def _gather(key, merge, value):
    """Look at `key` once the transaction commits, once however often it was announced: the
    callback already waiting for it takes the new details. (Django keeps the callbacks of the
    open transaction in `run_on_commit` and drops them on a rollback: nothing is left over.)"""
    for _savepoints, callback, _robust in transaction.get_connection().run_on_commit:
        if getattr(callback, "webhook_key", None) == key:
            callback.details = merge(callback.details, value)
            return

    def callback():
        _look(key, callback.details)

    callback.webhook_key, callback.details = key, merge(None, value)
    transaction.on_commit(callback, robust=True)


def _look(key, details):
    kind, pk = key
    if kind == "article":
        article_now(pk, corrected=details)
    elif kind == "comments":
        comments_now(details)
    else:
        notice_changed(details)


def on_announced(sender, **kwargs):
    if sender == "article":
        _gather(("article", kwargs["article_id"]), lambda old, new: old or new, kwargs["corrected"])
    elif sender == "comments" and kwargs["comment_ids"]:
        _gather(
            ("comments", None), lambda old, new: (old or set()) | new, set(kwargs["comment_ids"])
        )
    elif sender == "notices":
        _gather(("notices", None), lambda old, new: old or new, _notice_data(kwargs["changed"]))


def _appear(kind, pk):
    """True if this call is the one that turns the thing live."""
    rows = Appearance.objects.filter(kind=kind, object_id=pk)
    if rows.filter(live=False).update(live=True):
        return True
    if rows.exists():
        return False
    try:
        with transaction.atomic():
            Appearance.objects.create(kind=kind, object_id=pk, live=True)
    except IntegrityError:  # made by somebody else meanwhile
        return False
    return True


def _disappear(kind, pk):
    return bool(Appearance.objects.filter(kind=kind, object_id=pk, live=True).update(live=False))


def article_now(pk, *, corrected=False, written=True):
    """`written`: the article was written (else only its time has come: a scheduled one)."""
    from articles.models import Article

    article = Article.objects.published().filter(pk=pk).select_related("section").first()
    if article is not None:
        if _appear(Appearance.ARTICLE, pk):
            emit(EventType.ARTICLE_PUBLISHED, {"article": article_data(article)})
        elif corrected:
            emit(EventType.ARTICLE_CORRECTED, {"article": article_data(article)})
        elif written:
            emit(EventType.ARTICLE_UPDATED, {"article": article_data(article)})
        return
    article = Article.objects.filter(pk=pk).select_related("section").first()
    if _disappear(Appearance.ARTICLE, pk):
        data = article_data(article) if article is not None else {"id": pk, "status": "deleted"}
        emit(EventType.ARTICLE_WITHDRAWN, {"article": data})
    if article is not None and article.is_scheduled:
        when_due(article)


def when_due(article):
    """Look at the article again when it is due (as often as it is rescheduled: each task
    looks at the article as it is then, and only one can turn it live)."""
    if not appear_when_due.get_backend().supports_defer:
        return
    appear_when_due.using(priority=NOTIFICATION, run_after=article.published_at).enqueue(
        article.pk, article.published_at.isoformat()
    )


@task
def appear_when_due(article_id, published_at):
    """A scheduled article's time has come (`published_at`: the time it was scheduled for,
    shown in the queue's admin; the article's own time decides)."""
    article_now(article_id, written=False)


def comments_now(pks):
    from comments.models import Comment

    comments = {
        comment.pk: comment
        for comment in Comment.objects.filter(pk__in=pks).select_related("article", "user__profile")
    }
    for pk in sorted(pks):
        comment = comments.get(pk)
        if comment is not None and comment.status == Comment.Status.VISIBLE:
            if _appear(Appearance.COMMENT, pk):
                emit(EventType.COMMENT_CREATED, {"comment": comment_data(comment)})
        elif _disappear(Appearance.COMMENT, pk):
            data = {"id": pk, "status": "deleted"}
            if comment is not None:
                data = comment_data(comment, with_text=False)
            emit(EventType.COMMENT_REMOVED, {"comment": data})


def notice_changed(data):
    emit(EventType.NOTICE_CHANGED, {"notice": data or None})


# The bodies: public data only, as a reader of the site could see it.


def _absolute(path):
    return settings.SITE_URL + path


def _when(moment):
    return moment.isoformat() if isinstance(moment, datetime) else None


def article_data(article):
    data = {
        "id": article.pk,
        "url": _absolute(article.get_absolute_url()),
        "headline": article.title,
        "lead": article.lead,
        "section": {"name": article.section.name, "slug": article.section.slug},
        "authors": [author.name for author in article.authors.all()],
        "tags": sorted(tag.name for tag in article.tags.all()),
        "published_at": _when(article.published_at),
        "updated_at": _when(article.updated_at),
        "status": article.status if not article.is_public else "public",
        "corrections": [
            {"kind": correction.kind, "text": correction.text, "date": _when(correction.created_at)}
            for correction in article.corrections.all()
        ],
    }
    if article.status == article.Status.WITHDRAWN:
        data["withdrawn_at"] = _when(article.withdrawn_at)
        data["withdrawal_reason"] = article.withdrawal_reason
    return data


def comment_data(comment, *, with_text=True):
    """A comment as readers see it: never its author's e-mail address or user name."""
    from accounts.models import display_name

    article = comment.article
    data = {
        "id": comment.pk,
        "url": _absolute(comment.get_absolute_url()),
        "article": {
            "id": article.pk,
            "url": _absolute(article.get_absolute_url()),
            "headline": article.title,
        },
        "in_reply_to": comment.parent_id,
        "created_at": _when(comment.created_at),
        "status": comment.status,
    }
    if with_text:
        data["author"] = display_name(comment.user) if comment.user_id else None
        data["text"] = comment.body
    return data


def _notice_data(changed):
    """The notice that changed (a label's or channel's own notice), as its readers see it."""
    from notices.models import Notice

    if changed is None:
        return None
    if not isinstance(changed, Notice):
        changed = getattr(changed, "notice", None)
        if changed is None:
            return None
    return {
        "id": changed.pk,
        "name": changed.name,
        "placement": changed.placement,
        "scope": changed.scope,
        "active": changed.active,
        "body": changed.body,
        "deleted": changed.pk is None,
    }


def emit(event_type, data):
    """Record the event and a delivery to each active endpoint that wants it; their tasks are
    enqueued once this commits. Nothing is recorded when no endpoint wants it."""
    endpoints = [
        endpoint.pk
        for endpoint in Endpoint.objects.filter(active=True).only("pk", "events")
        if event_type in endpoint.events
    ]
    if not endpoints:
        return None
    event_id = uuid.uuid4()
    occurred_at = timezone.now()
    body = json.dumps(
        {
            "id": str(event_id),
            "type": str(event_type),
            "occurred_at": occurred_at.isoformat(),
            "data": data,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    with transaction.atomic():
        event = Event.objects.create(
            id=event_id, type=event_type, occurred_at=occurred_at, body=body
        )
        deliveries = Delivery.objects.bulk_create(
            Delivery(endpoint_id=pk, event=event) for pk in endpoints
        )
        enqueue_after_commit([delivery.pk for delivery in deliveries])
    return event
