from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    def record(self, action, target, *, by=None, reason="", target_repr=None, **details):
        if isinstance(by, str):
            actor, actor_name = None, by
        else:
            actor, actor_name = by, (by.get_username() if by is not None else "")
        return self.create(
            action=action,
            actor=actor,
            actor_name=actor_name,
            content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
            object_id=target.pk,
            target_repr=Truncator(str(target) if target_repr is None else target_repr).chars(200),
            reason=reason,
            details=details,
        )

    def about(self, target):
        """The entries about one object, newest first."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
            object_id=target.pk,
        )

    def about_any(self, model, pks):
        """The entries about any of these objects of one model (a subquery of their pks)."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id__in=pks,
        )


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        SUBMIT = "submit", _("submitted for review")
        SEND_BACK = "send_back", _("sent back to draft")
        PUBLISH = "publish", _("published")
        SCHEDULE = "schedule", _("scheduled")
        WITHDRAW = "withdraw", _("withdrawn")
        RESTORE = "restore", _("restored a version")
        KEEP_CHANGES = "keep_changes", _("saved unpublished changes")
        PUBLISH_CHANGES = "publish_changes", _("published changes")
        DISCARD_CHANGES = "discard_changes", _("discarded unpublished changes")
        APPROVE = "approve", _("approved")
        HOLD = "hold", _("held for review")
        REMOVE = "remove", _("removed")
        BAN = "ban", _("banned from commenting")
        UNBAN = "unban", _("ban lifted")
        ADD = "add", _("added")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")

    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(
        _("who (name)"),
        max_length=150,
        blank=True,
        help_text=_("Kept when the account is deleted; names who acted when no one signed in."),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("kind of object")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField(_("object"), max_length=200)
    reason = models.TextField(_("why"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="audit_by_target"
            ),
            models.Index(fields=["-created_at"], name="audit_by_time"),
        ]

    def __str__(self):
        # One sentence in English; a language whose action names are nouns words it otherwise.
        return _("%(who)s %(action)s %(object)s") % {
            "who": self.actor_name or "?",
            "action": self.get_action_display(),
            "object": self.target_repr,
        }
