"""Mail drills: the mail server refuses connections, or accepts them and never answers. Sign-up
and password reset answer as usual, the account exists, the mail waits in the task queue as a
failed attempt with its retry, and once a mail server answers the retry delivers it."""

import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.factories import make_reader, make_staff
from tests.faults.conftest import closed_port, silent_server
from tests.worker import run_worker

SIGNUP = {
    "email": "new@example.com",
    "display_name": "New Reader",
    "password1": "a-long-passphrase-42",
    "password2": "a-long-passphrase-42",
}


def smtp_at(port, **more):
    """Production mail settings: queued, delivered over SMTP to `port` on this machine."""
    return override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        NEWSROOM_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=1,
        **more,
    )


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@contextmanager
def mail_server(port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def test_sign_up_with_the_mail_server_down_answers_and_the_retry_delivers_the_mail(
    transactional_db, client
):
    port = closed_port()
    with smtp_at(port, NEWSROOM_TASK_RETRY_SECONDS=0):
        response, seconds = timed(client.post, reverse("account_signup"), SIGNUP)
        assert response.status_code == 302, f"answered {response.status_code}"
        assert seconds < 1
        assert get_user_model().objects.filter(email="new@example.com").exists()
        assert DBTaskResult.objects.get().status == TaskResultStatus.READY

        run_worker(max_tasks=1)  # the mail server is down
        first, retry = DBTaskResult.objects.order_by("enqueued_at")
        assert first.status == TaskResultStatus.FAILED
        assert first.exception_class_path == "builtins.ConnectionRefusedError"
        assert retry.status == TaskResultStatus.READY
        assert retry.args_kwargs["kwargs"] == {"attempt": 2}

        with mail_server(port) as inbox:
            run_worker()
        retry.refresh_from_db()
        assert retry.status == TaskResultStatus.SUCCESSFUL
        assert [message.rcpt_tos for message in inbox.messages] == [["new@example.com"]]
        assert b"confirm-email" in inbox.messages[0].content

    # Editors find the failed attempt in the admin.
    client.force_login(make_staff("desk", group="Editor"))
    failed = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist"), {"status__exact": "FAILED"}
    )
    assert failed.status_code == 200
    assert "deliver_mail" in failed.content.decode()
    assert "new@example.com" in failed.content.decode()
    detail = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[first.pk])
    ).content.decode()
    assert "ConnectionRefusedError" in detail
    # Never the mail itself: its confirmation link would sign anybody in as the reader.
    assert "confirm-email" not in detail


def test_password_reset_with_a_hung_mail_server_answers_at_once_and_retries_later(
    transactional_db, client
):
    make_reader("anna")
    with silent_server() as port, smtp_at(port):
        response, seconds = timed(
            client.post, reverse("account_reset_password"), {"email": "anna@example.com"}
        )
        assert response.status_code == 302, f"answered {response.status_code}"
        assert seconds < 1

        _, worker_seconds = timed(run_worker, max_tasks=1)
        assert worker_seconds < 3  # EMAIL_TIMEOUT, not the operating system's minutes
    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == TaskResultStatus.FAILED
    assert "timed out" in first.traceback
    assert retry.status == TaskResultStatus.READY
    assert retry.run_after > first.finished_at  # backoff: not before the retry delay
    assert not DBTaskResult.objects.ready().exists()
