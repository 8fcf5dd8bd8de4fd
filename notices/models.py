from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords

from articles.models import EDITOR_EXTENSIONS, Article, Section
from newsroom import invalidation
from newsroom.richtext import sanitize_html, validate_html_limits


class ShowsOnPages(models.Model):
    """Notices and labels show on every page: a save or delete announces `notices_changed()`."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        invalidation.notices_changed(self)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        invalidation.notices_changed(self)
        return result


class Notice(ShowsOnPages):
    class Placement(models.TextChoices):
        ARTICLE_END = "article_end", _("After the article text")
        BEFORE_COMMENTS = "before_comments", _("Before the comments")
        FOOTER = "footer", _("Site footer")

    class Scope(models.TextChoices):
        EVERYWHERE = "everywhere", _("Everywhere")
        SECTIONS = "sections", _("Articles in the chosen sections")
        ARTICLES = "articles", _("The chosen articles")

    class ListFormat(models.TextChoices):
        NONE = "", _("Do not list the labels")
        DESIGNATIONS = "designations", _("Names with their label, separated by commas")
        NAMES = "names", _("Names only, separated by semicolons")

    name = models.CharField(
        pgettext_lazy("title", "name"),
        max_length=200,
        help_text=_("For editors only; readers never see it."),
    )
    body = ProseEditorField(
        _("body"),
        config={"extensions": EDITOR_EXTENSIONS},
        sanitize=sanitize_html,  # and again in save(), whatever path the text came in by
        validators=[validate_html_limits],
        blank=True,
        help_text=_("What readers see. A notice that lists its labels shows them after this."),
    )
    placement = models.CharField(
        _("placement"), max_length=20, choices=Placement.choices, default=Placement.ARTICLE_END
    )
    scope = models.CharField(
        _("scope"),
        max_length=20,
        choices=Scope.choices,
        default=Scope.EVERYWHERE,
        help_text=_(
            "“Everywhere” puts a site-footer notice on every page and the other placements on "
            "every article."
        ),
    )
    sections = models.ManyToManyField(
        Section,
        blank=True,
        related_name="+",
        verbose_name=_("sections"),
        help_text=_("Used when the scope is “Articles in the chosen sections”."),
    )
    articles = models.ManyToManyField(
        Article,
        blank=True,
        related_name="+",
        verbose_name=_("articles"),
        help_text=_("Used when the scope is “The chosen articles”."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order within the placement, smallest first.")
    )
    list_format = models.CharField(
        _("label list"),
        max_length=20,
        choices=ListFormat.choices,
        default=ListFormat.NONE,
        blank=True,
        help_text=_("How the labels belonging to this notice are listed after its body."),
    )
    active = models.BooleanField(pgettext_lazy("in force", "active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[sections, articles])

    class Meta:
        ordering = ["placement", "position", "pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)


def in_force(day):
    """Active, and the register applies on that day: for labels and their history."""
    return (
        (models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day))
        & (models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day))
        & models.Q(active=True)
    )


class LabelQuerySet(models.QuerySet):
    def in_force(self, day=None):
        """Active, and the register applies on that day (today by default)."""
        return self.filter(in_force(day or timezone.localdate()))


class Label(ShowsOnPages):
    name = models.CharField(
        _("name"),
        max_length=300,
        unique=True,
        help_text=_(
            "Exactly as articles write it; matching is case-sensitive, whole words. On a "
            "Russian-language site write it in the nominative: its other case and number forms "
            "(“Медузы”, “Медузой”; “Голоса Америки”) are found too."
        ),
    )
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            "Other ways articles write the name, one per line: an abbreviation, a former name, "
            "and on an English-language site inflected forms (e.g. “Фейсбуке” for “Фейсбук”). "
            "Each is labelled like the name; on a Russian-language site each alias's case "
            "forms are found too, so they need no alias."
        ),
    )
    label_text = models.CharField(
        _("label"),
        max_length=500,
        help_text=_("Appended in parentheses after the first mention, e.g. “banned in Russia”."),
    )
    listed_as = models.CharField(
        _("listed as"),
        max_length=500,
        blank=True,
        help_text=_(
            'How the notice\'s list writes the name, e.g. "Jabhat Fatah al-Sham" formerly '
            '"Jabhat al-Nusra". Left empty, the name is used.'
        ),
    )
    notice = models.ForeignKey(
        Notice,
        on_delete=models.PROTECT,
        related_name="labels",
        verbose_name=_("notice"),
        help_text=_("The notice whose list carries this name."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order in the notice's list, smallest first.")
    )
    active = models.BooleanField(pgettext_lazy("in force", "active"), default=True)
    valid_from = models.DateField(
        _("applies from"), null=True, blank=True, help_text=_("Empty: since always.")
    )
    valid_until = models.DateField(
        _("applies until"),
        null=True,
        blank=True,
        help_text=_("The last day the register lists it. Empty: until further notice."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = LabelQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["notice", "position", "name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self):
        return f"{self.name} ({self.label_text})"

    def clean(self):
        """A name or alias belongs to one label only, or a mention would be ambiguous."""
        taken = {}
        for other in Label.objects.exclude(pk=self.pk).only("pk", "name", "aliases"):
            for term in other.terms:
                taken.setdefault(term, other)
        clashes = [f"“{term}” ({taken[term].name})" for term in self.terms if term in taken]
        if clashes:
            raise ValidationError(
                _("Already used by other labels: %(clashes)s.") % {"clashes": ", ".join(clashes)}
            )

    @property
    def terms(self):
        """The name and every alias: what the text matcher looks for."""
        aliases = (line.strip() for line in self.aliases.splitlines())
        return [self.name.strip(), *(alias for alias in aliases if alias)]

    @property
    def listing(self):
        return self.listed_as or self.name


def validate_channel_link(value):
    """An address readers can follow safely: a web address (https, or http), a path on this
    site (/feeds/rss/), or `mailto:` with an e-mail address. Nothing that runs code
    (`javascript:`, `data:`) and no address a browser would read as another site's (`//host`)."""
    value = value.strip()
    if value.startswith("/") and not value.startswith(("//", "/\\")):
        if any(char.isspace() or ord(char) < 32 for char in value):
            raise ValidationError(_("A site path cannot contain spaces."), code="invalid")
        return
    scheme = urlsplit(value).scheme.lower()
    if scheme == "mailto":
        address = value[len("mailto:") :].split("?", 1)[0]
        EmailValidator(message=_("After “mailto:” write one e-mail address."))(address)
        return
    if scheme in {"http", "https"}:
        URLValidator(schemes=["http", "https"], message=_("This is not a complete web address."))(
            value
        )
        return
    raise ValidationError(
        _(
            "Use a web address starting with https:// (or http://), a path on this site "
            "starting with / (such as /feeds/rss/), or mailto: followed by an e-mail address."
        ),
        code="scheme",
    )


# Links whose host names a service get its icon (static/img/icons.svg).
SERVICE_HOSTS = {
    "telegram": {"t.me", "telegram.me", "telegram.org"},
    "whatsapp": {"wa.me", "whatsapp.com", "chat.whatsapp.com"},
    "viber": {"viber.com", "invite.viber.com", "vb.me"},
    "vk": {"vk.com", "vk.ru", "m.vk.com"},
    "max": {"max.ru"},
    "x": {"x.com", "twitter.com"},
    "facebook": {"facebook.com", "fb.com", "m.facebook.com"},
    "youtube": {"youtube.com", "youtu.be"},
}


class Channel(ShowsOnPages):
    """Where readers can follow the news: listed, in order, after the body of its notice
    ("Our news channels")."""

    class Kind(models.TextChoices):
        NEWSLETTER = "newsletter", _("Newsletter sign-up")
        MESSENGER = "messenger", _("Messenger channel")
        SOCIAL = "social", _("Social network account")
        FEED = "feed", _("RSS or Atom feed")
        OTHER = "other", _("Other")

    notice = models.ForeignKey(
        Notice,
        on_delete=models.CASCADE,
        related_name="channels",
        verbose_name=_("notice"),
        help_text=_("The notice after whose text this channel is listed."),
    )
    name = models.CharField(
        pgettext_lazy("title", "name"),
        max_length=100,
        help_text=_("What readers see, e.g. “Telegram” or “RSS”."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.OTHER,
        help_text=_(
            "Chooses the icon (a link to Telegram, WhatsApp, Viber, VK, Max, X, Facebook or "
            "YouTube gets that service's). A messenger channel is one on Telegram, WhatsApp, "
            "Viber, VK, Max…; a newsletter sign-up shows an e-mail field and a Subscribe "
            "button that send the address to its link."
        ),
    )
    link = models.CharField(
        _("link"),
        max_length=500,
        validators=[validate_channel_link],
        help_text=_(
            "https://… for a channel elsewhere (t.me/…, vk.com/…), a path on this site such as "
            "/feeds/rss/, or mailto:address for an e-mail address. A newsletter sign-up needs "
            "a path on this site, such as /newsletters/."
        ),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("Optional, one short line under the name, e.g. “Breaking news first”."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order in the list, smallest first.")
    )
    active = models.BooleanField(
        pgettext_lazy("in force", "active"),
        default=True,
        help_text=_("Untick to hide the channel without losing it."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["notice", "position", "pk"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self):
        self.link = (self.link or "").strip()
        if self.kind == self.Kind.NEWSLETTER and self.link and not self.link.startswith("/"):
            # The sign-up form posts to the link; the site's security policy (form-action
            # 'self') lets forms post to this site only.
            raise ValidationError(
                {
                    "link": _(
                        "A newsletter sign-up posts to this site: give a path such as "
                        "/newsletters/. For a sign-up page elsewhere choose the kind "
                        "“Other”."
                    )
                }
            )

    @property
    def is_external(self):
        return urlsplit(self.link).scheme.lower() in {"http", "https"}

    @property
    def icon(self):
        """The symbol in static/img/icons.svg: the service's own where the link names a
        known one, otherwise the kind's."""
        host = (urlsplit(self.link).hostname or "").removeprefix("www.")
        for service, hosts in SERVICE_HOSTS.items():
            if host in hosts:
                return service
        return self.kind


@receiver(m2m_changed, sender=Notice.sections.through)
@receiver(m2m_changed, sender=Notice.articles.through)
def notice_scope_changed(sender, instance, action, **kwargs):
    """A notice's sections or articles, however they are written (the admin writes them after
    the notice)."""
    if action.startswith("post_"):
        invalidation.notices_changed(instance if isinstance(instance, Notice) else None)
