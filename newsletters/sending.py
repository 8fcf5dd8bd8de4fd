"""What editors do with an issue: prepare a day's digest, preview it, send a test to
themselves, send it once. Delivery goes through newsroom.bulkmail (the task queue, each
recipient with their own links and status)."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

import audit
from articles.models import Article
from audit.models import AuditEntry
from newsroom import tasks
from newsroom.bulkmail import personal, send_bulk
from newsroom.models import BulkRecipient

from .models import Issue, IssueArticle, Newsletter, Subscriber, Subscription, link_maker


def default_subject(issue, stories):
    if issue.newsletter.kind == Newsletter.Kind.ALERT and stories:
        return stories[0].title
    day = issue.digest_date or timezone.localdate()
    return f"{issue.newsletter.name} — {formats.date_format(day, 'DATE_FORMAT')}"


def render_issue(issue):
    """(subject, plain text, HTML) with `[[unsubscribe_url]]` and `[[preferences_url]]` left
    for each recipient's own links."""
    stories = issue.stories()
    subject = issue.subject or default_subject(issue, stories)
    context = {
        "issue": issue,
        "newsletter": issue.newsletter,
        "subject": subject,
        "stories": [(story, settings.SITE_URL + story.get_absolute_url()) for story in stories],
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL + "/",
        "unsubscribe_url": "[[unsubscribe_url]]",
        "preferences_url": "[[preferences_url]]",
    }
    text = render_to_string("newsletters/mail/issue.txt", context)
    html = render_to_string("newsletters/mail/issue.html", context)
    return subject, text, html


def mail_headers(newsletter):
    unsubscribe = "<[[unsubscribe_url]]>"
    if mailto := settings.NEWSROOM_NEWSLETTER_UNSUBSCRIBE_MAILTO:
        unsubscribe += f", <mailto:{mailto}?subject=unsubscribe%20{newsletter.slug}>"
    return {
        "List-Unsubscribe": unsubscribe,
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": newsletter.list_id(),
    }


def recipients_of(newsletter):
    """Confirmed subscribers only (a subscriber row exists only once confirmed), less those
    whose address a mail server refused since they last confirmed."""
    rows = (
        Subscriber.objects.filter(subscriptions__newsletter=newsletter, confirmed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "email", "secret", "confirmed_at")
    )
    bounced = bounced_addresses()
    links = link_maker(newsletter)
    return [
        (email, links(pk, secret))
        for pk, email, secret, confirmed_at in rows.iterator(chunk_size=5000)
        if not (email in bounced and bounced[email] > confirmed_at)
    ]


def bounced_addresses():
    """{address: when an issue to it was last refused (5xx at RCPT: no such mailbox)}. Read
    through the (send, status) index, one issue's delivery at a time; a short list."""
    sends = Issue.objects.filter(bulk_send__isnull=False).values("bulk_send")
    rows = (
        BulkRecipient.objects.filter(send__in=sends, status=BulkRecipient.Status.BOUNCED)
        .values("address")
        .annotate(last=Max("send__created_at"))
        .values_list("address", "last")
    )
    return {address.lower(): last for address, last in rows}


def preview_links():
    """Where a preview's or a test's links lead: the sign-up page, harmlessly."""
    page = settings.SITE_URL + reverse("newsletters:subscribe")
    return {"unsubscribe_url": page, "preferences_url": page}


def send_issue(issue, *, by):
    """Send `issue` to its newsletter's confirmed subscribers, once: of two clicks (or two
    editors) at the same moment, one sends and the other gets False."""
    with transaction.atomic():
        claimed = Issue.objects.filter(pk=issue.pk, status=Issue.Status.DRAFT).update(
            status=Issue.Status.SENDING, sent_at=timezone.now(), sent_by=by
        )
        if not claimed:
            return False
        issue.refresh_from_db()
        subject, text, html = render_issue(issue)
        if not issue.subject:
            issue.subject = subject
        alert = issue.newsletter.kind == Newsletter.Kind.ALERT
        recipients = recipients_of(issue.newsletter)
        bulk = send_bulk(
            name=subject if str(issue.newsletter) in subject else f"{issue.newsletter}: {subject}",
            subject=subject,
            text=text,
            html=html,
            headers=mail_headers(issue.newsletter),
            recipients=recipients,
            priority=tasks.ALERT if alert else tasks.DIGEST,
        )
        issue.bulk_send = bulk
        issue.save(update_fields=["bulk_send", "subject"])
        # Sending is an editorial act like publishing: on record, with how many it reached.
        audit.record(
            AuditEntry.Action.CHANGE,
            issue,
            by=by,
            status=[Issue.Status.DRAFT, Issue.Status.SENDING],
            recipients=len(recipients),
            bulk_send=bulk.pk,
        )
    return True


def send_test(issue, user):
    """The issue as subscribers will get it, to the editor's own address only."""
    if not user.email:
        return False
    subject, text, html = render_issue(issue)
    links = preview_links()
    own = Subscriber.objects.filter(email=user.email.lower()).first()
    if own is not None:
        links = own.links(issue.newsletter)
    headers = {
        name: personal(value, links) for name, value in mail_headers(issue.newsletter).items()
    }
    message = EmailMultiAlternatives(
        subject=_("[Test] %(subject)s") % {"subject": subject},
        body=personal(text, links),
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(personal(html, links, html=True), "text/html")
    message.send()
    return True


def top_stories(newsletter, day):
    """The day's published stories (a section letter: that section's), newest first."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    found = Article.objects.published().filter(
        published_at__gte=start, published_at__lt=start + timedelta(days=1)
    )
    if newsletter.section_id:
        found = found.filter(section_id=newsletter.section_id)
    return list(found.order_by("-published_at")[: settings.NEWSROOM_DIGEST_ARTICLES])


def prepare_digest(newsletter, day=None):
    """(the day's issue, whether it was made now). Idempotent: a digest already prepared for
    that day is left as the editors made it."""
    day = day or timezone.localdate()
    existing = Issue.objects.filter(newsletter=newsletter, digest_date=day).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            issue = Issue.objects.create(newsletter=newsletter, digest_date=day)
            IssueArticle.objects.bulk_create(
                IssueArticle(issue=issue, article=article, position=position)
                for position, article in enumerate(top_stories(newsletter, day))
            )
            issue.subject = default_subject(issue, [])
            issue.save(update_fields=["subject"])
    except IntegrityError:  # prepared meanwhile by someone else
        return Issue.objects.get(newsletter=newsletter, digest_date=day), False
    return issue, True


def prepare_digests(day=None):
    """Today's issue of every active digest and section letter."""
    kinds = [Newsletter.Kind.DIGEST, Newsletter.Kind.SECTION]
    return [
        (newsletter, *prepare_digest(newsletter, day))
        for newsletter in Newsletter.objects.filter(active=True, kind__in=kinds)
    ]


def subscribed_count(newsletter):
    return Subscription.objects.filter(newsletter=newsletter).count()
