"""Bulk mail (newsroom/bulkmail.py): one message, many recipients, each with their own links
and status, delivered over real SMTP."""

import asyncio
import base64
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newsroom.bulkmail import Claim, retry_failed, send_bulk
from newsroom.models import BulkRecipient, BulkSend
from newsroom.tasks import ALERT, DIGEST
from tests.faults.conftest import closed_port, silent_server
from tests.mailserver import free_port, running_smtp_server, smtp_settings
from tests.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = django_settings.BASE_DIR


def test_each_recipient_gets_their_own_links_and_a_refused_address_is_bounced(smtp_server):
    smtp_server.refuse.add("gone@example.com")
    send = send_bulk(
        name="Digest",
        subject="Digest for [[name]]",
        text="Leave: [[url]]",
        html='<a href="[[url]]">Leave</a>',
        headers={"List-Unsubscribe": "<[[url]]>"},
        recipients=[
            ("anna@example.com", {"name": "Anna", "url": "https://x.test/u/a?x=1&y=2"}),
            ("gone@example.com", {"name": "Gone", "url": "https://x.test/u/g"}),
        ],
    )
    message = smtp_server.only_message_to("anna@example.com")
    assert message["Subject"] == "Digest for Anna"
    assert message["List-Unsubscribe"] == "<https://x.test/u/a?x=1&y=2>"
    assert "Leave: https://x.test/u/a?x=1&y=2" in smtp_server.text_of(message)
    assert 'href="https://x.test/u/a?x=1&amp;y=2"' in smtp_server.html_of(message)
    assert smtp_server.to("gone@example.com") == []
    statuses = dict(send.recipients.values_list("address", "status"))
    assert statuses == {
        "anna@example.com": BulkRecipient.Status.SENT,
        "gone@example.com": BulkRecipient.Status.BOUNCED,
    }
    assert send.progress() == {"queued": 0, "sent": 1, "failed": 0, "bounced": 1, "total": 2}


# Batches, priorities, claims and faults. Tests that need the real queue enqueue into the
# database (django-tasks-db) and run `db_worker`'s own Worker in this process, or a real
# `manage.py db_worker` in a subprocess where the point is killing it.

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def people(count, domain="example.com", start=0):
    return [(f"r{n}@{domain}", {"n": str(n)}) for n in range(start, start + count)]


def digest(recipients, **more):
    return send_bulk(name="Digest", subject="Digest [[n]]", text="Hello [[n]]",
                     recipients=recipients, **more)  # fmt: skip


def addresses(inbox):
    return [to for message in inbox.messages for to in message.envelope_to]


def test_recipients_are_split_into_batches_and_each_gets_one_mail(smtp_server, settings):
    settings.NEWSROOM_BULK_BATCH_SIZE = 3
    send = digest(people(10))
    assert send.batches == 4
    assert sorted(send.recipients.values_list("batch", flat=True)) == [0] * 3 + [1] * 3 + [
        2
    ] * 3 + [3]
    assert sorted(addresses(smtp_server)) == sorted(address for address, _ in people(10))
    assert smtp_server.only_message_to("r7@example.com")["Subject"] == "Digest 7"
    send.refresh_from_db()
    assert send.status == BulkSend.Status.DONE
    assert send.started_at <= send.finished_at
    assert send.progress() == {"queued": 0, "sent": 10, "failed": 0, "bounced": 0, "total": 10}


def test_batches_are_queued_tasks_with_the_sends_priority(settings):
    settings.TASKS = QUEUE
    settings.NEWSROOM_BULK_BATCH_SIZE = 2
    digest(people(5), priority=DIGEST)
    tasks = DBTaskResult.objects.filter(task_path="newsroom.bulkmail.send_batch")
    assert sorted(task.args_kwargs["args"][1] for task in tasks) == [0, 1, 2]
    assert {task.priority for task in tasks} == {DIGEST}
    watcher = DBTaskResult.objects.get(task_path="newsroom.bulkmail.watch_send")
    assert watcher.run_after > timezone.now()


def test_an_alert_queued_after_a_digest_goes_out_before_the_digests_batches(smtp_server, settings):
    settings.TASKS = QUEUE
    settings.NEWSROOM_BULK_BATCH_SIZE = 2
    digest(people(6, "digest.test"), priority=DIGEST)
    run_worker(max_tasks=1)  # the digest's first batch is out
    send_bulk(name="Alert", subject="Breaking", text="News", recipients=people(3, "alert.test"),
              priority=ALERT)  # fmt: skip
    run_worker()
    order = [address.split("@")[1] for address in addresses(smtp_server)]
    assert order == ["digest.test"] * 2 + ["alert.test"] * 3 + ["digest.test"] * 4


def test_a_live_workers_claim_is_never_taken_and_a_dead_ones_is_after_its_lease(settings):
    settings.TASKS = QUEUE  # no worker runs: the rows wait
    send = digest(people(3), batch_size=10)
    first, second = Claim(send, 0), Claim(send, 0)
    assert first.take() == 3
    assert second.take() == 0  # the lease holds
    send.recipients.update(lease_until=timezone.now() - timedelta(seconds=1))  # it ran out
    assert second.take() == 3
    row = send.recipients.first()
    assert not first.mark_sent(row)  # the first, late, cannot commit what the second holds
    assert second.mark_sent(row)
    assert not second.mark_sent(row)  # and nobody commits a row twice


def test_a_worker_killed_mid_batch_leaves_nothing_lost_and_nothing_sent_twice(
    smtp_server, settings
):
    """In-process: a worker holding a batch died after committing one row and finishing its
    mail, and in the middle of the next one's DATA (before the final dot). Its lease runs
    out; the watcher gives the batch to a live worker."""
    settings.TASKS = QUEUE
    settings.NEWSROOM_BULK_LEASE_SECONDS = 0.5
    send = digest(people(5), batch_size=5)
    dead = Claim(send, 0)
    assert dead.take() == 5
    first, second = dead.rows()[:2]
    smtp = smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5)
    smtp.ehlo()
    for row in (first, second):
        smtp.mail("newsroom@localhost")
        smtp.rcpt(row.address)
        smtp.putcmd("data")
        assert smtp.getreply()[0] == 354
        smtp.send(b"Subject: Digest\r\n\r\nHello\r\n")
        if row is first:
            assert dead.mark_sent(row)
            smtp.send(b".\r\n")
            assert smtp.getreply()[0] == 250
    smtp.close()  # killed: no final dot for the second, no QUIT
    assert addresses(smtp_server) == [first.address]

    DBTaskResult.objects.filter(task_path="newsroom.bulkmail.send_batch").delete()  # "running"
    time.sleep(0.6)
    run_worker()  # the watcher: the batch's lease ran out, so it is enqueued again and sent
    assert sorted(addresses(smtp_server)) == sorted(address for address, _ in people(5))
    send.refresh_from_db()
    assert send.status == BulkSend.Status.DONE
    assert send.progress()["sent"] == 5


def test_with_the_mail_server_down_rows_stay_queued_and_the_retry_delivers(settings):
    settings.TASKS = QUEUE
    settings.NEWSROOM_TASK_RETRY_SECONDS = 0
    port = closed_port()
    with smtp_settings(port, EMAIL_TIMEOUT=1):
        send = digest(people(4), batch_size=4)
        run_worker(max_tasks=1)
        assert send.progress()["queued"] == 4
        assert set(send.recipients.values_list("attempts", flat=True)) == {1}
        failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
        assert failed.exception_class_path == "newsroom.bulkmail.TemporaryFailure"
        retry = DBTaskResult.objects.get(
            task_path="newsroom.bulkmail.send_batch", status=TaskResultStatus.READY
        )
        assert retry.args_kwargs["kwargs"] == {"attempt": 2}
        assert retry.priority == DIGEST

        with running_smtp_server(port) as inbox:
            run_worker()
        assert sorted(addresses(inbox)) == sorted(address for address, _ in people(4))
    assert send.progress()["sent"] == 4


def test_a_hung_mail_server_costs_one_timeout_and_the_rows_wait_for_the_retry(settings):
    settings.TASKS = QUEUE
    with silent_server() as port, smtp_settings(port, EMAIL_TIMEOUT=1):
        send = digest(people(50), batch_size=50)
        started = time.monotonic()
        run_worker(max_tasks=1)
        assert time.monotonic() - started < 3  # EMAIL_TIMEOUT, once, not once per recipient
    assert send.progress()["queued"] == 50
    retry = DBTaskResult.objects.get(
        task_path="newsroom.bulkmail.send_batch", status=TaskResultStatus.READY
    )
    assert retry.run_after > timezone.now()


def test_temporary_errors_are_tried_a_few_times_then_the_rows_fail(settings):
    settings.TASKS = QUEUE
    settings.NEWSROOM_TASK_RETRY_SECONDS = 0
    settings.NEWSROOM_TASK_MAX_ATTEMPTS = 3
    with smtp_settings(closed_port(), EMAIL_TIMEOUT=1):
        send = digest(people(2), batch_size=2)
        run_worker()
    attempts = DBTaskResult.objects.filter(task_path="newsroom.bulkmail.send_batch")
    assert attempts.count() == 3
    assert send.progress() == {"queued": 0, "sent": 0, "failed": 2, "bounced": 0, "total": 2}
    assert "Connection refused" in send.recipients.first().error
    send.refresh_from_db()
    assert send.status == BulkSend.Status.DONE


class RefusesData:
    async def handle_DATA(self, server, session, envelope):
        return "554 5.7.1 Message rejected as spam"


def test_a_message_refused_after_its_data_is_failed_not_sent(settings):
    port = free_port()
    controller = Controller(RefusesData(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            send = digest(people(2))
    finally:
        controller.stop()
    assert send.progress()["failed"] == 2
    assert "end of data: 554" in send.recipients.first().error


def test_retry_failed_queues_the_failed_again_but_not_the_bounced(smtp_server, settings):
    smtp_server.refuse.add("r0@example.com")
    send = digest(people(3))
    send.recipients.filter(address="r1@example.com").update(status=BulkRecipient.Status.FAILED)
    smtp_server.clear()
    assert retry_failed(send) == 1
    assert addresses(smtp_server) == ["r1@example.com"]
    assert send.progress() == {"queued": 0, "sent": 2, "failed": 0, "bounced": 1, "total": 3}


def test_the_locmem_backend_still_delivers_bulk_mail(mailoutbox):
    send = digest(people(3), batch_size=2)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(a for a, _ in people(3))
    assert send.progress()["sent"] == 3


class HoldingInbox:
    """Counts every recipient of each message it received whole (with its final dot). Its
    answer to the `hold_at`-th message waits until the test has killed the worker, so that the
    kill lands in the middle of a batch, every time. A message whose client went away before
    the dot is never counted: aiosmtpd discards it."""

    def __init__(self, hold_at):
        self.received, self.hold_at, self.killed = [], hold_at, threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.received.extend(envelope.rcpt_tos)
        if len(self.received) == self.hold_at:
            while not self.killed.is_set():
                await asyncio.sleep(0.01)
        return "250 OK"


def db_worker(database_url, smtp_port):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "bulk-mail-kill-drill",
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(smtp_port),
        "DJANGO_EMAIL_USE_TLS": "0",
        "NEWSROOM_BULK_LEASE_SECONDS": "1",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)


def test_a_db_worker_killed_with_sigkill_mid_send_and_restarted_sends_each_mail_once(settings):
    """A real `manage.py db_worker` on the test database, killed with SIGKILL in the middle
    of a batch; a new one finishes the send. PostgreSQL only: the SQLite test database lives
    in this process's memory, where no subprocess can see it (the in-process drill above
    covers SQLite)."""
    if connection.vendor != "postgresql":
        pytest.skip("a subprocess cannot see SQLite's in-memory test database")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    settings.TASKS = QUEUE
    settings.NEWSROOM_BULK_LEASE_SECONDS = 1
    inbox, port = HoldingInbox(hold_at=50), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        send = digest(people(300), batch_size=100)
        worker = db_worker(url, port)
        deadline = time.monotonic() + 60
        while len(inbox.received) < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        inbox.killed.set()
        at_kill = len(inbox.received)
        assert 50 <= at_kill < 300, at_kill
        assert send.progress()["queued"] > 0

        worker = db_worker(url, port)
        try:
            deadline = time.monotonic() + 60
            while send.progress()["queued"] and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            worker.terminate()
            worker.wait()
    finally:
        controller.stop()
    counts = Counter(inbox.received)
    assert sorted(counts) == sorted(address for address, _ in people(300))  # none lost
    assert set(counts.values()) == {1}  # none twice
    assert send.progress()["sent"] == 300


POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "ID": 4323372036854775807,
    "Type": "HardBounce",
    "TypeCode": 1,
    "Name": "Hard bounce",
    "Tag": "",
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "ServerID": 23,
    "Description": "The server was unable to deliver your message (ex: unknown user).",
    "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    "From": "newsroom@localhost",
    "BouncedAt": "2026-12-01T16:33:54.9070259Z",
    "DumpAvailable": True,
    "Inactive": True,
    "CanActivate": True,
    "Subject": "Digest",
    "MessageStream": "broadcast",
}


def test_a_providers_bounce_webhook_marks_the_recipient_bounced(client, settings):
    settings.NEWSROOM_EMAIL_DELIVERY_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:a-long-secret"}
    send = digest(people(2))
    assert send.progress()["sent"] == 2  # through the provider's backend (anymail's test one)
    anna = send.recipients.get(address="r0@example.com")
    bounce = {**POSTMARK_BOUNCE, "Email": "r0@example.com",
              "Metadata": {"bulk_recipient": str(anna.pk)}}  # fmt: skip
    url = reverse("anymail:postmark_tracking_webhook")

    forged = client.post(url, bounce, content_type="application/json")
    assert forged.status_code == 400  # no basic auth: refused
    someone_else = {**bounce, "Email": "r1@example.com"}  # another address with anna's id
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook:a-long-secret").decode()}
    response = client.post(url, someone_else, content_type="application/json", **auth)
    assert response.status_code == 200
    assert send.progress()["bounced"] == 0

    response = client.post(url, bounce, content_type="application/json", **auth)
    assert response.status_code == 200
    anna.refresh_from_db()
    assert anna.status == BulkRecipient.Status.BOUNCED
    assert "550 5.1.1" in anna.error and anna.error.startswith("Postmark: ")
    assert send.progress() == {"queued": 0, "sent": 1, "failed": 0, "bounced": 1, "total": 2}


def test_a_worker_killed_after_taking_a_batch_task_before_claiming_its_rows(smtp_server, settings):
    """What a worker killed there leaves: its task running for ever, the rows untouched."""
    settings.TASKS = QUEUE
    settings.NEWSROOM_BULK_LEASE_SECONDS = 0.5
    send = digest(people(4), batch_size=2)
    first = DBTaskResult.objects.filter(task_path="newsroom.bulkmail.send_batch").earliest(
        "enqueued_at"
    )
    first.claim("killed-worker")  # RUNNING, started now, and nobody will finish it
    time.sleep(0.3)
    run_worker()  # the other batch; the watcher, if due, leaves the fresh one alone
    assert send.progress()["queued"] == 2
    time.sleep(0.6)
    run_worker()  # the killed worker's task started more than a lease ago: enqueued again
    assert sorted(addresses(smtp_server)) == sorted(address for address, _ in people(4))
    assert send.progress()["sent"] == 4


def test_a_substitution_that_would_break_a_header_fails_that_recipient_only(smtp_server):
    send = send_bulk(name="D", subject="Hello [[name]]", text="t", recipients=[
        ("anna@example.com", {"name": "Anna"}),
        ("evil@example.com", {"name": "x\r\nBcc: victim@example.com"}),
    ])  # fmt: skip
    assert addresses(smtp_server) == ["anna@example.com"]
    evil = send.recipients.get(address="evil@example.com")
    assert evil.status == BulkRecipient.Status.FAILED
    assert "newlines" in evil.error


def test_a_send_to_nobody_is_done_at_once():
    send = digest([])
    send.refresh_from_db()
    assert send.status == BulkSend.Status.DONE
    assert send.progress()["total"] == 0
