"""Mail to the people a workflow step concerns: the reporter when their piece is sent back or
published, every active editor when one is submitted for review. Nobody is told of their own
step.

The message is written when the step is taken and sent once its transaction commits, so a step
that rolls back mails nobody. Sending only queues a task (newsroom/mail.py); `robust` keeps a
queue that cannot take it from making a saved step look failed."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def submitted(article, *, by):
    editors = (
        get_user_model()
        .objects.filter(groups__name="Editor", is_active=True)
        .exclude(pk=by.pk)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    _mail_after_commit(
        _("For review: %(title)s") % {"title": article.title},
        _("%(who)s submitted “%(title)s” for review.") % {"who": _name(by), "title": article.title},
        article,
        list(editors),
    )


def sent_back(article, *, by):
    lines = [
        _("%(who)s sent “%(title)s” back to draft.") % {"who": _name(by), "title": article.title}
    ]
    if article.review_note:
        lines.append(_("The editor's note:") + "\n\n" + article.review_note)
    _mail_after_commit(
        _("Sent back: %(title)s") % {"title": article.title},
        "\n\n".join(lines),
        article,
        _reporter(article, by),
    )


def published(article, *, by):
    if article.published_at > timezone.now():
        when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
        subject = _("Scheduled: %(title)s") % {"title": article.title}
        text = _("%(who)s scheduled “%(title)s” to appear at %(when)s.") % {
            "who": _name(by),
            "title": article.title,
            "when": when,
        }
    else:
        subject = _("Published: %(title)s") % {"title": article.title}
        text = _("%(who)s published “%(title)s”.") % {"who": _name(by), "title": article.title}
    _mail_after_commit(subject, text, article, _reporter(article, by))


def _reporter(article, by):
    user = article.created_by
    if user is None or user.pk == by.pk or not user.is_active or not user.email:
        return []
    return [user.email]


def _name(user):
    return user.get_full_name() or user.get_username()


def _mail_after_commit(subject, text, article, recipients):
    if not recipients:
        return

    def send():
        # The link only now: a new article has no number before its step saves it.
        link = settings.SITE_URL + reverse("admin:articles_article_change", args=[article.pk])
        send_mail(f"[{settings.SITE_NAME}] {subject}", f"{text}\n\n{link}\n", None, recipients)

    transaction.on_commit(send, robust=True)
