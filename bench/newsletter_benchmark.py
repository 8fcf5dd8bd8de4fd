"""Bulk mail: queue a digest to 100,000 recipients, send it with two `manage.py db_worker`
processes to a local SMTP server, then kill workers at random moments and count what arrives.

    createdb -h 127.0.0.1 -U postgres newsroom_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        .venv/bin/python bench/newsletter_benchmark.py [--recipients 100000] [--workers 2]
    # or: make bench-newsletter DATABASE_URL=...

The SMTP server runs in a process of its own (so that it takes no GIL from the workers); it
writes the envelope recipient of every message it accepted (after the final dot)
to a file. Measured:

- queue: the editor's Send of a digest issue to --recipients confirmed subscribers
  (`newsletters.sending.send_issue`: rendered, recipients with their links, rows written, batch
  tasks enqueued), against the
  target of under a minute;
- send: from starting --workers workers until no recipient is queued, in mails a second
  (target: 200 or more), and the same rate between the first and the last `sent_at`;
- kill: a second send of --kill-recipients; while it is sent, a worker is killed with SIGKILL
  --kills times at random moments and a new one started at once. The server's file is then
  read: every address must have arrived exactly once (none missing, none twice), for both sends.

Not a test: the figures depend on the machine and its load. The database's bulk-mail tables and
task results are emptied first; use a database of its own. Prints one Markdown table.
"""

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes.")
    parser.add_argument("--kill-recipients", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--lease", type=float, default=5.0, help="NEWSROOM_BULK_LEASE_SECONDS.")
    parser.add_argument("--port", type=int, default=8725, help="The SMTP server's port.")
    parser.add_argument("--smtp-server", metavar="FILE", help=argparse.SUPPRESS)
    return parser.parse_args()


def smtp_server(port, path):
    """The SMTP server process: each accepted message's recipients, one line each, to `path`.

    A small asyncio server rather than aiosmtpd: aiosmtpd cancels a session the moment the
    client's connection closes, dropping a message whose final dot arrived in the same instant
    (a worker killed just after sending it), where a mail server such as Postfix queues every
    message whose dot it received. Counting "none missing" needs the latter."""
    import asyncio

    out = open(path, "a", buffering=1)  # noqa: SIM115  (line-buffered: nothing lost at a kill)

    async def session(reader, writer):
        writer.transport.get_extra_info("socket").setsockopt(
            socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
        )
        writer.write(b"220 bench ESMTP\r\n")
        recipients = []
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-bench\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif verb == b"RCPT":
                    recipients.append(line.partition(b"<")[2].partition(b">")[0].decode())
                    writer.write(b"250 OK\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    while (line := await reader.readline()) != b".\r\n":
                        if not line:
                            return  # the client went away before the dot: discarded
                    out.write("".join(f"{address}\n" for address in recipients))
                    recipients = []
                    writer.write(b"250 OK queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 Bye\r\n")
                    break
                else:  # HELO, MAIL, RSET, NOOP
                    if verb in {b"MAIL", b"RSET"}:
                        recipients = []
                    writer.write(b"250 OK\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def serve():
        server = await asyncio.start_server(session, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        asyncio.run(serve())
    finally:
        out.close()


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()


def worker_env(args):
    return {
        **os.environ,
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "newsletter-benchmark"),
        "DJANGO_EMAIL_HOST": "127.0.0.1",
        "DJANGO_EMAIL_PORT": str(args.port),
        "DJANGO_EMAIL_USE_TLS": "0",
        "NEWSROOM_BULK_LEASE_SECONDS": str(args.lease),
    }


class Workers:
    def __init__(self, args, log):
        self.env, self.log, self.processes = worker_env(args), log, []

    def start(self):
        command = [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def kill_one(self):
        process = random.choice([p for p in self.processes if p.poll() is None])
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.processes.remove(process)

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait()
        self.processes = []


def recipients(count, domain):
    for n in range(count):
        yield (f"reader{n}@{domain}", {})


def subscribers(count, domain):
    """A newsletter with `count` confirmed subscribers and today's issue of ten published
    stories, as `prepare_digests` leaves it (not timed: the readers signed up over months)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from articles.models import Article, Section
    from newsletters.models import Issue, IssueArticle, Newsletter, Subscriber, Subscription

    now = timezone.now()
    section, _ = Section.objects.get_or_create(slug="bench", defaults={"name": "Benchmark"})
    letter = Newsletter.objects.create(
        name=f"Benchmark digest ({domain})", slug=f"bench-{domain.split('.')[0]}"
    )
    Subscriber.objects.bulk_create(
        (Subscriber(email=address, confirmed_at=now) for address, _ in recipients(count, domain)),
        batch_size=5000,
    )
    ids = Subscriber.objects.filter(email__endswith=f"@{domain}").values_list("pk", flat=True)
    Subscription.objects.bulk_create(
        (Subscription(subscriber_id=pk, newsletter=letter) for pk in ids.iterator()),
        batch_size=5000,
    )
    issue = Issue.objects.create(newsletter=letter, subject="Morning digest: ten stories")
    for n in range(10):
        article = Article.objects.create(
            title=f"Story number {n} of {domain}",
            slug=f"story-{n}-{domain.split('.')[0]}",
            section=section,
            lead="What happened, and why it matters, in two sentences.",
            body="<p>The story.</p>",
            status=Article.Status.PUBLISHED,
            published_at=now,
        )
        IssueArticle.objects.create(issue=issue, article=article, position=n)
    editor, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"email": "desk@news.example", "is_staff": True}
    )
    return issue, editor


def queue(count, domain):
    """The editor's Send: newsletters.sending.send_issue renders the issue once, reads the
    confirmed subscribers with their link tokens and hands them to send_bulk."""
    from newsletters.sending import send_issue

    issue, editor = subscribers(count, domain)
    started = time.monotonic()
    assert send_issue(issue, by=editor)
    seconds = time.monotonic() - started
    issue.refresh_from_db()
    return issue.bulk_send, seconds


def wait_until_sent(send, timeout, during=None):
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = send.progress()
        if not progress["queued"]:
            return progress
        if during:
            during()
        time.sleep(0.5)
    connection.close()
    raise SystemExit(f"not sent after {timeout} s: {send.progress()}")


def received(path, domain):
    suffix = f"@{domain}\n"
    with open(path) as lines:
        return Counter(line.strip() for line in lines if line.endswith(suffix))


def exactly_once(counts, count, domain):
    expected = {address for address, _ in recipients(count, domain)}
    missing = len(expected - set(counts))
    twice = sum(1 for n in counts.values() if n > 1)
    return missing, twice


def main():
    args = parse_args()
    if args.smtp_server:
        return smtp_server(args.port, args.smtp_server)
    os.environ["NEWSROOM_BULK_LEASE_SECONDS"] = str(args.lease)  # the watchers' interval
    django_setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    from articles.models import Article
    from newsletters.models import Issue, Newsletter, Subscriber
    from newsroom.models import BulkSend

    if connection.vendor != "postgresql":
        raise SystemExit("Run against PostgreSQL: DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    BulkSend.objects.all().delete()
    DBTaskResult.objects.all().delete()
    Issue.objects.all().delete()
    Newsletter.objects.all().delete()
    Subscriber.objects.all().delete()
    Article.objects.filter(section__slug="bench").delete()

    inbox = tempfile.NamedTemporaryFile(prefix="smtp-", suffix=".txt", delete=False).name  # noqa: SIM115
    log = tempfile.NamedTemporaryFile(prefix="workers-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen([PYTHON, __file__, "--port", str(args.port), "--smtp-server", inbox])
    time.sleep(1)
    workers = Workers(args, log)
    rows = []
    try:
        send, queue_seconds = queue(args.recipients, "digest.test")
        rows.append(("queue", f"send_issue to {args.recipients:,} subscribers",
                     f"{queue_seconds:.1f} s", "< 60 s"))  # fmt: skip

        started = time.monotonic()
        for _ in range(args.workers):
            workers.start()
        progress = wait_until_sent(send, timeout=3600)
        seconds = time.monotonic() - started
        span = send.recipients.aggregate(first=Min("sent_at"), last=Max("sent_at"))
        sending = (span["last"] - span["first"]).total_seconds()
        rows.append(("send", f"{args.workers} workers, {progress['sent']:,} sent, "
                     f"{progress['failed'] + progress['bounced']} not",
                     f"{progress['sent'] / seconds:.0f} mails/s ({seconds:.0f} s from start; "
                     f"{progress['sent'] / sending:.0f}/s first to last sent)",
                     "≥ 200 mails/s"))  # fmt: skip
        time.sleep(1)  # the server's last lines
        missing, twice = exactly_once(received(inbox, "digest.test"), args.recipients,
                                      "digest.test")  # fmt: skip
        rows.append(("send: received", f"{args.recipients:,} addresses at the SMTP server",
                     f"{missing} missing, {twice} twice", "0, 0"))  # fmt: skip

        kill_send, _ = queue(args.kill_recipients, "kill.test")
        kills = []
        # Kills spread over the send's expected duration (at the rate just measured).
        expected = args.kill_recipients / (progress["sent"] / seconds)
        moments = iter(sorted(random.uniform(1, 0.8 * expected) for _ in range(args.kills)))
        kill_started = time.monotonic()
        next_kill = [next(moments, None)]

        def maybe_kill():
            if next_kill[0] is not None and time.monotonic() - kill_started >= next_kill[0]:
                kills.append(round(time.monotonic() - kill_started, 1))
                workers.kill_one()
                workers.start()
                next_kill[0] = next(moments, None)

        wait_until_sent(kill_send, timeout=3600, during=maybe_kill)
        kill_seconds = time.monotonic() - kill_started
        time.sleep(1)
        missing, twice = exactly_once(received(inbox, "kill.test"), args.kill_recipients,
                                      "kill.test")  # fmt: skip
        rows.append(("kill and restart", f"{args.kill_recipients:,} recipients, SIGKILL at "
                     f"{', '.join(f'{k} s' for k in kills)}; lease {args.lease:g} s",
                     f"{missing} missing, {twice} twice (done in {kill_seconds:.0f} s)",
                     "0, 0"))  # fmt: skip
    finally:
        workers.stop()
        server.terminate()
        server.wait()
        connection.close()

    print("| step | what | measured | target |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nworker log: {log.name}; received addresses: {inbox}")


if __name__ == "__main__":
    main()
