"""API keys: a partner's key raises its rate limit. Only a hash of the key is stored; the key
itself is shown once, when an admin creates it (api/admin.py)."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# "nr_" + 8 characters kept in the clear to find the row, "_" + the secret.
KEY_PREFIX = "nr_"
LOOKUP_LENGTH = 8


def hash_key(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at=None)


class ApiKey(models.Model):
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("Who uses the key and for what, e.g. “Mobile app (iOS)”."),
    )
    lookup = models.CharField(
        _("key prefix"), max_length=LOOKUP_LENGTH, unique=True, editable=False
    )
    hashed_key = models.CharField(max_length=64, editable=False)
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Left empty, the site's limit for keys (NEWSROOM_API_KEY_RATE) applies."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self):
        return f"{KEY_PREFIX}{self.lookup}"

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def limit(self):
        return self.rate_per_minute or settings.NEWSROOM_API_KEY_RATE

    def issue(self):
        """Give this (unsaved) key a new secret; returns the raw key, which is never stored."""
        self.lookup = secrets.token_hex(LOOKUP_LENGTH // 2)
        secret = secrets.token_urlsafe(32)
        raw = f"{KEY_PREFIX}{self.lookup}_{secret}"
        self.hashed_key = hash_key(raw)
        return raw

    def matches(self, raw):
        return hmac.compare_digest(self.hashed_key, hash_key(raw))

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


def find_key(raw):
    """The active key `raw` is, or None. One indexed query."""
    if not raw.startswith(KEY_PREFIX):
        return None
    lookup = raw[len(KEY_PREFIX) : len(KEY_PREFIX) + LOOKUP_LENGTH]
    key = ApiKey.objects.active().filter(lookup=lookup).first()
    return key if key is not None and key.matches(raw) else None
