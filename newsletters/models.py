"""Newsletters, their subscribers and issues. A subscriber is a confirmed e-mail address: a
sign-up stores nothing until the address's owner confirms from their mailbox (the newsletters
chosen travel in the signed confirmation link), so nothing is ever sent to an unconfirmed
address and the table holds no addresses that strangers typed."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from articles.models import Article, Section
from newsroom.models import BulkSend

# The cache key of everything that shows the list of newsletters (the sign-up page).
NEWSLETTERS_KEY = "newsletters"


class NewsletterQuerySet(models.QuerySet):
    def offered(self):
        return self.filter(active=True).order_by("position", "name")


class Newsletter(models.Model):
    class Kind(models.TextChoices):
        DIGEST = "digest", _("Daily digest")
        ALERT = "alert", _("Breaking-news alert")
        SECTION = "section", _("Section letter")

    name = models.CharField(pgettext_lazy("title", "name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("Used in the mail's List-Id.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown to readers on the sign-up form.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.DIGEST)
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For a section letter: its digest carries this section's stories only."),
    )
    active = models.BooleanField(
        pgettext_lazy("in force", "active"),
        default=True,
        help_text=_("Offered to readers. An inactive newsletter keeps its subscribers."),
    )
    default = models.BooleanField(
        _("ticked by default"),
        default=False,
        help_text=_(
            "Ticked on the sign-up form, and what the short form (e-mail only, on article "
            "pages and in the footer) subscribes to."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="section") | models.Q(section__isnull=False),
                name="section_letter_has_a_section",
                violation_error_message=_("A section letter needs its section."),
            )
        ]

    def __str__(self):
        return self.name

    def list_id(self):
        """RFC 2919: a name unique to this list under the site's domain."""
        host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        return f"{self.name} <{self.slug}.newsletters.{host}>"


def new_secret():
    return secrets.token_urlsafe(24)


class SubscriberQuerySet(models.QuerySet):
    def of_user(self, user):
        """A reader's subscriber rows: by account, and by any of their e-mail addresses."""
        from allauth.account.models import EmailAddress

        emails = {user.email.lower()} if user.email else set()
        addresses = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
        emails |= {address.lower() for address in addresses}
        return self.filter(models.Q(user=user) | models.Q(email__in=emails))


class Subscriber(models.Model):
    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(
        _("confirmed"), help_text=_("When the address's owner confirmed (the consent on record).")
    )
    confirmed_by = models.CharField(
        _("confirmed by"),
        max_length=20,
        choices=[("mail", _("confirmation link")), ("account", _("verified account"))],
        default="mail",
    )
    # The link secret: the links in mails carry an HMAC of it (with SECRET_KEY), so a copy of
    # the database alone cannot unsubscribe anyone.
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    def token(self):
        return f"{self.pk}.{link_digest(self.pk, self.secret, settings.SECRET_KEY)}"

    @classmethod
    def from_token(cls, token):
        """The subscriber whose links carry `token`, or None (tampered, or left)."""
        pk, _dot, digest = (token or "").partition(".")
        # One spelling per token: no leading zeros, no other digits than ASCII ones.
        if not (pk.isascii() and pk.isdigit()) or len(pk) > 18 or pk != str(int(pk)):
            return None
        if not digest:
            return None
        subscriber = cls.objects.filter(pk=int(pk)).first()
        if subscriber is None:
            return None
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        for key in keys:
            if hmac.compare_digest(link_digest(subscriber.pk, subscriber.secret, key), digest):
                return subscriber
        return None

    def links(self, newsletter=None):
        """The per-recipient substitutions of a mail: absolute, from the site's base URL."""
        return link_maker(newsletter)(self.pk, self.secret)


def link_maker(newsletter=None):
    """(subscriber's pk, secret) -> their links, the URLs reversed once for a whole send."""
    placeholder = "TOKEN"
    unsubscribe = settings.SITE_URL + reverse("newsletters:unsubscribe", args=[placeholder])
    if newsletter is not None:
        unsubscribe += f"?list={newsletter.slug}"
    preferences = settings.SITE_URL + reverse("newsletters:preferences", args=[placeholder])
    before_u, after_u = unsubscribe.split(placeholder, 1)
    before_p, after_p = preferences.split(placeholder, 1)
    key = _hashed_key(settings.SECRET_KEY)

    def links(pk, secret):
        token = f"{pk}.{_digest(pk, secret, key)}"
        return {
            "unsubscribe_url": before_u + token + after_u,
            "preferences_url": before_p + token + after_p,
        }

    return links


def _hashed_key(key):
    return hashlib.sha256(key.encode()).digest()


def _digest(pk, secret, hashed_key):
    message = f"newsletters.links:{pk}:{secret}".encode()
    return hmac.new(hashed_key, message, hashlib.sha256).hexdigest()[:40]


def link_digest(pk, secret, key):
    return _digest(pk, secret, _hashed_key(key))


class Subscription(models.Model):
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(_("subscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "newsletter"], name="one_subscription")
        ]

    def __str__(self):
        return f"{self.subscriber} → {self.newsletter}"


def subscribe(email, newsletters, *, user=None, via="mail"):
    """The owner of `email` has confirmed: they receive `newsletters` (added to any they had)."""
    email, now = email.strip().lower(), timezone.now()
    subscriber, created = Subscriber.objects.get_or_create(
        email=email, defaults={"user": user, "confirmed_at": now, "confirmed_by": via}
    )
    if not created:  # a fresh consent: also what lets an address that bounced be mailed again
        subscriber.confirmed_at, subscriber.confirmed_by = now, via
        if user is not None and subscriber.user_id is None:
            subscriber.user = user
        subscriber.save(update_fields=["confirmed_at", "confirmed_by", "user"])
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, newsletter=n) for n in newsletters],
        ignore_conflicts=True,
    )
    return subscriber


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.PROTECT, related_name="issues"
    )
    subject = models.CharField(
        _("subject"),
        max_length=200,
        blank=True,
        help_text=_(
            "The mail's subject. Left empty: the newsletter's name and the date, or, for "
            "an alert, the article's headline."
        ),
    )
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Plain text above the stories. Optional.")
    )
    articles = models.ManyToManyField(
        Article, through="IssueArticle", related_name="+", verbose_name=_("articles")
    )
    digest_date = models.DateField(
        _("digest of"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The day whose stories a prepared digest carries."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, editable=False
    )
    bulk_send = models.ForeignKey(
        BulkSend,
        verbose_name=_("delivery"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-created_at"]
        permissions = [("send_issue", _("Can send an issue to its subscribers"))]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "digest_date"], name="one_digest_a_day")
        ]

    def __str__(self):
        return self.subject or str(self.newsletter)

    def progress(self):
        """The delivery's {queued, sent, failed, bounced, total}, or None before sending."""
        return self.bulk_send.progress() if self.bulk_send_id else None

    def refresh_status(self):
        """Sending → sent once the delivery has finished."""
        finished = self.bulk_send_id and self.bulk_send.status == BulkSend.Status.DONE
        if self.status == self.Status.SENDING and finished:
            Issue.objects.filter(pk=self.pk, status=self.Status.SENDING).update(
                status=self.Status.SENT
            )
            self.status = self.Status.SENT
        return self.status

    def stories(self):
        """The issue's articles in order, only those still public."""
        order = {row.article_id: (row.position, row.pk) for row in self.issue_articles.all()}
        found = Article.objects.published().for_listing().filter(pk__in=order)
        return sorted(found, key=lambda a: order[a.pk])


class IssueArticle(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="issue_articles")
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("article in the issue")
        verbose_name_plural = _("articles in the issue")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "article"], name="article_once_per_issue")
        ]

    def __str__(self):
        return str(self.article)
