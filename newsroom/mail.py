"""Outgoing mail through the task queue: sending a message only records a task, so a mail
server that is down or hung never makes a sign-up or a password reset fail or wait; the task
delivers it with the real backend (NEWSROOM_EMAIL_DELIVERY_BACKEND) and is tried again later
while that fails (newsroom/tasks.py)."""

import base64

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from newsroom.tasks import TRANSACTIONAL, retrying_task


def message_as_data(message):
    """An EmailMessage as JSON-compatible data for the task's arguments."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [list(alternative) for alternative in getattr(message, "alternatives", [])],
        "attachments": [
            [filename, base64.b64encode(_bytes(content)).decode(), mimetype]
            for filename, content, mimetype in message.attachments
        ],
    }


def _bytes(content):
    return content.encode() if isinstance(content, str) else content


def message_from_data(data):
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


@retrying_task
def deliver_mail(data):
    with get_connection(settings.NEWSROOM_EMAIL_DELIVERY_BACKEND) as connection:
        connection.send_messages([message_from_data(data)])


class QueuedEmailBackend(BaseEmailBackend):
    """settings.EMAIL_BACKEND: each message becomes a deliver_mail task, ahead of bulk mail (a
    reader waiting for a password reset does not wait for a digest to 100,000 subscribers).
    A message may wait in its own place: `message.queue_priority = NOTIFICATION`."""

    def send_messages(self, email_messages):
        for message in email_messages:
            priority = getattr(message, "queue_priority", TRANSACTIONAL)
            deliver_mail.using(priority=priority).enqueue(message_as_data(message))
        return len(email_messages)
