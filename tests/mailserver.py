"""A real SMTP server for tests (aiosmtpd on a free loopback port), and the settings that send
the site's mail to it: mail still goes through the task queue and the SMTP backend, so a test
reads headers, MIME parts and links as a mail client would.

    def test_...(smtp_server):          # tests/conftest.py's fixture: delivery over SMTP
        ...
        message = smtp_server.only_message_to("reader@example.com")
        message["List-Unsubscribe"], smtp_server.text_of(message), smtp_server.html_of(message)
"""

import email
import email.policy
import socket
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from django.test import override_settings


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the server received: each message parsed as `email.message.EmailMessage`, with
    the envelope's recipients (`message.envelope_to`)."""

    def __init__(self):
        self.messages = []
        self.refuse = set()  # addresses answered with 550 at RCPT TO (a bounce)
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        with self._lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if address in m.envelope_to]

    def only_message_to(self, address):
        found = self.to(address)
        subjects = [m["Subject"] for m in found]
        assert len(found) == 1, f"{len(found)} messages to {address}: {subjects}"
        return found[0]

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages

    @staticmethod
    def text_of(message):
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html_of(message):
        return message.get_body(preferencelist=("html",)).get_content()

    def clear(self):
        with self._lock:
            self.messages.clear()


@contextmanager
def running_smtp_server(port=None):
    inbox = Inbox()
    inbox.port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def smtp_settings(port, **more):
    """The production mail path, to `port`: queued, then the SMTP backend."""
    return override_settings(
        NEWSROOM_EMAIL_DELIVERY_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        **{"EMAIL_TIMEOUT": 5, **more},
    )
