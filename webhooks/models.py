"""Outgoing webhooks: the endpoints an admin registers, the events sent to them, one delivery
per event and endpoint, and one attempt row per HTTP request (what the admin's log shows)."""

import base64
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    ARTICLE_PUBLISHED = "article.published", _("An article became public")
    ARTICLE_UPDATED = "article.updated", _("A public article was changed")
    ARTICLE_CORRECTED = "article.corrected", _("A correction of a public article")
    ARTICLE_WITHDRAWN = "article.withdrawn", _("A public article was taken down")
    COMMENT_CREATED = "comment.created", _("A comment became visible")
    COMMENT_REMOVED = "comment.removed", _("A visible comment was removed or hidden")
    NOTICE_CHANGED = "notice.changed", _("A legal notice or label changed")


def new_secret():
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def validate_events(value):
    unknown = set(value or ()) - set(EventType.values)
    if not isinstance(value, list) or unknown:
        raise ValidationError(_("Unknown events: %(events)s"), params={"events": sorted(unknown)})


class Endpoint(models.Model):
    name = models.CharField(_("name"), max_length=100, help_text=_("Who receives it, for you."))
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_(
            "Where each event is POSTed as JSON. http or https, on a public address: private, "
            "loopback and link-local addresses are refused. Redirects are not followed."
        ),
    )
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Inactive endpoints receive nothing. An endpoint is made inactive by itself after "
            "repeated failed deliveries; tick this again once the receiver works."
        ),
    )
    consecutive_failures = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled by failures"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failed"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.name

    def admin_url(self):
        """The endpoint's page in the admin (it has no public page)."""
        return reverse("admin:webhooks_endpoint_change", args=[self.pk])

    def clean(self):
        from .delivery import Refused, check_url

        if self.url:
            try:
                check_url(self.url)
            except Refused as refusal:
                raise ValidationError({"url": str(refusal)}) from refusal


class Event(models.Model):
    """One domain event as sent: the body is fixed when it happens, so that every attempt (and
    "send again") carries the same bytes and the same id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("occurred"))
    body = models.TextField(_("body"))

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("send_again_delivery", _("Can send webhook deliveries again"))]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_idx")]

    def __str__(self):
        return f"{self.event.type} → {self.endpoint}"


class Attempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveIntegerField(_("attempt"))
    sent_again = models.BooleanField(_("sent again by hand"), default=False)
    started_at = models.DateTimeField(_("sent"))
    timestamp = models.BigIntegerField(_("signed timestamp"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.TextField(_("response (start)"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_once"),
        ]

    def __str__(self):
        return f"#{self.number}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300


class Appearance(models.Model):
    """Whether a public thing (an article, a comment) was last announced as public: the row
    that makes `article.published` fire once per publication and `comment.created` once per
    comment, whoever notices the change first (the writer's commit or the scheduled task).
    Every change of `live` is a conditional UPDATE (or the INSERT of the unique row): one
    process wins it, and only the winner announces."""

    ARTICLE, COMMENT = "article", "comment"

    kind = models.CharField(max_length=10)
    object_id = models.BigIntegerField()
    live = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="appearance_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {'live' if self.live else 'not live'}"
