"""Many readers posting at once: every comment stored exactly once and the count exact."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from comments.models import Comment, visible_count
from tests.factories import make_article, make_reader

THREADS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so it cannot show a lost update",
    ),
]


def test_twenty_readers_posting_at_once_are_all_stored_once_and_counted():
    article = make_article()
    readers = [make_reader() for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    statuses = []

    def post(reader, number):
        client = Client()
        client.force_login(reader)
        url = reverse("comments:create", args=[article.pk])
        try:
            start.wait()
            response = client.post(url, {"body": f"Comment {number}"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(reader, number))
        for number, reader in enumerate(readers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * THREADS
    bodies = sorted(Comment.objects.filter(article=article).values_list("body", flat=True))
    assert bodies == sorted(f"Comment {number}" for number in range(THREADS))
    assert visible_count(article) == THREADS
