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


def test_replies_posted_at_once_give_one_mail_now_and_the_rest_in_one_digest(settings):
    """Five readers reply to Anna's comment at the same moment, and two workers take the
    notifications at the same moment: one mail goes out, the other replies wait for the
    digest an hour later, and each reply is mailed exactly once."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from comments.models import post_comment
    from tests.mailserver import running_smtp_server, smtp_settings
    from tests.worker import run_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    anna = make_reader("anna")
    thread = post_comment(article=make_article(), user=anna, body="Bridges")[0]
    readers = [make_reader() for _ in range(5)]
    start = threading.Barrier(len(readers))

    def post(reader, number):
        client = Client()
        client.force_login(reader)
        try:
            start.wait()
            client.post(
                reverse("comments:create", args=[thread.article_id]),
                {"body": f"Reply {number}", "parent": thread.pk},
            )
        finally:
            connections.close_all()

    def work(name):
        try:
            workers.wait()
            run_worker(name=name)
        finally:
            connections.close_all()

    def together(target, args):
        threads = [threading.Thread(target=target, args=arg) for arg in args]
        for thread_ in threads:
            thread_.start()
        for thread_ in threads:
            thread_.join()

    with running_smtp_server() as inbox, smtp_settings(inbox.port):
        together(post, [(reader, number) for number, reader in enumerate(readers)])
        replies = Comment.objects.filter(parent=thread)
        assert replies.count() == 5
        workers = threading.Barrier(2)
        together(work, [("one",), ("two",)])
        assert len(inbox.to("anna@example.com")) == 1

        with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
            workers = threading.Barrier(2)
            together(work, [("one",), ("two",)])
        mails = inbox.to("anna@example.com")
        assert len(mails) <= 2
        mailed = [
            link
            for mail in mails
            for link in inbox.text_of(mail).split()
            if "#comment-" in link and not link.endswith(f"#comment-{thread.pk}")
        ]
        expected = sorted(f"http://localhost:8000{r.get_absolute_url()}" for r in replies)
        assert sorted(mailed) == expected
