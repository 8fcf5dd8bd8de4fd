"""One message to many recipients, through the task queue, each recipient with a status.

    send = send_bulk(
        name="Daily digest, 1 December",
        subject="Today: [[title]]",
        text="... [[unsubscribe_url]] ...",
        html="<p>... <a href=\"[[unsubscribe_url]]\">Unsubscribe</a></p>",
        headers={"List-Unsubscribe": "<[[unsubscribe_url]]>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        recipients=[("anna@example.com", {"unsubscribe_url": "https://..."}), ...],
        priority=50,                      # a breaking-news alert goes before a digest
    )
    send.progress()  # {"queued": 0, "sent": 2, "failed": 0, "bounced": 0, "total": 2}

`[[key]]` in the subject, the texts and the header values is replaced by that recipient's
substitution (HTML-escaped in the HTML part). A recipient the mail server refuses (5xx at RCPT)
is "bounced"; one that cannot be delivered otherwise is "failed".
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django_tasks import task

from .models import BulkRecipient, BulkSend


def personal(template, substitutions, *, html=False):
    for key, value in substitutions.items():
        template = template.replace(f"[[{key}]]", escape(value) if html else str(value))
    return template


def send_bulk(*, name, subject, text, recipients, html="", headers=None, priority=0,
              from_email=None):  # fmt: skip
    with transaction.atomic():
        send = BulkSend.objects.create(
            name=name,
            subject=subject,
            text=text,
            html=html,
            headers=headers or {},
            priority=priority,
            from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        )
        BulkRecipient.objects.bulk_create(
            BulkRecipient(send=send, address=address, substitutions=substitutions)
            for address, substitutions in recipients
        )
        transaction.on_commit(lambda: send_recipients.using(priority=priority).enqueue(send.pk))
    return send


def message_for(send, recipient):
    values = recipient.substitutions
    message = EmailMultiAlternatives(
        subject=personal(send.subject, values),
        body=personal(send.text, values),
        from_email=send.from_email,
        to=[recipient.address],
        headers={name: personal(value, values) for name, value in send.headers.items()},
    )
    if send.html:
        message.attach_alternative(personal(send.html, values, html=True), "text/html")
    return message


@task
def send_recipients(send_id):
    from smtplib import SMTPRecipientsRefused

    send = BulkSend.objects.get(pk=send_id)
    BulkSend.objects.filter(pk=send_id).update(status=BulkSend.Status.SENDING)
    with get_connection(settings.NEWSROOM_EMAIL_DELIVERY_BACKEND) as connection:
        for recipient in send.recipients.filter(status=BulkRecipient.Status.QUEUED):
            try:
                connection.send_messages([message_for(send, recipient)])
            except SMTPRecipientsRefused as error:
                recipient.status, recipient.error = BulkRecipient.Status.BOUNCED, str(error)[:500]
            except Exception as error:
                recipient.status, recipient.error = BulkRecipient.Status.FAILED, str(error)[:500]
            else:
                recipient.status, recipient.sent_at = BulkRecipient.Status.SENT, timezone.now()
            recipient.save(update_fields=["status", "error", "sent_at"])
    BulkSend.objects.filter(pk=send_id).update(
        status=BulkSend.Status.DONE, finished_at=timezone.now()
    )
