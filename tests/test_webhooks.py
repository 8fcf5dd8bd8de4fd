"""Outgoing webhooks (webhooks/): the events a newsroom's changes make, delivered by the real
task queue (django-tasks-db and its worker) to a real HTTP receiver on a loopback port, signed
the Standard Webhooks way, retried, refused where they must not go, and logged in the admin."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, Correction
from comments.models import Comment, set_status
from tests.factories import make_article, make_comment, make_notice, make_reader, make_staff
from tests.faults.conftest import closed_port, silent_server
from tests.webhook_receiver import Refused, running_receiver, verify
from tests.worker import run_worker
from webhooks.delivery import signature
from webhooks.events import when_due
from webhooks.models import Appearance, Attempt, Delivery, Endpoint, Event, EventType

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVERY_EVENT = list(EventType.values)
RETRIES = [0.3, 0.6, 0.9]


@pytest.fixture
def queue(settings):
    """The production queue, loopback receivers allowed, short waits."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NEWSROOM_WEBHOOKS_ALLOW_PRIVATE = True
    settings.NEWSROOM_WEBHOOK_RETRY_SECONDS = RETRIES
    settings.NEWSROOM_WEBHOOK_CONNECT_TIMEOUT = 0.5
    settings.NEWSROOM_WEBHOOK_READ_TIMEOUT = 0.5
    settings.NEWSROOM_COMMENT_MIN_INTERVAL = 0
    return settings


@pytest.fixture
def receiver(queue):
    with running_receiver() as receiver:
        yield receiver


def endpoint_for(url, events=EVERY_EVENT, **fields):
    endpoint = Endpoint(name="Wire desk", url=url, events=events, **fields)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def deliver_everything(timeout=15):
    """Run the worker until no delivery is pending (waiting for each retry to be due)."""
    deadline = time.monotonic() + timeout
    while True:
        run_worker()
        if not Delivery.objects.filter(status=Delivery.Status.PENDING).exists():
            return
        pending = list(Delivery.objects.filter(status=Delivery.Status.PENDING).values())
        attempts = list(Attempt.objects.values("delivery_id", "number", "status_code", "error"))
        assert time.monotonic() < deadline, ("deliveries still pending", pending, attempts)
        time.sleep(0.05)


def test_the_signature_is_the_standard_webhooks_one():
    """The published test vector of the Standard Webhooks specification: a receiver's library
    for it accepts what the newsroom sends."""
    assert (
        signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            '{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_publish_comment_and_withdraw_reach_a_real_receiver_signed_retried_and_replay_proof(
    receiver, client
):
    editor = make_staff("editor", group="Editor")
    reader = make_reader("anna", display_name="Anna Reader", email="anna@example.com")
    article = make_article(status=Article.Status.DRAFT, published_at=None, title="Bridges")
    endpoint = endpoint_for(receiver.url)
    receiver.fail["article.published"] = 2  # the receiver is down for the first two tries

    workflow.publish(article, by=editor)
    assert receiver.requests == []  # the editor's save sends nothing itself
    deliver_everything()
    client.force_login(reader)
    response = client.post(reverse("comments:create", args=[article.pk]), {"body": "Well put."})
    assert response.status_code == 302
    deliver_everything()
    workflow.withdraw(Article.objects.get(pk=article.pk), by=editor, reason="Legal review")
    deliver_everything()

    seen = set()
    verdicts = [
        verify(endpoint.secret, headers, body, seen=seen) for headers, body, _ in receiver.requests
    ]
    types = [body["type"] for body in receiver.bodies()]
    assert types == ["article.published"] * 3 + ["comment.created", "article.withdrawn"]
    # Every request is signed; the two retries carry the first one's id: repeats, told apart.
    assert verdicts == ["new", "repeat", "repeat", "new", "new"]

    published = receiver.of_type("article.published")
    assert len({headers["webhook-id"] for headers, _, _ in published}) == 1
    assert [headers["webhook-attempt"] for headers, _, _ in published] == ["1", "2", "3"]
    times = [when for _, _, when in published]
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps[0] >= RETRIES[0] and gaps[1] >= RETRIES[1]  # 1st retry after 0.3 s, 2nd 0.6 s
    stamps = [int(headers["webhook-timestamp"]) for headers, _, _ in published]
    assert stamps == sorted(stamps)

    delivery = Delivery.objects.get(event__type="article.published")
    log = list(delivery.attempt_log.values_list("number", "status_code"))
    assert log == [(1, 500), (2, 500), (3, 200)]
    assert delivery.status == Delivery.Status.DELIVERED
    assert len(delivery.attempt_log.first().response_excerpt) == 1000  # 5000 bytes answered

    body = receiver.bodies()[0]
    assert body["id"] == published[0][0]["webhook-id"]
    assert body["data"]["article"]["headline"] == "Bridges"
    assert body["data"]["article"]["url"].endswith(article.get_absolute_url())
    comment = receiver.bodies()[3]["data"]["comment"]
    assert comment["text"] == "Well put." and comment["author"] == "Anna Reader"
    raw = receiver.requests[3][1].decode()
    assert "anna@example.com" not in raw and '"anna"' not in raw
    withdrawn = receiver.bodies()[4]["data"]["article"]
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawal_reason"] == "Legal review"

    # A replay of a delivered request: its signature still holds, but the id was seen...
    headers, raw_body, _ = receiver.requests[3]
    assert verify(endpoint.secret, headers, raw_body, seen=seen) == "repeat"
    # ...and once it is older than the receiver's tolerance it is refused outright.
    later = int(headers["webhook-timestamp"]) + 301
    with pytest.raises(Refused, match="timestamp"):
        verify(endpoint.secret, headers, raw_body, seen=set(), now=later)
    # An altered body or a forged signature is refused.
    with pytest.raises(Refused, match="signature"):
        verify(endpoint.secret, headers, raw_body.replace(b"Well", b"Ill"), seen=set())
    with pytest.raises(Refused, match="signature"):
        verify(Endpoint().secret, headers, raw_body, seen=set())


def test_send_again_keeps_the_event_id_with_a_new_signature_and_is_logged(receiver, admin_client):
    editor = make_staff("editor", group="Editor")
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    endpoint = endpoint_for(receiver.url, events=["article.published"])
    workflow.publish(article, by=editor)
    deliver_everything()
    delivery = Delivery.objects.get()
    time.sleep(1.05)  # a new second: a new timestamp

    response = admin_client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    deliver_everything()

    (first, _, _), (again, _, _) = receiver.requests
    assert again["webhook-id"] == first["webhook-id"]
    assert again["webhook-timestamp"] != first["webhook-timestamp"]
    assert again["webhook-signature"] != first["webhook-signature"]
    seen = set()
    assert verify(endpoint.secret, first, receiver.requests[0][1], seen=seen) == "new"
    assert verify(endpoint.secret, again, receiver.requests[1][1], seen=seen) == "repeat"
    attempts = list(Attempt.objects.values_list("number", "sent_again", "status_code"))
    assert attempts == [(1, False, 200), (2, True, 200)]

    page = admin_client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
    assert page.status_code == 200
    assert b"article.published" in page.content and str(delivery.event_id).encode() in page.content
    assert b'value="send_again"' in page.content  # the button on the delivery's own page


def test_a_scheduled_article_fires_published_once_when_it_becomes_public(receiver):
    editor = make_staff("editor", group="Editor")
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    endpoint_for(receiver.url)
    due = timezone.now() + timedelta(seconds=1.5)
    workflow.schedule(article, by=editor, at=due)
    when_due(Article.objects.get(pk=article.pk))  # a duplicated timer task
    workflow.schedule(Article.objects.get(pk=article.pk), by=editor, at=due)  # again, same time
    run_worker()
    assert receiver.requests == []  # not public yet: nothing
    while timezone.now() < due:
        time.sleep(0.1)
    deliver_everything()
    assert [body["type"] for body in receiver.bodies()] == ["article.published"]
    assert Event.objects.filter(type="article.published").count() == 1
    # An edit of the public article is an update, not a second publication.
    Article.objects.get(pk=article.pk).touch("retouched")
    deliver_everything()
    assert [body["type"] for body in receiver.bodies()] == ["article.published", "article.updated"]


def test_a_rescheduled_article_fires_at_its_new_time_not_its_old_one(receiver):
    editor = make_staff("editor", group="Editor")
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    endpoint_for(receiver.url)
    first = timezone.now() + timedelta(seconds=0.5)
    workflow.schedule(article, by=editor, at=first)
    workflow.schedule(Article.objects.get(pk=article.pk), by=editor, at=first + timedelta(days=1))
    time.sleep(0.6)
    deliver_everything()  # the first timer runs and finds the article not yet due
    assert receiver.requests == []
    assert not Appearance.objects.filter(live=True).exists()


def test_corrections_updates_moderation_and_notices_make_their_events(receiver):
    editor = make_staff("editor", group="Editor")
    moderator = make_staff("moderator", group="Moderator")
    article = make_article()
    comment = make_comment(article, user=make_reader("bob", email="bob@example.com"))
    endpoint_for(receiver.url)
    Correction.objects.create(article=article, text="The bridge is 40 m long, not 400 m.")
    deliver_everything()
    set_status(Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, by=moderator)
    deliver_everything()
    make_notice(name="Foreign agents")
    deliver_everything()
    workflow.send_back(Article.objects.get(pk=article.pk), by=editor, note="Check the figures")
    deliver_everything()
    types = [body["type"] for body in receiver.bodies()]
    assert types == ["article.corrected", "comment.removed", "notice.changed", "article.withdrawn"]
    corrected, removed, notice, _ = receiver.bodies()
    assert corrected["data"]["article"]["corrections"][0]["text"].startswith("The bridge")
    assert removed["data"]["comment"]["id"] == comment.pk
    assert "text" not in removed["data"]["comment"]  # a removed comment's words do not go out
    assert notice["data"]["notice"]["name"] == "Foreign agents"


def test_only_the_events_an_endpoint_chose_are_sent_to_it(receiver):
    make_staff("editor", group="Editor")
    endpoint_for(receiver.url, events=["comment.created"])
    article = make_article()
    make_comment(article, user=make_reader("carol"))
    deliver_everything()
    assert [body["type"] for body in receiver.bodies()] == ["comment.created"]


# Faults, each started here: a receiver that answers 500 for good, a closed port, a server that
# never answers, a redirect.


def test_a_receiver_that_keeps_failing_is_disabled_and_the_admins_are_told(receiver, queue):
    queue.NEWSROOM_WEBHOOK_DISABLE_AFTER = 2
    get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    receiver.answer = (500, {})
    endpoint = endpoint_for(receiver.url)
    make_article()
    make_article()
    deliver_everything()
    make_article()  # the endpoint is off now: nothing is made for it
    deliver_everything()
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == 2
    assert len(receiver.requests) == 2 * (1 + len(RETRIES))  # each tried 4 times, no more
    assert Delivery.objects.count() == 2
    run_worker()  # the mail to the admins goes through the queue too
    (message,) = [m for m in mail.outbox if "disabled" in m.subject]
    assert message.to == ["root@example.com"]
    assert endpoint.admin_url() in message.body


def test_a_closed_port_is_a_failed_attempt_tried_again(queue):
    queue.NEWSROOM_WEBHOOK_RETRY_SECONDS = [0.1]
    endpoint_for(f"http://127.0.0.1:{closed_port()}/hook", events=["article.published"])
    make_article()
    deliver_everything()
    errors = list(Attempt.objects.values_list("number", "status_code", "error"))
    assert [(number, code) for number, code, _ in errors] == [(1, None), (2, None)]
    assert all("refused" in error.lower() for _, _, error in errors)
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_a_receiver_that_never_answers_times_out_quickly(queue):
    queue.NEWSROOM_WEBHOOK_RETRY_SECONDS = []
    with silent_server() as port:
        endpoint_for(f"http://127.0.0.1:{port}/hook", events=["article.published"])
        make_article()
        started = time.monotonic()
        deliver_everything()
        took = time.monotonic() - started
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and "Time-out" in attempt.error
    assert 400 <= attempt.duration_ms < 2000 and took < 5


def test_a_redirect_is_not_followed(receiver, queue):
    queue.NEWSROOM_WEBHOOK_RETRY_SECONDS = []
    with running_receiver() as elsewhere:
        receiver.answer = (302, {"Location": elsewhere.url})
        endpoint_for(receiver.url, events=["article.published"])
        make_article()
        deliver_everything()
        assert elsewhere.requests == []
    attempt = Attempt.objects.get()
    assert attempt.status_code == 302 and "redirect" in attempt.error
    assert Delivery.objects.get().status == Delivery.Status.FAILED


# No SSRF from the admin.

PRIVATE = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "https://100.64.0.1/hook",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_an_endpoint_on_a_private_address_is_refused(url):
    with pytest.raises(ValidationError) as refused:
        Endpoint(name="Inside", url=url, events=["article.published"]).full_clean()
    assert "url" in refused.value.message_dict


@pytest.mark.parametrize(
    "url", ["ftp://93.184.215.14/", "http://user:pw@93.184.215.14/", "http:///x"]
)
def test_other_schemes_credentials_and_hostless_urls_are_refused(url):
    with pytest.raises(ValidationError):
        Endpoint(name="Odd", url=url, events=["article.published"]).full_clean()


def test_a_public_address_is_accepted():
    Endpoint(
        name="Out", url="https://93.184.215.14/hook", events=["article.published"]
    ).full_clean()


def test_a_private_address_is_refused_at_delivery_too(receiver, queue):
    """Registered while allowed (or a DNS name that now resolves inside): nothing is sent."""
    endpoint_for(receiver.url, events=["article.published"])
    queue.NEWSROOM_WEBHOOKS_ALLOW_PRIVATE = False
    queue.NEWSROOM_WEBHOOK_RETRY_SECONDS = []
    make_article()
    deliver_everything()
    assert receiver.requests == []
    assert "private" in Attempt.objects.get().error


def test_the_admin_form_refuses_a_private_url_and_keeps_what_was_typed(admin_client):
    response = admin_client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "name": "Intranet",
            "url": "http://127.0.0.1:9/",
            "events": ["article.published"],
            "active": "on",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert not Endpoint.objects.exists()
    assert "private, loopback" in response.content.decode()
    assert 'value="Intranet"' in response.content.decode()


# The admin.


def test_the_secret_is_readable_by_superusers_only(admin_client, client):
    endpoint = Endpoint.objects.create(name="Wire", url="https://93.184.215.14/", events=[])
    page = admin_client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()
    staff = make_staff("viewer", group="Editor")
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_endpoint"))
    client.force_login(staff)
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert "Readable by superusers only" in page.content.decode()


def test_the_admin_lists_run_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    endpoint = Endpoint.objects.create(name="Wire", url="https://93.184.215.14/", events=[])

    def many(count):
        for _ in range(count):
            event = Event.objects.create(
                type="article.updated", occurred_at=timezone.now(), body="{}"
            )
            Delivery.objects.create(endpoint=endpoint, event=event)
            Endpoint.objects.create(name="More", url="https://93.184.215.14/", events=[])

    counts = []
    for size in (1, 20):
        many(size)
        for name in ("admin:webhooks_delivery_changelist", "admin:webhooks_endpoint_changelist"):
            with django_assert_max_num_queries(20) as captured:
                assert admin_client.get(reverse(name)).status_code == 200
            counts.append(len(captured))
    assert counts[:2] == counts[2:]


def test_a_held_comment_is_created_when_approved_and_a_deleted_article_is_withdrawn(receiver):
    moderator = make_staff("moderator", group="Moderator")
    article = make_article()
    endpoint_for(receiver.url)
    held = Comment.objects.create(
        article=article, user=make_reader("dan"), body="Hm.", status=Comment.Status.HELD
    )
    deliver_everything()
    assert receiver.requests == []  # readers cannot see it: nothing to announce
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.VISIBLE, by=moderator)
    set_status(Comment.objects.filter(pk=held.pk), Comment.Status.VISIBLE, by=moderator)
    deliver_everything()
    Article.objects.get(pk=article.pk).delete()
    deliver_everything()
    types = [body["type"] for body in receiver.bodies()]
    # Approved twice, announced once; the article's deletion takes its comment along.
    assert types == ["comment.created", "comment.removed", "article.withdrawn"]
    assert receiver.bodies()[1]["data"]["comment"] == {"id": held.pk, "status": "deleted"}
    assert receiver.bodies()[2]["data"]["article"] == {"id": article.pk, "status": "deleted"}


def test_the_deploy_check_warns_when_private_addresses_are_allowed(settings):
    from django.core import checks

    settings.NEWSROOM_WEBHOOKS_ALLOW_PRIVATE = False
    assert "webhooks.W001" not in [m.id for m in checks.run_checks(include_deployment_checks=True)]
    settings.NEWSROOM_WEBHOOKS_ALLOW_PRIVATE = True
    assert "webhooks.W001" in [m.id for m in checks.run_checks(include_deployment_checks=True)]


def test_a_change_that_rolls_back_announces_nothing(receiver):
    from django.db import transaction

    editor = make_staff("editor", group="Editor")
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    endpoint_for(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.publish(article, by=editor)
        raise RuntimeError("the save failed after all")
    deliver_everything()
    assert receiver.requests == [] and not Event.objects.exists()
    Correction.objects.create(article=Article.objects.get(pk=article.pk), text="Draft note.")
    deliver_everything()
    assert receiver.requests == []  # still a draft: nothing public changed


def test_a_worker_killed_during_an_attempt_leaves_it_logged_lost_and_the_delivery_retried(
    receiver, queue
):
    """A real `manage.py db_worker`, killed with SIGKILL while the receiver holds its request.
    PostgreSQL only: a subprocess cannot see SQLite's in-memory test database."""
    if connection.vendor != "postgresql":
        pytest.skip("a subprocess cannot see SQLite's in-memory test database")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    queue.NEWSROOM_WEBHOOK_LEASE_SECONDS = 1
    receiver.hold = held = threading.Event()
    endpoint_for(receiver.url, events=["article.published"])
    make_article()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": "webhook-kill-drill",
        "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE": "1",
        "NEWSROOM_WEBHOOK_LEASE_SECONDS": "1",
        "NEWSROOM_WEBHOOK_READ_TIMEOUT": "30",
    }
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.requests, "the worker never sent the attempt"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        held.set()  # the receiver answers a worker that is gone
    time.sleep(1.1)  # the lease runs out
    deliver_everything(timeout=60)
    (first, _, _), (second, _, _) = receiver.requests
    assert second["webhook-id"] == first["webhook-id"]
    log = list(Attempt.objects.values_list("number", "status_code", "error"))
    assert log[0][:2] == (1, None) and "worker stopped" in log[0][2]
    assert log[1] == (2, 200, "")
    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
