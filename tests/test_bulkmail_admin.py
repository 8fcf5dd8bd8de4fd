"""Bulk mail in the admin: progress, recipients, the task queue by priority, "send again to
the failed recipients"; editors may look, nobody edits, and nobody sees a recipient's links."""

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from newsroom.bulkmail import send_bulk
from newsroom.models import BulkRecipient, BulkSend
from newsroom.tasks import ALERT, DIGEST
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)  # the batches are enqueued on commit

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_send(count, *, priority=DIGEST, name="Morning digest"):
    return send_bulk(
        name=name,
        subject="Today",
        text="Leave: [[unsubscribe_url]]",
        recipients=[
            (f"r{n}@example.com", {"unsubscribe_url": f"https://x.test/unsubscribe/secret{n}"})
            for n in range(count)
        ],
        priority=priority,
    )


@pytest.fixture
def desk(client):
    client.force_login(make_staff("desk", group="Editor"))
    return client


def change_url(send):
    return reverse("admin:newsroom_bulksend_change", args=[send.pk])


def test_an_editor_sees_a_sends_progress_and_its_rate(desk, settings):
    settings.TASKS = QUEUE
    send = queued_send(4)
    send.recipients.filter(address__in=["r0@example.com", "r1@example.com"]).update(
        status=BulkRecipient.Status.SENT
    )
    send.recipients.filter(address="r2@example.com").update(status=BulkRecipient.Status.FAILED)
    BulkSend.objects.filter(pk=send.pk).update(status=BulkSend.Status.SENDING,
                                               started_at=send.created_at)  # fmt: skip
    page = desk.get(change_url(send))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2 of 4 sent" in html
    assert "1 failed" in html and "1 queued" in html
    assert "per second" in html
    assert 'class="bulk-sent" style="width: 50.0%"' in html
    assert "Send again to the 1 failed recipient" in html
    assert 'name="_save"' not in html  # read-only
    assert "secret" not in html


def test_the_progress_page_runs_the_same_queries_for_10_and_1000_recipients(
    desk, settings, django_assert_num_queries
):
    settings.TASKS = QUEUE
    small, large = queued_send(10), queued_send(1000)
    desk.get(change_url(small))  # sessions, permissions and the like cached as for any page
    with django_assert_num_queries(6) as small_queries:
        assert desk.get(change_url(small)).status_code == 200
    with django_assert_num_queries(len(small_queries)):
        assert desk.get(change_url(large)).status_code == 200
    changelist = reverse("admin:newsroom_bulksend_changelist")
    desk.get(changelist)
    with django_assert_num_queries(11) as few_sends:
        assert desk.get(changelist).status_code == 200
    for n in range(20):
        queued_send(5, name=f"Alert {n}")
    with django_assert_num_queries(len(few_sends)):
        assert desk.get(changelist).status_code == 200


def test_recipients_are_listed_by_status_and_searchable_without_their_links(desk, settings):
    settings.TASKS = QUEUE
    send = queued_send(3)
    send.recipients.filter(address="r1@example.com").update(
        status=BulkRecipient.Status.BOUNCED, error="RCPT: 550 5.1.1 No such user"
    )
    url = reverse("admin:newsroom_bulkrecipient_changelist")
    bounced = desk.get(url, {"status__exact": "bounced"}).content.decode()
    assert "r1@example.com" in bounced and "No such user" in bounced
    assert "r0@example.com" not in bounced
    found = desk.get(url, {"q": "r2@"}).content.decode()
    assert "r2@example.com" in found and "r0@example.com" not in found
    recipient = send.recipients.get(address="r1@example.com")
    detail = desk.get(reverse("admin:newsroom_bulkrecipient_change", args=[recipient.pk]))
    assert detail.status_code == 200
    assert "r1@example.com" in detail.content.decode()
    assert "secret" not in detail.content.decode()
    assert "secret" not in bounced


def test_the_queue_shows_what_waits_by_priority(desk, settings):
    settings.TASKS = QUEUE
    settings.NEWSROOM_BULK_BATCH_SIZE = 2
    queued_send(6, priority=DIGEST)  # three batches
    queued_send(1, priority=ALERT, name="Breaking")
    html = desk.get(reverse("admin:newsroom_bulksend_changelist")).content.decode()
    assert "Task queue" in html
    rows = html.split("<tbody>")[1]
    assert rows.index("80 (alert)") < rows.index("0 (digest)")
    assert "<td>80 (alert)</td><td>1</td>" in rows
    assert "<td>0 (digest)</td><td>3</td>" in rows
    results = desk.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert "0 (digest)" in results.content.decode()


def test_the_queue_and_its_results_read_in_russian(desk, settings):
    """django-tasks marks its strings but ships no Russian: newsroom's catalogue has them."""
    settings.TASKS = QUEUE
    settings.LANGUAGE_CODE = "ru"
    queued_send(1, priority=ALERT, name="Breaking")
    page = desk.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    html = page.content.decode()
    for russian in ["Очередь задач", "Результаты задач", "Задача", "Получатели", "Попытка"]:
        assert russian in html, russian
    assert "80 (молния)" in html and "Готова к запуску" in html
    for english in ["Tasks Database Backend", "Task Result", "Task name", "Recipients", "Ready"]:
        assert english not in html, english


def test_retry_failed_action_queues_the_failed_again(desk, settings):
    settings.TASKS = QUEUE
    send = queued_send(3)
    send.recipients.filter(address="r0@example.com").update(status=BulkRecipient.Status.FAILED)
    send.recipients.filter(address="r1@example.com").update(status=BulkRecipient.Status.BOUNCED)
    DBTaskResult.objects.all().delete()
    response = desk.post(
        reverse("admin:newsroom_bulksend_changelist"),
        {"action": "retry_failed_recipients", "_selected_action": [send.pk]},
        follow=True,
    )
    assert "1 failed recipient queued again." in response.content.decode()
    assert send.progress()["failed"] == 0 and send.progress()["bounced"] == 1
    assert DBTaskResult.objects.filter(task_path="newsroom.bulkmail.send_batch").count() == 1


def test_a_reporter_cannot_see_bulk_mail(client, settings):
    settings.TASKS = QUEUE
    send = queued_send(1)
    client.force_login(make_staff("cub", group="Reporter"))
    assert client.get(change_url(send)).status_code == 403
