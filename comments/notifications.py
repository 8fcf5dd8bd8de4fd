"""E-mail to readers about their comments: a visible reply to one, or its approval by a
moderator. At most one mail per thread per reader per hour: the first is sent at once, what
comes within the hour after it is gathered into one digest sent when the hour is over.

Everything runs on the task queue after the comment's transaction commits, so posting and
moderating never wait on it. The state that throttles (`ThreadMail`, one row per reader and
thread) is in the database and locked while a notification is added or a mail is sent: two
replies at once, on two app servers or two workers, give one mail and one digest, never two
mails. A notification whose reply is held or removed, or whose reader turned these mails off,
was banned, or has no confirmed address, or whose article was withdrawn, by the time the mail
goes out, is dropped.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.models import Article
from newsroom import tasks
from newsroom.tasks import retrying_task

log = logging.getLogger("comments.notifications")

THROTTLE = timedelta(hours=1)
UNSUBSCRIBE_SALT = "comments.notifications.unsubscribe"


def became_visible(comment_ids, *, approved):
    """Comments just became visible (posted so, or `approved` by a moderator): tell whom it
    concerns, once the transaction commits. `robust`: a queue that cannot take the task must
    not make a stored comment look failed."""

    def enqueue():
        notify_visible.using(priority=tasks.NOTIFICATION).enqueue(list(comment_ids), approved)

    transaction.on_commit(enqueue, robust=True)


@retrying_task
def notify_visible(comment_ids, approved):
    from .models import Comment, ReplyNotification

    comments = Comment.objects.filter(pk__in=comment_ids, status=Comment.Status.VISIBLE)
    for comment in comments.select_related("parent"):
        parent = comment.parent
        if parent is not None and parent.user_id and parent.user_id != comment.user_id:
            add(parent.user_id, parent, comment, ReplyNotification.Kind.REPLY)
        if approved and comment.user_id:
            add(comment.user_id, parent or comment, comment, ReplyNotification.Kind.APPROVED)


def add(recipient_id, thread, comment, kind):
    """One notification for a reader, mailed now or in the thread's next digest."""
    from .models import NotificationPreferences, ReplyNotification, ThreadMail

    preferences = NotificationPreferences.objects.filter(user_id=recipient_id).first()
    if preferences is not None and not preferences.wants(kind):
        return
    with transaction.atomic():
        ThreadMail.objects.bulk_create(
            [ThreadMail(recipient_id=recipient_id, thread=thread)], ignore_conflicts=True
        )
        # The lock orders this against a mail being sent for the thread: the notification is
        # either in that mail or waits for the next.
        state = ThreadMail.objects.select_for_update().get(recipient_id=recipient_id, thread=thread)
        _, created = ReplyNotification.objects.get_or_create(
            recipient_id=recipient_id, comment=comment, kind=kind, defaults={"thread": thread}
        )
        if not created or state.due_at is not None:
            return  # told before, or a mail is already due and will carry it
        now = timezone.now()
        due = max(now, state.last_sent_at + THROTTLE) if state.last_sent_at else now
        state.due_at = due
        state.save(update_fields=["due_at"])
        transaction.on_commit(lambda: _schedule(state.pk, due, now))


def _schedule(state_id, due, now):
    if due <= now:
        send_thread_mail.using(priority=tasks.NOTIFICATION).enqueue(state_id)
    elif send_thread_mail.get_backend().supports_defer:
        send_thread_mail.using(priority=tasks.NOTIFICATION, run_after=due).enqueue(state_id)
    else:  # ImmediateBackend (development): nothing can wait; the digest is not sent
        log.warning("reply digest %s due at %s cannot wait in this task backend", state_id, due)


@retrying_task
def send_thread_mail(state_id):
    """The thread's mail to its reader, when due: one notification alone, several as a
    digest. Run early or twice, it sends nothing (the row says what is due)."""
    from .models import ReplyNotification, ThreadMail

    with transaction.atomic():
        state = ThreadMail.objects.select_for_update().filter(pk=state_id).first()
        now = timezone.now()
        if state is None or state.due_at is None or state.due_at > now:
            return
        if state.last_sent_at and state.last_sent_at + THROTTLE > now:
            return
        waiting = list(
            ReplyNotification.objects.filter(
                recipient_id=state.recipient_id,
                thread_id=state.thread_id,
                outcome=ReplyNotification.Outcome.WAITING,
            ).select_related("comment__user__profile", "comment__article", "thread__article")
        )
        address = reachable_address(state.recipient)
        # A withdrawn (or unpublished) article's discussion is nothing to come back to.
        public = Article.objects.published().filter(pk=state.thread.article_id).exists()
        keep = [
            n for n in waiting if address and public and _still_worth_telling(n, state.recipient)
        ]
        dropped = [n.pk for n in waiting if n not in keep]
        ReplyNotification.objects.filter(pk__in=dropped).update(
            outcome=ReplyNotification.Outcome.DROPPED
        )
        state.due_at = None
        if keep:
            message(state.recipient, address, state.thread, keep).send()
            ReplyNotification.objects.filter(pk__in=[n.pk for n in keep]).update(
                outcome=ReplyNotification.Outcome.SENT
            )
            state.last_sent_at = now
        state.save(update_fields=["due_at", "last_sent_at"])


def reachable_address(user):
    """The reader's confirmed primary address, or None: no mail to an unconfirmed address, a
    deactivated account or a banned reader."""
    from allauth.account.models import EmailAddress

    from .models import CommentBan

    if not user.is_active or CommentBan.objects.filter(user=user).exists():
        return None
    return (
        EmailAddress.objects.filter(user=user, primary=True, verified=True)
        .values_list("email", flat=True)
        .first()
    )


def _still_worth_telling(notification, user):
    from .models import NotificationPreferences

    preferences = NotificationPreferences.of(user)
    return notification.comment.is_visible and preferences.wants(notification.kind)


def unsubscribe_token(user):
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def user_for_token(token):
    """The reader a token was made for, or None for a token that is not ours."""
    from django.contrib.auth import get_user_model

    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def subject_for(thread, notifications):
    title = thread.article.title
    replies = [n for n in notifications if n.kind == n.Kind.REPLY]
    approvals = len(notifications) - len(replies)
    if not replies:
        return ngettext(
            "Your comment on “%(title)s” is published",
            "%(count)d of your comments on “%(title)s” are published",
            approvals,
        ) % {"count": approvals, "title": title}
    if len(replies) == 1 and not approvals:
        name = _display_name(replies[0].comment.user)
        return _("%(name)s replied to your comment on “%(title)s”") % {
            "name": name,
            "title": title,
        }
    values = {"count": len(replies), "title": title}
    if approvals:
        return (
            ngettext(
                "Your comment is published and %(count)d new reply in the discussion of "
                "“%(title)s”",
                "Your comment is published and %(count)d new replies in the discussion of "
                "“%(title)s”",
                len(replies),
            )
            % values
        )
    return (
        ngettext(
            "%(count)d new reply in the discussion of “%(title)s”",
            "%(count)d new replies in the discussion of “%(title)s”",
            len(replies),
        )
        % values
    )


def _display_name(user):
    from accounts.models import display_name

    return display_name(user) if user is not None else _("A former reader")


def message(user, address, thread, notifications):
    site = settings.SITE_URL
    unsubscribe_url = site + reverse("comments:unsubscribe", args=[unsubscribe_token(user)])
    items = [
        {
            "kind": n.kind,
            "name": _display_name(n.comment.user),
            "text": n.comment.body,
            "url": site + n.comment.get_absolute_url(),
        }
        for n in notifications
    ]
    subject = subject_for(thread, notifications)
    context = {
        "subject": subject,
        "site_name": settings.SITE_NAME,
        "site_url": site,
        "article_title": thread.article.title,
        "thread_url": site + thread.get_absolute_url(),
        # What was replied to, when it is the reader's own (not a thread they replied in).
        "own_text": thread.body if thread.user_id == user.pk and thread.is_visible else "",
        "items": items,
        "digest": len(items) > 1,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": site + reverse("accounts:profile") + "#notifications",
    }
    mail = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string("comments/mail/notification.txt", context),
        to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(
        render_to_string("comments/mail/notification.html", context), "text/html"
    )
    mail.queue_priority = tasks.NOTIFICATION  # after password resets and alerts, before digests
    return mail


def turn_off(user):
    """The mail's one-click unsubscribe: no more mails about this reader's comments."""
    from .models import NotificationPreferences

    NotificationPreferences.objects.update_or_create(
        user=user, defaults={"replies": False, "approvals": False}
    )
