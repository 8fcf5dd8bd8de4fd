"""Sending one delivery: the Standard Webhooks signature, the address check that keeps the
admin's URL field from reaching the internal network, the HTTP request, and the retries.

Signature (https://www.standardwebhooks.com/): headers `webhook-id` (the event's id: the same
on every retry and on "send again", so a receiver can drop a repeat), `webhook-timestamp`
(seconds since the epoch, at this attempt: a receiver refuses one too far from its clock) and
`webhook-signature: v1,<base64 of HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>`, the key being
the endpoint's secret without "whsec_", base64-decoded.

The host is resolved once per attempt; every address it has must be public unless
NEWSROOM_WEBHOOKS_ALLOW_PRIVATE, and the request then connects to the address that was checked
(TLS still verifies the certificate against the host name), so a DNS answer that changes between
the check and the connection (DNS rebinding) cannot send it elsewhere. Redirects are answers,
not followed: a 3xx is a failed attempt.
"""

import base64
import hashlib
import hmac
import ipaddress
import logging
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from newsroom.tasks import NOTIFICATION

from .models import Attempt, Delivery, Endpoint

log = logging.getLogger("newsroom.webhooks")

EXCERPT_CHARS = 1000  # of the receiver's answer, kept per attempt
READ_LIMIT = 64 * 1024  # read at most this much of an answer
USER_AGENT = "newsroom-webhooks/1"
ANSWER_SECONDS = 10  # the answer is read for this long at most, however slowly it trickles in


class Refused(Exception):
    """The URL may not be called (its scheme, or an address that is not public)."""


def signature(secret, event_id, timestamp, body):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{event_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _not_public(address):
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(host, port):
    """The addresses to connect to for `host`, all of them checked."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(_("The host name %(host)s cannot be resolved.") % {"host": host}) from error
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not settings.NEWSROOM_WEBHOOKS_ALLOW_PRIVATE:
        private = [address for address in addresses if _not_public(address)]
        if private:
            raise Refused(
                _(
                    "%(host)s is a private, loopback, link-local or reserved address "
                    "(%(addresses)s); webhooks only go to public addresses."
                )
                % {"host": host, "addresses": ", ".join(private)}
            )
    return addresses


def check_url(url):
    """(scheme, host, port, path, addresses) of a URL that may be called; Refused if not."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Refused(_("This is not a valid URL.")) from error
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Refused(_("Only http and https URLs with a host name can receive webhooks."))
    if parts.username or parts.password:
        raise Refused(_("Put no user name or password in the URL; the signature authenticates."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path, resolve(parts.hostname, port)


def post(url, body, headers):
    """POST `body` to `url`: (status code or None, answer excerpt, error)."""
    try:
        scheme, host, port, path, addresses = check_url(url)
    except Refused as refusal:
        return None, "", str(refusal)
    timeout = urllib3.Timeout(
        connect=settings.NEWSROOM_WEBHOOK_CONNECT_TIMEOUT,
        read=settings.NEWSROOM_WEBHOOK_READ_TIMEOUT,
    )
    default_port = 443 if scheme == "https" else 80
    headers = {**headers, "Host": host if port == default_port else f"{host}:{port}"}
    if ":" in host:  # an IPv6 literal
        headers["Host"] = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    options = {"timeout": timeout, "retries": False, "maxsize": 1}
    if scheme == "https":
        pool_class = urllib3.HTTPSConnectionPool
        # Connect to the checked address, verify the certificate for the host name.
        options |= {
            "server_hostname": host,
            "assert_hostname": host,
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": certifi.where(),
        }
    else:
        pool_class = urllib3.HTTPConnectionPool
    with pool_class(addresses[0], port, **options) as pool:
        try:
            response = pool.urlopen(
                "POST",
                path,
                body=body.encode(),
                headers=headers,
                redirect=False,
                preload_content=False,
            )
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return None, "", _describe(error)
        answer, deadline = b"", time.monotonic() + ANSWER_SECONDS
        try:
            while len(answer) < READ_LIMIT and time.monotonic() < deadline:
                chunk = response.read1(4096)
                if not chunk:
                    break
                answer += chunk
        except (urllib3.exceptions.HTTPError, OSError) as error:
            return response.status, "", _describe(error)
        finally:
            response.release_conn()
    excerpt = answer.decode(errors="replace")[:EXCERPT_CHARS]
    return response.status, excerpt, ""


def _describe(error):
    # NewConnectionError is a ConnectTimeoutError to urllib3: asked first.
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        return _("Connection refused or unreachable.")
    if isinstance(error, urllib3.exceptions.ConnectTimeoutError):
        return _("Time-out: no connection.")
    if isinstance(error, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return _("Time-out: no answer.")
    return f"{type(error).__name__}: {error}"[:500]


def _enqueue(delivery_id, run_after=None, *, sent_again=False):
    the_task = deliver.using(priority=NOTIFICATION)
    if run_after is not None:
        if not deliver.get_backend().supports_defer:  # ImmediateBackend: nothing to wait in
            log.error("webhook delivery %s not retried: the task backend cannot wait", delivery_id)
            return
        the_task = the_task.using(run_after=run_after)
    the_task.enqueue(delivery_id, sent_again=sent_again)


def enqueue_after_commit(delivery_ids, *, sent_again=False):
    transaction.on_commit(
        lambda: [_enqueue(pk, sent_again=sent_again) for pk in delivery_ids], robust=True
    )


@task
def deliver(delivery_id, sent_again=False):
    """One attempt of one delivery. A task for a delivery that is no longer pending, or that
    another task has taken the attempt of, does nothing.

    Not a @retrying_task (newsroom/tasks.py): a failed attempt is an answer to record, not an
    exception, and webhooks wait by their own schedule (NEWSROOM_WEBHOOK_RETRY_SECONDS, about a
    day) where mail doubles a short wait."""
    delivery = Delivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.active:
        Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED,
            last_error=_("The endpoint is inactive."),
            finished_at=timezone.now(),
            next_attempt_at=None,
        )
        return
    number = delivery.attempts + 1
    taken = Delivery.objects.filter(
        pk=delivery.pk, status=Delivery.Status.PENDING, attempts=delivery.attempts
    ).update(attempts=number, next_attempt_at=None)
    if not taken:
        return
    if deliver.get_backend().supports_defer:
        # Should this worker die during the attempt, the watcher records it lost and goes on.
        watch_attempt.using(priority=NOTIFICATION, run_after=timezone.now() + _lease()).enqueue(
            delivery.pk, number, sent_again=sent_again
        )
    started = timezone.now()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": str(event.id),
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(endpoint.secret, event.id, timestamp, event.body),
        "webhook-attempt": str(number),
    }
    clock = time.monotonic()
    status_code, excerpt, error = post(endpoint.url, event.body, headers)
    duration_ms = round((time.monotonic() - clock) * 1000)
    if status_code is not None and not error and not 200 <= status_code < 300:
        error = _("Answered %(status)d.") % {"status": status_code}
        if 300 <= status_code < 400:
            error = _("Answered %(status)d (a redirect, not followed).") % {"status": status_code}
    attempt = Attempt(
        delivery=delivery,
        number=number,
        sent_again=sent_again,
        started_at=started,
        timestamp=timestamp,
        duration_ms=duration_ms,
        status_code=status_code,
        error=error,
        response_excerpt=excerpt,
    )
    _record(attempt, endpoint)


@task
def watch_attempt(delivery_id, number, sent_again=False):
    """NEWSROOM_WEBHOOK_LEASE_SECONDS after an attempt began: if it left no record, its worker
    was killed during it. It is recorded as lost and the delivery goes on as after any failed
    attempt."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return
    if delivery.attempts != number or delivery.attempt_log.filter(number=number).exists():
        return
    log.warning("webhook delivery %s: attempt %d lost with its worker", delivery_id, number)
    began = timezone.now() - _lease()
    lost = Attempt(
        delivery=delivery,
        number=number,
        sent_again=sent_again,
        started_at=began,
        timestamp=int(began.timestamp()),
        duration_ms=0,
        error=_("The worker stopped during this attempt; the answer is unknown."),
    )
    _record(lost, delivery.endpoint)


def _lease():
    return timedelta(seconds=settings.NEWSROOM_WEBHOOK_LEASE_SECONDS)


def _record(attempt, endpoint):
    """Log the attempt and act on it: delivered, tried again later, or failed for good. Once
    per attempt: should the watcher and a late worker both come, the first record wins."""
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:
        return
    delivery, number, status_code, error = (
        attempt.delivery,
        attempt.number,
        attempt.status_code,
        attempt.error,
    )
    now = timezone.now()
    if attempt.succeeded and not error:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.DELIVERED,
            last_status_code=status_code,
            last_error="",
            finished_at=now,
        )
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0, last_success_at=now)
        return
    Endpoint.objects.filter(pk=endpoint.pk).update(last_failure_at=now)
    schedule = settings.NEWSROOM_WEBHOOK_RETRY_SECONDS
    # Retries count from the delivery's first attempt, or from the one sent again by hand.
    tries = number - _first_of_round(delivery.pk, number)
    if tries < len(schedule):
        run_after = now + timedelta(seconds=schedule[tries])
        Delivery.objects.filter(pk=delivery.pk).update(
            last_status_code=status_code, last_error=error, next_attempt_at=run_after
        )
        _enqueue(delivery.pk, run_after)
        return
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED,
        last_status_code=status_code,
        last_error=error,
        finished_at=now,
    )
    _count_failure(endpoint)


def _first_of_round(delivery_id, number):
    """The number of the attempt this round of retries started with."""
    sent_again = (
        Attempt.objects.filter(delivery_id=delivery_id, sent_again=True, number__lte=number)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return sent_again or 1


def _count_failure(endpoint):
    """A delivery failed for good: after NEWSROOM_WEBHOOK_DISABLE_AFTER in a row the endpoint
    is made inactive (once: the UPDATE that does it decides who mails the admins)."""
    Endpoint.objects.filter(pk=endpoint.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    disabled = Endpoint.objects.filter(
        pk=endpoint.pk,
        active=True,
        consecutive_failures__gte=settings.NEWSROOM_WEBHOOK_DISABLE_AFTER,
    ).update(active=False, disabled_at=timezone.now())
    if disabled:
        log.warning("webhook endpoint %s disabled after repeated failures", endpoint.pk)
        _tell_admins(endpoint)


def _tell_admins(endpoint):
    admins = set(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    admins.update(address for _name, address in settings.ADMINS)
    if not admins:
        return
    link = settings.SITE_URL + endpoint.admin_url()
    message = EmailMessage(
        subject=_("Webhook endpoint disabled: %(name)s") % {"name": endpoint.name},
        body=_(
            "The webhook endpoint “%(name)s” (%(url)s) failed %(count)d deliveries in a row, "
            "each tried for about a day, and receives nothing now. Its log of attempts says "
            "why; once the receiver works, make the endpoint active again and send the failed "
            "deliveries again:\n\n%(link)s"
        )
        % {
            "name": endpoint.name,
            "url": endpoint.url,
            "count": settings.NEWSROOM_WEBHOOK_DISABLE_AFTER,
            "link": link,
        },
        to=sorted(admins),
    )
    message.queue_priority = NOTIFICATION
    message.send()


def send_again(deliveries):
    """Queue these delivered or failed deliveries for a new round of attempts (the same event
    id, a new timestamp and signature). Returns how many: pending ones and those of inactive
    endpoints are left alone."""
    pks = list(
        deliveries.filter(endpoint__active=True)
        .exclude(status=Delivery.Status.PENDING)  # its next attempt is on its way
        .values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=pks).update(
        status=Delivery.Status.PENDING, next_attempt_at=None, finished_at=None
    )
    enqueue_after_commit(pks, sent_again=True)
    return len(pks)
