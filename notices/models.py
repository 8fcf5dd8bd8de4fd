from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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
        invalidation.notices_changed()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        invalidation.notices_changed()
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
        _("name"), max_length=200, help_text=_("For editors only; readers never see it.")
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
    active = models.BooleanField(_("active"), default=True)
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
        help_text=_("Exactly as articles write it; matching is case-sensitive, whole words."),
    )
    aliases = models.TextField(
        _("aliases"),
        blank=True,
        help_text=_(
            "Other ways articles write the name, one per line, including inflected forms "
            "(e.g. “Фейсбуке” for “Фейсбук”). Each is labelled like the name."
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
    active = models.BooleanField(_("active"), default=True)
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


@receiver(m2m_changed, sender=Notice.sections.through)
@receiver(m2m_changed, sender=Notice.articles.through)
def notice_scope_changed(sender, action, **kwargs):
    """A notice's sections or articles, however they are written (the admin writes them after
    the notice)."""
    if action.startswith("post_"):
        invalidation.notices_changed()
