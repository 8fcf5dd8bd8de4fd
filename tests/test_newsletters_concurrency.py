"""Editors clicking Send at the same moment: the issue goes out once."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from newsletters.models import Issue, Newsletter, subscribe
from newsroom.models import BulkRecipient, BulkSend
from tests.factories import make_staff

THREADS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a double send",
    ),
]


def test_eight_send_clicks_at_once_send_the_issue_once():
    newsletter = Newsletter.objects.create(name="Daily digest", slug="daily")
    for n in range(5):
        subscribe(f"reader{n}@example.com", [newsletter])
    issue = Issue.objects.create(newsletter=newsletter, subject="Today")
    editors = [make_staff(f"editor{n}", group="Editor") for n in range(THREADS)]
    start = threading.Barrier(THREADS)
    statuses = []

    def click(editor):
        client = Client()
        client.force_login(editor)
        try:
            start.wait()
            response = client.post(reverse("admin:newsletters_issue_send", args=[issue.pk]))
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click, args=(editor,)) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * THREADS
    assert BulkSend.objects.count() == 1
    assert BulkRecipient.objects.count() == 5
    assert Issue.objects.get().bulk_send == BulkSend.objects.get()
