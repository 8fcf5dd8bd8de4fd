"""One message to many recipients, through the task queue, each recipient with a status.

    send = send_bulk(
        name="Daily digest, 1 December",
        subject="Today: [[title]]",
        text="... [[unsubscribe_url]] ...",
        html="<p>... <a href=\"[[unsubscribe_url]]\">Unsubscribe</a></p>",
        headers={"List-Unsubscribe": "<[[unsubscribe_url]]>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        recipients=[("anna@example.com", {"unsubscribe_url": "https://..."}), ...],
        priority=ALERT,                   # newsroom.tasks: a breaking-news alert before a digest
    )
    send.progress()  # {"queued": 0, "sent": 2, "failed": 0, "bounced": 0, "total": 2}

`[[key]]` in the subject, the texts and the header values is replaced by that recipient's
substitution (HTML-escaped in the HTML part). A recipient the mail server refuses (5xx at RCPT)
is "bounced"; one it refuses otherwise (5xx) is "failed"; a temporary error (4xx, connection
refused, lost or timed out) leaves the recipient queued, and its batch is tried again with the
queue's backoff (newsroom/tasks.py) until NEWSROOM_TASK_MAX_ATTEMPTS, then "failed".

The recipients are split into batches of NEWSROOM_BULK_BATCH_SIZE, one task each, enqueued with
the send's priority, so several workers share a send and a later alert overtakes a digest's
remaining batches.

Exactly once, even when a worker is killed. A batch task claims its rows (a token of its own,
and a lease of NEWSROOM_BULK_LEASE_SECONDS that it renews while it works). Over SMTP each
message goes MAIL, RCPT, DATA and its content, then the row is committed as sent, on condition
that the claim is still this task's, and only then the final "." that makes the server accept
the message. Killed before that commit, the connection drops without the ".", so the server
discards the message, and the row is still queued; killed after it, the row is already sent
and nobody sends it again. A killed worker's task never finishes; `watch_send`, enqueued
beside the batches, finds rows whose lease expired and enqueues their batches again. If a
slow worker outlived its lease and another took the row over, only one of them can commit it
as sent: the other drops its connection without the ".".

Other delivery backends (locmem and console in tests and `make run`, an API provider through
django-anymail) take the simple path: send, then mark sent. A worker killed between the two
sends that one message again when its batch is taken over.
"""

import functools
import logging
import re
import select
import smtplib
import socket
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import escape
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from psycopg import pq

from .models import BulkRecipient, BulkSend
from .tasks import DIGEST, retrying_task

log = logging.getLogger("newsroom.bulkmail")

QUEUED, SENT = BulkRecipient.Status.QUEUED, BulkRecipient.Status.SENT
FAILED, BOUNCED = BulkRecipient.Status.FAILED, BulkRecipient.Status.BOUNCED


def personal(template, substitutions, *, html=False):
    for key, value in substitutions.items():
        template = template.replace(f"[[{key}]]", escape(value) if html else str(value))
    return template


def send_bulk(*, name, subject, text, recipients, html="", headers=None, priority=DIGEST,
              from_email=None, batch_size=None):  # fmt: skip
    """Record the send and its recipients, and enqueue its batches (once the transaction
    commits). `recipients`: (address, {key: value}) pairs, any iterable."""
    batch_size = batch_size or settings.NEWSROOM_BULK_BATCH_SIZE
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
        count = 0

        def rows():
            nonlocal count
            for count, (address, substitutions) in enumerate(recipients, start=1):
                yield BulkRecipient(
                    send=send,
                    address=address,
                    substitutions=substitutions,
                    batch=(count - 1) // batch_size,
                )

        BulkRecipient.objects.bulk_create(rows(), batch_size=1000)
        send.batches = -(-count // batch_size)
        BulkSend.objects.filter(pk=send.pk).update(batches=send.batches)
        if not count:  # nobody to send to: done already
            finish_if_done(send.pk)
        transaction.on_commit(lambda: enqueue_batches(send, range(send.batches)))
    return send


def enqueue_batches(send, batches):
    batch_task = send_batch.using(priority=send.priority)
    for batch in batches:
        batch_task.enqueue(send.pk, batch)
    if send_batch.get_backend().supports_defer:
        _watch_later(send)


def retry_failed(send):
    """Queue a send's failed recipients again (not the bounced: the server said they do not
    exist) and enqueue their batches. Returns how many."""
    with transaction.atomic():
        failed = send.recipients.filter(status=FAILED)
        batches = sorted(set(failed.values_list("batch", flat=True)))
        count = failed.update(status=QUEUED, attempts=0, error="", claimed_by="", lease_until=None)
        BulkSend.objects.filter(pk=send.pk).update(status=BulkSend.Status.SENDING, finished_at=None)
        transaction.on_commit(lambda: enqueue_batches(send, batches))
    return count


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
    # Sent with the message by a django-anymail provider and returned in its bounce webhook.
    message.metadata = {"bulk_recipient": str(recipient.pk)}
    return message


def record_bounce(sender, event, esp_name, **kwargs):
    """django-anymail's tracking signal: a provider reports a bounce or a rejection of one of
    our recipients (its id in the metadata, and the same address). Only from a webhook that
    needs a secret: else anybody could mark anybody bounced."""
    if event.event_type not in {"bounced", "rejected"}:
        return
    if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        log.warning("%s bounce ignored: NEWSROOM_ANYMAIL_WEBHOOK_SECRET is not set", esp_name)
        return
    pk = (event.metadata or {}).get("bulk_recipient")
    if not (pk and str(pk).isdigit() and event.recipient):
        return
    reason = event.mta_response or event.description or event.reject_reason or event.event_type
    BulkRecipient.objects.filter(pk=int(pk), address__iexact=event.recipient).update(
        status=BOUNCED, error=f"{esp_name}: {reason}"[:500]
    )


class TemporaryFailure(Exception):
    """Some of the batch could not be sent for now: the task is tried again later."""


@retrying_task
def send_batch(send_id, batch):
    send = BulkSend.objects.get(pk=send_id)
    now = timezone.now()
    BulkSend.objects.filter(pk=send_id, started_at__isnull=True).update(started_at=now)
    BulkSend.objects.filter(pk=send_id, status=BulkSend.Status.QUEUED).update(
        status=BulkSend.Status.SENDING
    )
    claim = Claim(send, batch)
    try:
        if claim.take():
            connection = get_connection(settings.NEWSROOM_EMAIL_DELIVERY_BACKEND)
            if isinstance(connection, SMTPBackend):
                send_over_smtp(send, claim, connection)
            else:
                send_simply(send, claim, connection)
    finally:
        finish_if_done(send_id)


def finish_if_done(send_id):
    if not BulkRecipient.objects.filter(send_id=send_id, status=QUEUED).exists():
        BulkSend.objects.exclude(status=BulkSend.Status.DONE).filter(pk=send_id).update(
            status=BulkSend.Status.DONE, finished_at=timezone.now()
        )


class Claim:
    """One task's hold on the queued rows of a batch."""

    def __init__(self, send, batch):
        self.send, self.batch = send, batch
        self.token = uuid.uuid4().hex
        self.lease = timedelta(seconds=settings.NEWSROOM_BULK_LEASE_SECONDS)
        self.renewed = 0.0
        self.temporary = 0

    def take(self):
        """Claim the batch's queued rows that nobody holds (or whose holder's lease ran out)."""
        now = timezone.now()
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        taken = (
            BulkRecipient.objects.filter(send=self.send, batch=self.batch, status=QUEUED)
            .filter(free)
            .update(claimed_by=self.token, lease_until=now + self.lease)
        )
        self.renewed = time.monotonic()
        return taken

    def rows(self):
        return list(self.mine().only("pk", "address", "substitutions").order_by("pk"))

    def mine(self):
        return BulkRecipient.objects.filter(claimed_by=self.token, status=QUEUED)

    def renew(self):
        if time.monotonic() - self.renewed > self.lease.total_seconds() / 3:
            self.mine().update(lease_until=timezone.now() + self.lease)
            self.renewed = time.monotonic()

    def mark_sent(self, row):
        """Commit the row as sent if it is still ours; False if another task took it over."""
        return bool(
            self.mine().filter(pk=row.pk).update(status=SENT, sent_at=timezone.now(), error="")
        )

    def commit_sent(self, rows, deliver):
        """Commit `rows` as sent in one transaction, then `deliver()` (their final dots) at
        once; False, without delivering, if another task holds any of them now.

        PostgreSQL finishes a statement whose client has died: a worker killed while waiting
        for the answer to its COMMIT (the WAL flush, milliseconds) would leave the rows sent
        and their dots unsent. So the COMMIT is written to the socket without waiting, the
        dots follow it, and only then is the COMMIT's answer read: killed before the COMMIT
        went out, the transaction is rolled back and the messages discarded; after, both are
        on their way. What remains is the time between writes to the sockets."""
        pks = [row.pk for row in rows]
        values = {"status": SENT, "sent_at": timezone.now(), "error": ""}
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            with transaction.atomic():
                if self.mine().filter(pk__in=pks).update(**values) != len(pks):
                    transaction.set_rollback(True)
                    return False
            deliver()
            return True
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            try:
                if self.mine().filter(pk__in=pks).update(**values) != len(pks):
                    cursor.execute("ROLLBACK")
                    return False
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            pg = connection.connection.pgconn
            pg.send_query(b"COMMIT")
            while pg.flush():  # 1 while some of it is still to be written
                select.select([], [pg.socket], [], 5)
            try:
                deliver()
            finally:
                errors = []
                while (result := pg.get_result()) is not None:
                    if result.status != pq.ExecStatus.COMMAND_OK:
                        errors.append(result.error_message.decode(errors="replace"))
                if errors:
                    raise DatabaseError(f"COMMIT of sent recipients failed: {errors}")
        return True

    def mark(self, row, status, error):
        BulkRecipient.objects.filter(pk=row.pk, claimed_by=self.token).update(
            status=status, error=str(error)[:500]
        )

    def postpone(self, rows, error):
        """A temporary error: give these rows back to the queue, or fail those tried enough."""
        self.temporary += 1
        rows = BulkRecipient.objects.filter(pk__in=rows, claimed_by=self.token, status=QUEUED)
        rows.update(attempts=F("attempts") + 1, error=str(error)[:500], lease_until=None)
        rows.filter(attempts__gte=settings.NEWSROOM_TASK_MAX_ATTEMPTS).update(status=FAILED)

    def release(self, error):
        """Everything still held: postponed (the connection is gone)."""
        self.postpone(self.mine().values("pk"), error)
        raise TemporaryFailure(str(error)) from error

    def done(self):
        if self.temporary:
            raise TemporaryFailure(f"{self.temporary} recipients will be tried again")


def send_simply(send, claim, connection):
    """Any backend: send, then mark sent."""
    try:
        with connection:
            for row in claim.rows():
                try:
                    connection.send_messages([message_for(send, row)])
                except smtplib.SMTPRecipientsRefused as error:
                    claim.mark(row, BOUNCED, error)
                except OSError as error:
                    claim.postpone([row.pk], error)
                except Exception as error:
                    claim.mark(row, FAILED, error)
                else:
                    claim.mark_sent(row)
                claim.renew()
    except OSError as error:  # opening or closing the connection
        claim.release(error)
    claim.done()


class Refused(Exception):
    def __init__(self, code, reply):
        super().__init__(f"{code} {reply.decode(errors='replace')}")
        self.code = code


def _expect(reply, *good):
    code, text = reply
    if code not in good:
        raise Refused(code, text)


_PERIODS = re.compile(rb"(?m)^\.")
_EOLS = re.compile(rb"(?:\r\n|\n|\r(?!\n))")


def send_over_smtp(send, claim, backend):
    """Exactly once, NEWSROOM_BULK_SMTP_CONNECTIONS messages at a time, one on each connection:
    MAIL, RCPT, DATA and the content of each; their rows committed as sent together; then
    their final dots. One commit (a disk flush) for several messages."""
    backends = [backend] + [
        get_connection(settings.NEWSROOM_EMAIL_DELIVERY_BACKEND)
        for _ in range(settings.NEWSROOM_BULK_SMTP_CONNECTIONS - 1)
    ]
    rows = claim.rows()
    try:
        for each in backends:
            each.open()
            # Two small writes end each message (the content, then the dot after the commit):
            # without this, Nagle's algorithm holds the dot until the server's delayed ACK.
            each.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            each.connection.ehlo_or_helo_if_needed()
        for start in range(0, len(rows), len(backends)):
            staged = []
            for each, row in zip(backends, rows[start : start + len(backends)], strict=False):
                if _stage(send, claim, each.connection, row):
                    staged.append((each.connection, row))
            if not staged:
                continue
            if not claim.commit_sent([row for _, row in staged], functools.partial(_dots, staged)):
                # Another task holds the rows now (this one outlived its lease): drop the
                # connections without the final dots, so the server discards the messages.
                log.warning("bulk mail %s: lost the claim on batch %s", send.pk, claim.batch)
                for each in backends:
                    _drop(each)
                return
            for smtp, row in staged:
                try:
                    _expect(smtp.getreply(), 250)
                except Refused as refusal:
                    _refused(claim, row, "end of data", refusal)
            claim.renew()
    except (OSError, smtplib.SMTPException) as error:
        # Refused, lost or timed out. A row committed as sent whose final dot went unanswered
        # stays sent: the server may have it, and a second copy is what must not happen.
        for each in backends:
            _drop(each)
        claim.release(error)
    finally:
        for each in backends:
            if each.connection is not None:
                try:
                    each.close()
                except Exception:  # noqa: BLE001  (the QUIT after the work is done)
                    log.exception("bulk mail %s: closing a connection", send.pk)
    claim.done()


def _dots(staged):
    for smtp, _ in staged:
        smtp.send(b".\r\n")


def _stage(send, claim, smtp, row):
    """MAIL, RCPT, DATA and the content, all but the final dot. False if refused."""
    encoding = settings.DEFAULT_CHARSET
    try:
        message = message_for(send, row)
        content = message.message().as_bytes(linesep="\r\n")
    except Exception as error:  # a substitution that breaks a header (a line break)
        claim.mark(row, FAILED, f"message: {error}")
        return False
    content = _EOLS.sub(b"\r\n", content)
    content = _PERIODS.sub(b"..", content)
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    step = "MAIL"
    try:
        _expect(smtp.mail(sanitize_address(message.from_email, encoding)), 250)
        step = "RCPT"
        _expect(smtp.rcpt(sanitize_address(row.address, encoding)), 250, 251)
        step = "DATA"
        smtp.putcmd("data")
        _expect(smtp.getreply(), 354)
    except Refused as refusal:
        _refused(claim, row, step, refusal)
        smtp.rset()
        return False
    smtp.send(content)
    return True


def _refused(claim, row, step, refusal):
    """5xx: bounced (at RCPT) or failed; 4xx: tried again later."""
    error = f"{step}: {refusal}"
    if refusal.code >= 500 or refusal.code < 400:
        status = BOUNCED if step == "RCPT" else FAILED
        BulkRecipient.objects.filter(pk=row.pk).update(status=status, error=error)
    else:
        BulkRecipient.objects.filter(pk=row.pk, status=SENT).update(status=QUEUED)
        claim.postpone([row.pk], error)


def _drop(backend):
    """Close the socket without a word (no QUIT, no final dot)."""
    if backend.connection is not None:
        backend.connection.close()
        backend.connection = None


def _watch_later(send, seconds=None):
    seconds = seconds or settings.NEWSROOM_BULK_LEASE_SECONDS
    run_after = timezone.now() + timedelta(seconds=seconds)
    watch_send.using(priority=send.priority, run_after=run_after).enqueue(send.pk)


@task
def watch_send(send_id):
    """Until the send is done, a lease apart: enqueue again each batch with queued rows that
    nobody holds and no task will send: its worker was killed after claiming the rows (their
    lease ran out), or after taking the task but before claiming them."""
    send = BulkSend.objects.get(pk=send_id)
    queued = BulkRecipient.objects.filter(send_id=send_id, status=QUEUED)
    if not queued.exists():
        finish_if_done(send_id)
        return
    now = timezone.now()
    free = queued.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    batches = set(free.values_list("batch", flat=True).distinct()) - _batches_in_hand(send, now)
    if batches:
        log.warning("bulk mail %s: batches %s abandoned, enqueued again", send_id, sorted(batches))
        batch_task = send_batch.using(priority=send.priority)
        for batch in sorted(batches):
            batch_task.enqueue(send_id, batch)
    _watch_later(send)


def _batches_in_hand(send, now):
    """The send's batches whose task waits in the queue (or for its retry), or started less
    than a lease ago (it is about to claim its rows)."""
    lease = timedelta(seconds=settings.NEWSROOM_BULK_LEASE_SECONDS)
    tasks = DBTaskResult.objects.filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gt=now - lease),
        task_path=f"{__name__}.send_batch",
        args_kwargs__args__0=send.pk,
    )
    return {args_kwargs["args"][1] for args_kwargs in tasks.values_list("args_kwargs", flat=True)}
