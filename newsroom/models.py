"""Bulk mail: one message to many recipients (a newsletter issue, an alert), sent by the task
queue, with each recipient's own status. newsroom knows nothing of who the recipients are; the
app that sends (newsletters) gives addresses and each one's substitutions (newsroom/bulkmail.py).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BulkSend(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    # A title, not a person's name: Django's own "name" (auth) outranks this catalogue.
    name = models.CharField(pgettext_lazy("title", "name"), max_length=200)
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_(
            "Higher goes first: a breaking-news alert (80) overtakes the batches of a digest "
            "(0) still waiting in the queue."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("plain text"))
    html = models.TextField(_("HTML"), blank=True)
    from_email = models.CharField(_("from"), max_length=300, blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    batches = models.PositiveIntegerField(_("batches"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk mail")
        verbose_name_plural = _("bulk mail")
        ordering = ["-created_at"]
        permissions = [("retry_bulksend", _("Can retry the failed recipients of a bulk mail"))]

    def __str__(self):
        return self.name

    def progress(self):
        """{status: count} over this send's recipients, every status present."""
        counts = dict.fromkeys(BulkRecipient.Status.values, 0)
        rows = self.recipients.values_list("status").annotate(n=models.Count("pk"))
        counts.update(dict(rows))
        counts["total"] = sum(counts.values())
        return counts

    def rate(self, progress, now=None):
        """Recipients dealt with (sent, failed or bounced) per second since the first batch
        started, until it finished; None before it starts."""
        if not self.started_at:
            return None
        end = self.finished_at or now or timezone.now()
        seconds = (end - self.started_at).total_seconds()
        done = progress["total"] - progress["queued"]
        return done / seconds if seconds > 0 else None


class BulkRecipient(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    send = models.ForeignKey(BulkSend, on_delete=models.CASCADE, related_name="recipients")
    address = models.EmailField(_("address"), max_length=254)
    substitutions = models.JSONField(_("substitutions"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.CharField(_("error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Sending (newsroom/bulkmail.py): the batch task that sends this row, the worker's claim
    # on it and until when it holds, and how many tries ended in a temporary error.
    batch = models.PositiveIntegerField(_("batch"), default=0)
    claimed_by = models.CharField(_("claimed by"), max_length=32, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("temporary failures"), default=0)

    class Meta:
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        indexes = [
            models.Index(fields=["send", "status"]),
            models.Index(fields=["send", "batch", "status"]),
        ]

    def __str__(self):
        return self.address
