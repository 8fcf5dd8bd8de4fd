import hashlib
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from simple_history.models import HistoricalRecords
from simple_history.signals import (
    post_create_historical_record,
    pre_create_historical_record,
)
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from medialibrary import body as media_body
from newsroom import invalidation
from newsroom.richtext import excerpt, html_to_text, sanitize_body_html, validate_html_limits

from . import search, slugs
from .images import author_photo_path, validate_image

# What the rich-text editor offers; the server-side allow-list lives in richtext.py.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "ListItem": True,
    "OrderedList": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    # Rows, header cells and data cells; spans and header scopes are checked in richtext.py.
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "History": True,
}
# The article's text also holds images from the media library: the editor's "figure" button
# offers "Browse…", which opens the library's chooser (medialibrary/admin.py).
BODY_EDITOR_EXTENSIONS = EDITOR_EXTENSIONS | {
    "Figure": {"pickerUrl": reverse_lazy("admin:media_image_choose")},
    "Caption": True,
    "Image": True,
}


# How many of the most recent articles sharing a tag are ranked for "related articles".
RELATED_CANDIDATES = 200


class Section(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(
        _("slug"), max_length=100, unique=True, help_text=_("The section's web address.")
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("Shown at the top of the section page.")
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Order in the navigation bar, smallest first.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugs.unique_slug(Section, self.name, fallback="section")
        super().save(*args, **kwargs)
        invalidation.section_changed(self)

    def get_absolute_url(self):
        return reverse("articles:section", args=[self.slug])

    def delete(self, *args, **kwargs):
        invalidation.section_changed(self)
        return super().delete(*args, **kwargs)


class Author(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    bio = models.TextField(_("biography"), blank=True, help_text=_("Plain text."))
    photo = models.ImageField(
        _("photo"), upload_to=author_photo_path, blank=True, validators=[validate_image]
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
        verbose_name=_("user account"),
        help_text=_("The staff account of this author, if they write in the admin."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugs.unique_slug(Author, self.name, fallback="author")
        super().save(*args, **kwargs)
        invalidation.author_changed(self)

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.slug])

    def delete(self, *args, **kwargs):
        invalidation.author_changed(self)
        return super().delete(*args, **kwargs)


class VersionedRelations(models.Model):
    """What each version of an article records besides its own columns: its tags and authors
    as they were, by name (an author renamed or deleted later stays as the byline read then).

    Filled when the version is made, and refreshed when the tags or authors change after it
    (the admin writes them after the article row: see `relations_changed`)."""

    version_tags = models.JSONField(_("tags"), default=list, blank=True, editable=False)
    # [{"id": 3, "name": "Anna Example", "slug": "anna-example"}], in byline order.
    version_authors = models.JSONField(_("authors"), default=list, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def tag_names(self):
        return list(self.version_tags or ())

    @property
    def author_names(self):
        return [author["name"] for author in self.version_authors or ()]

    def was_public_at(self, moment):
        """Readers could open this version at `moment` (the rule of `published()`, then)."""
        return (
            self.status == Article.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= moment
        )

    def as_shown(self, moment):
        """The article as this version showed it, with its tags and authors then and the
        corrections that existed at `moment`, loaded so that the article template reads them
        as it reads a live article's (`with_details`)."""
        article = self.instance
        tags = self.tag_names
        current = {
            name: (pk, slug)
            for pk, name, slug in Tag.objects.filter(name__in=tags).values_list(
                "pk", "name", "slug"
            )
        }
        shown = {
            "authors": [
                Author(pk=a["id"], name=a["name"], slug=a["slug"]) for a in self.version_authors
            ],
            # A tag deleted since keeps its name, with no row (and no page) behind it.
            "tags": [
                Tag(
                    pk=current.get(name, (None,))[0],
                    name=name,
                    slug=current.get(name, (None, None))[1] or addressable_tag_slug(name, ""),
                )
                for name in tags
            ],
            "corrections": list(
                Correction.history.as_of(moment)
                .filter(article_id=article.pk)
                .order_by("created_at", "id")
            ),
        }
        article._prefetched_objects_cache = {}
        for name, rows in shown.items():
            queryset = getattr(article, name).get_queryset()
            queryset._result_cache, queryset._prefetch_done = rows, True
            article._prefetched_objects_cache[name] = queryset
        return article


def current_relations(article):
    """The tags and authors a version of `article` records (VersionedRelations)."""
    return {
        "version_tags": sorted(article.tags.names()),
        "version_authors": list(
            article.authors.order_by("name", "pk").values("id", "name", "slug")
        ),
    }


ARTICLE_HISTORY = HistoricalRecords(
    excluded_fields=["excerpt", "search_vector"], bases=[VersionedRelations]
)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of public: published, and due. A future date is a schedule."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self):
        return (
            self.select_related("section", "image")
            .prefetch_related("authors", "tags")
            .order_by("-published_at", "-pk")
        )

    def for_detail(self):
        return self.select_related("section", "image").prefetch_related(
            "authors", "tags", "corrections"
        )

    def related_to(self, article, limit=4):
        """Articles sharing most tags with `article`, then others from its section, newest first:
        one query. `article.tags.all()` is expected to be prefetched.

        So that the cost does not grow with the archive, only the most recent
        RELATED_CANDIDATES articles sharing a tag are ranked, with the newest `limit` of the
        section (an older one sharing no tag always ranks below those)."""
        tag_ids = [tag.pk for tag in article.tags.all() if tag.pk]  # not a tag deleted since
        article_type = ContentType.objects.get_for_model(Article)
        tagged = TaggedItem.objects.filter(content_type=article_type, tag_id__in=tag_ids)
        # A subquery per candidate, not a join: taggit's object_id is an integer and the join
        # casts it, which no index serves.
        shared_tags = Coalesce(
            Subquery(
                tagged.filter(object_id=OuterRef("pk"))
                .values("object_id")
                .annotate(shared=Count("tag_id", distinct=True))
                .values("shared")
            ),
            0,
        )
        same_section = Case(
            When(section_id=article.section_id, then=1), default=0, output_field=IntegerField()
        )
        newest_of_section = (
            self.filter(section_id=article.section_id)
            .exclude(pk=article.pk)
            .order_by("-published_at", "-pk")
            .values("pk")[:limit]
        )
        parts = [newest_of_section.query.sql_with_params()]
        if tag_ids:
            sharing_a_tag = (
                tagged.exclude(object_id=article.pk)
                .order_by("-object_id")
                .values("object_id")[:RELATED_CANDIDATES]
            )
            parts.append(sharing_a_tag.query.sql_with_params())
        # One list of candidates (a UNION, not an OR of two subqueries), so that the database
        # knows it is short and ranks only those. Each part is a derived table because SQLite
        # allows no LIMIT inside a compound SELECT.
        candidates = RawSQL(
            " UNION ".join(f"SELECT * FROM ({sql}) AS part{n}" for n, (sql, _) in enumerate(parts)),
            [param for _, params in parts for param in params],
        )
        return (
            self.filter(pk__in=candidates)
            .annotate(shared_tags=shared_tags, same_section=same_section)
            .select_related("section")
            .order_by("-shared_tags", "-same_section", "-published_at", "-pk")[:limit]
        )

    def most_read(self, *, since, limit):
        """The `limit` articles read most since `since` (hourly counts, ArticleViews), most
        first: one query."""
        return (
            self.filter(hourly_views__hour__gte=since)
            .annotate(recent_views=Sum("hourly_views__views"))
            .select_related("section")
            .order_by("-recent_views", "-published_at", "-pk")[:limit]
        )

    def update_search_documents(self):
        """Recompute the stored full-text document (PostgreSQL only; SQLite searches the text)."""
        if connections[self.db].vendor == "postgresql":
            self.update(search_vector=search.document(TaggedItem))


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The search document is read by the database only; never load it into Python.
        return super().get_queryset().defer("search_vector")


def site_language():
    """The site's language (LANGUAGE_CODE), as a new article's language."""
    return settings.LANGUAGE_CODE.split("-")[0].lower()


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The states readers have seen: such an article's address never goes back to 404.
    SEEN_BY_READERS = (Status.PUBLISHED, Status.WITHDRAWN)

    title = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_(
            "The article's web address, filled in from the headline. Keep it once published."
        ),
    )
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles", verbose_name=_("section")
    )
    authors = models.ManyToManyField(
        Author, blank=True, related_name="articles", verbose_name=_("authors")
    )
    lead = models.TextField(
        _("lead"),
        max_length=1000,
        help_text=_(
            "One or two sentences under the headline; also the summary in lists and feeds."
        ),
    )
    body = ProseEditorField(
        _("body"),
        config={"extensions": BODY_EDITOR_EXTENSIONS},
        sanitize=sanitize_body_html,  # and again in save(), whatever path the text came in by
        validators=[validate_html_limits],
        help_text=_(
            "The article text. Pasted formatting is cleaned when you save, and you are told "
            "what was removed. To embed a video or a post (YouTube, Vimeo, X, Telegram, "
            "Instagram, Facebook), paste its address on a line of its own: readers see it "
            "once they choose to load it. To show an image from the library, use the image "
            "button, then “Browse…”; images placed one right after another are shown "
            "together as a gallery."
        ),
    )
    excerpt = models.TextField(_("excerpt"), blank=True, editable=False)
    image = models.ForeignKey(
        "media.Image",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_articles",
        verbose_name=_("image"),
        help_text=_(
            "Shown under the lead and on the article's cards, cropped around its focal point. "
            "Choose one from the media library, or upload a new one with “+”."
        ),
    )
    # The library images the body shows (kept by save() from the body's figures): the image's
    # usage list, and what refuses to delete an image that is still shown.
    body_images = models.ManyToManyField(
        "media.Image",
        through="BodyImage",
        blank=True,
        editable=False,
        related_name="body_articles",
        verbose_name=_("images in the text"),
    )
    source_name = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("The publication this story is based on, e.g. “Focus”."),
    )
    source_url = models.URLField(_("source link"), blank=True)
    tags = TaggableManager(
        verbose_name=_("tags"),
        blank=True,
        help_text=_("Comma-separated topics, e.g. NATO, Ukraine."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "When readers may see it. A time in the future schedules the article: it appears "
            "by itself then. Left empty, publishing sets it to now."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    comments_open = models.BooleanField(
        _("comments open"), default=True, help_text=_("Untick to close the discussion.")
    )
    seo_description = models.CharField(
        _("search engine description"),
        max_length=300,
        blank=True,
        help_text=_("Shown by search engines and social networks. Left empty, the lead is used."),
    )
    # Title, tags, lead and body, weighted, for PostgreSQL full-text search (GIN-indexed by
    # migration 0003). Kept current by save() and by the tag signals below.
    search_vector = SearchVectorField(null=True, editable=False)

    review_note = models.TextField(
        _("note to the reporter"),
        blank=True,
        help_text=_(
            "What to change before this can be published. Required to send an article back; "
            "the reporter sees it at the top of the article."
        ),
    )

    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(
        _("reason for withdrawal"),
        max_length=500,
        blank=True,
        editable=False,
        help_text=_("Shown to readers at the article's address once it is withdrawn."),
    )
    language = models.CharField(
        _("language"),
        max_length=12,
        default=site_language,
        help_text=_(
            "The language the article is written in; its page, feeds and search engines say so."
        ),
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        help_text=_(
            "The article this one translates. Readers and search engines are offered each "
            "published version in its language."
        ),
    )

    objects = ArticleManager()
    # Every save is kept with who and why, with the tags and authors of the time.
    history = ARTICLE_HISTORY

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [("publish_article", _("Can publish, schedule and withdraw articles"))]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            # The section page: its published articles, newest first, without a sort.
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_public_idx"
            ),
            # The sitemaps' lastmod: the newest updated_at among published articles.
            models.Index(fields=["-updated_at"], name="article_updated_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugs.unique_slug(Article, self.title, fallback="article")
        self.body = sanitize_body_html(self.body)
        self.excerpt = excerpt(self.lead.strip() or html_to_text(self.body))
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"title", "lead", "body"}.intersection(update_fields):
            Article.objects.filter(pk=self.pk).update_search_documents()
        if update_fields is None or "body" in update_fields:
            self.keep_body_images()
        invalidation.article_changed(
            self,
            before=getattr(self, "_announce_before", ()),
            corrected=self.__dict__.pop("_announce_corrected", False),
        )

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.pk, self.slug])

    def delete(self, *args, **kwargs):
        before, pk = invalidation.article_keys(self), self.pk
        result = super().delete(*args, **kwargs)
        invalidation.article_deleted(pk, before=before)
        return result

    def alternates(self):
        """The published versions of this article in other languages, [(language, article)]:
        the article it translates and that one's other translations. One query; the page
        depends on each of them, so publishing or withdrawing one refreshes the others."""
        root = self.translation_of_id or self.pk
        found = (
            Article.objects.published()
            .filter(models.Q(pk=root) | models.Q(translation_of=root))
            .exclude(pk=self.pk)
            .exclude(language=self.language)
            .only("pk", "slug", "language")
            .order_by("language", "pk")
        )
        seen = {}
        for other in found:
            seen.setdefault(other.language, other)
        invalidation.depend(*(invalidation.article_key(o.pk) for o in seen.values()))
        return list(seen.items())

    def with_details(self):
        """This article with its authors, tags and corrections loaded (once): what the page's
        parts show. Lazy, so that a page whose parts are cached does not read them."""
        loaded = getattr(self, "_prefetched_objects_cache", {}).keys()
        if not {"authors", "tags", "corrections"} <= loaded:
            prefetch_related_objects([self], "authors", "tags", "corrections")
        return self

    def version_at(self, moment):
        """The version in force at `moment`: the latest saved at or before it, or None."""
        return (
            self.history.filter(history_date__lte=moment)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
            .first()
        )

    def keep_body_images(self):
        """Record which library images the body shows (those that exist)."""
        from medialibrary.models import Image

        wanted = set(
            Image.objects.filter(pk__in=media_body.image_ids(self.body)).values_list(
                "pk", flat=True
            )
        )
        links = BodyImage.objects.filter(article=self)
        current = set(links.values_list("image_id", flat=True))
        if wanted != current:
            links.exclude(image_id__in=wanted).delete()
            BodyImage.objects.bulk_create(
                BodyImage(article=self, image_id=pk) for pk in wanted - current
            )

    @property
    def cache_key(self):
        """What names this article in caches and surrogate keys (newsroom/invalidation.py)."""
        return invalidation.article_key(self.pk)

    def touch(self, reason, *, corrected=False):
        """Move `updated_at` on (feeds, sitemaps and the page show it), kept in the history.
        `corrected`: a correction is why (webhooks announce `article.corrected`)."""
        self._change_reason = str(reason)
        self._announce_corrected = corrected
        self.save(update_fields=["updated_at"])

    @property
    def word_count(self):
        """Words of the body as readers read them (the text, not the markup)."""
        return len(html_to_text(self.body).split())

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def was_seen_by_readers(self):
        return self.status in self.SEEN_BY_READERS

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def was_updated(self):
        """A correction, clarification or update was published, so the page says "Updated".
        Uses the prefetched corrections of `for_detail()`."""
        return bool(self.corrections.all())

    @property
    def meta_description(self):
        return self.seo_description or self.excerpt

    @property
    def has_pending_changes(self):
        """Whether the desk keeps changes readers do not see yet (select_related
        "pending_changes" where a list shows it)."""
        try:
            return self.pending_changes is not None
        except PendingChanges.DoesNotExist:
            return False


class PendingChanges(models.Model):
    """Changes to a live article that readers do not see yet.

    Saving a published article in the admin keeps what the editor wrote here, and the article
    row, which every public page reads, keeps the published text. `workflow.publish_changes`
    writes these into the article (one new version in its history) and deletes them."""

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="pending_changes",
        verbose_name=_("article"),
    )
    # Form field name → value as JSON: text as written, a related object by its pk, authors as
    # a list of pks, tags as a list of names, a file by its name in storage.
    data = models.JSONField(_("changed fields"), default=dict, encoder=DjangoJSONEncoder)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("unpublished changes")
        verbose_name_plural = _("unpublished changes")

    def __str__(self):
        return str(self.article)


class BodyImage(models.Model):
    """A library image shown in an article's text. Protected: an image still shown is not
    deleted (the library's delete page lists the articles)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    image = models.ForeignKey("media.Image", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "image"], name="body_image_once"),
        ]
        verbose_name = _("image in the text")
        verbose_name_plural = _("images in the text")

    def __str__(self):
        return f"{self.image} — {self.article}"


class Tombstone(models.Model):
    """What is left of a deleted article that readers had seen, so that its address still
    answers “410 Gone”, with the headline and the reason, rather than “404 Not Found”."""

    article_id = models.PositiveIntegerField(_("article id"), primary_key=True)
    title = models.CharField(_("headline"), max_length=200)
    path = models.CharField(_("address"), max_length=300)
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.path


@receiver(pre_delete, sender=Article)
def leave_a_tombstone(sender, instance, **kwargs):
    """Every way of deleting (the admin's delete, its bulk action, a shell) comes by here."""
    if instance.was_seen_by_readers:
        Tombstone.objects.update_or_create(
            article_id=instance.pk,
            defaults={
                "title": instance.title,
                "path": instance.get_absolute_url(),
                "reason": instance.withdrawal_reason,
            },
        )


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("article")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    text = models.TextField(
        _("text"), max_length=2000, help_text=_("What was wrong and what is right now. Plain text.")
    )

    # What the page showed on a given day includes corrections later changed or removed.
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.article.touch(_("Correction added or changed"), corrected=True)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#corrections-heading"

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.article.touch(_("Correction removed"), corrected=True)
        return result


@receiver(m2m_changed, sender=TaggedItem)
def article_tags_changed(sender, instance, action, **kwargs):
    if action in {"pre_remove", "pre_clear"} and isinstance(instance, Article):
        instance._announce_before = invalidation.article_keys(instance)
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        record_relations([instance])
        Article.objects.filter(pk=instance.pk).update_search_documents()
        invalidation.article_changed(instance, before=getattr(instance, "_announce_before", ()))


@receiver(pre_create_historical_record, sender=Article.history.model)
def version_records_relations(sender, instance, history_instance, **kwargs):
    for name, value in current_relations(instance).items():
        setattr(history_instance, name, value)


@receiver(post_create_historical_record, sender=Article.history.model)
def remember_the_version_made(sender, instance, history_instance, **kwargs):
    instance._version_made = history_instance.history_id


def record_relations(articles):
    """Tags or authors changed: the version records them.

    The admin (and the workflow's restore, and `article.tags.set()` after a create) writes
    them right after saving the row, on the same article object: that save's version is then
    brought up to date rather than followed by a second one. Any other change of tags or
    authors is a version of its own."""
    for article in articles:
        newest = article.history.values_list("history_id", flat=True).first()
        if newest is not None and newest == getattr(article, "_version_made", None):
            Article.history.filter(history_id=newest).update(**current_relations(article))
            continue
        reason = getattr(article, "_change_reason", None)
        article._change_reason = _("Tags or authors changed")
        ARTICLE_HISTORY.create_historical_record(article, "~")
        article._change_reason = reason


@receiver(m2m_changed, sender=Article.authors.through)
def article_authors_changed(sender, instance, action, pk_set, **kwargs):
    if not kwargs["reverse"]:
        if action in {"post_add", "post_remove", "post_clear"}:
            record_relations([instance])
    elif action == "pre_clear":  # from the author's side: which articles, before they go
        instance._cleared_articles = list(instance.articles.values_list("pk", flat=True))
    elif action in {"post_add", "post_remove"}:
        record_relations(Article.objects.filter(pk__in=pk_set))
    elif action == "post_clear":
        record_relations(Article.objects.filter(pk__in=instance._cleared_articles))


@receiver(post_save, sender=Tag)
def tag_renamed(sender, instance, created, **kwargs):
    if not created:
        Article.objects.filter(tags=instance).update_search_documents()
        invalidation.tag_changed(instance)


def addressable_tag_slug(name, slug):
    """`slug` if a tag page's address can carry it, else one made from `name`.

    taggit slugifies the name, which leaves nothing of "!!!" or an emoji ("" for the first such
    tag, "_1" for the next), and NFKC normalization can make a slug longer than its column.
    Those get what slugify kept (or "tag") and a digest of the name: stable, and as unique as
    tag names are."""
    limit = Tag._meta.get_field("slug").max_length
    if slug and not re.fullmatch(r"_\d+", slug) and len(slug) <= limit:
        return slug
    stem = slugify(name, allow_unicode=True)[: limit - 9] or "tag"
    return f"{stem}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def tag_slug(name):
    """The slug a new tag named `name` gets, before uniqueness: taggit's (Unicode letters kept)
    with Cyrillic transliterated (articles/slugs.py), or addressable_tag_slug's fallback."""
    limit = Tag._meta.get_field("slug").max_length
    return addressable_tag_slug(name, slugs.slug_from(name, max_length=limit, allow_unicode=True))


@receiver(pre_save, sender=Tag)
def tag_slug_fits_an_address(sender, instance, **kwargs):
    if instance._state.adding and _made_by_taggit(instance) and slugs.has_cyrillic(instance.name):
        # taggit kept the Cyrillic ("медуза", "медуза_1"); the address carries it in Latin.
        slug = tag_slug(instance.name)
        if not re.fullmatch(r"tag-[0-9a-f]{8}", slug):
            slug = slugs.unique_slug(Tag, slug, fallback="tag")
        instance.slug = slug
        return
    instance.slug = addressable_tag_slug(instance.name, instance.slug)


def _made_by_taggit(tag):
    """Whether `tag`'s slug is the one taggit's save made from its name (not one typed in)."""
    made = tag.slugify(tag.name)
    return tag.slug == made or re.fullmatch(re.escape(made) + r"_\d+", tag.slug or "") is not None


class EditLock(models.Model):
    """Who has an article's change form open: a soft lock that the form's script renews, gone
    by itself EXPIRES_AFTER the last renewal, so that nobody holds an article for ever
    (articles/editing.py takes, renews, hands over and releases it)."""

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="edit_lock",
        verbose_name=_("article"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("editing"),
    )
    since = models.DateTimeField(_("editing since"), default=timezone.now)
    renewed_at = models.DateTimeField(_("last seen"), default=timezone.now)
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken over from"),
    )

    class Meta:
        verbose_name = _("editing lock")
        verbose_name_plural = _("editing locks")

    def __str__(self):
        return f"{self.article_id}: {self.user}"


class Autosave(models.Model):
    """What one user last typed in one article's form (or in the form of a new article),
    kept apart from the article until they save it: the form's fields as the browser sends
    them, restored into the form after a crash, a closed tab or a refused save."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="autosaves",
        verbose_name=_("article"),
        help_text=_("Empty for a new article not saved yet."),
    )
    data = models.JSONField(_("form fields"), default=dict)
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article"],
                condition=models.Q(article__isnull=False),
                name="autosave_one_per_user_and_article",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(article__isnull=True),
                name="autosave_one_new_article_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user} / {self.article_id or 'new'}"


class ArticleViews(models.Model):
    """How many times an article was read in one hour (at most once per reader's address per
    hour; counted in the cache by articles/counting.py and added here in batches by a task).
    No reader's address or identifier is kept: only the number."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="hourly_views", verbose_name=_("article")
    )
    hour = models.DateTimeField(_("hour"), help_text=_("The start of the hour counted."))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("article views in an hour")
        verbose_name_plural = _("article views per hour")
        constraints = [
            models.UniqueConstraint(fields=["article", "hour"], name="article_views_one_per_hour")
        ]
        # "Most read over the last 24 hours" reads a range of hours across articles.
        indexes = [models.Index(fields=["hour", "article"], name="article_views_by_hour")]

    def __str__(self):
        return f"{self.article_id} @ {self.hour:%Y-%m-%d %H:00}: {self.views}"

    @classmethod
    def add(cls, counts):
        """Add `counts` ({(article_id, hour): n}) to the hourly rows. Exact however many
        workers do it at once: INSERT … ON CONFLICT DO NOTHING, then an UPDATE that the
        database applies to the newest row version."""
        if not counts:
            return
        rows = sorted(counts.items())  # one order for every worker: no deadlock between them
        cls.objects.bulk_create(
            [cls(article_id=pk, hour=hour) for (pk, hour), _ in rows], ignore_conflicts=True
        )
        for (pk, hour), n in rows:
            cls.objects.filter(article_id=pk, hour=hour).update(views=F("views") + n)


def total_views(article_id):
    """Every view an article has had: one query (an index range on its hours)."""
    return (
        ArticleViews.objects.filter(article_id=article_id).aggregate(total=Sum("views"))["total"]
        or 0
    )
