import hashlib
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Subquery,
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
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from medialibrary import body as media_body
from newsroom import invalidation
from newsroom.richtext import excerpt, html_to_text, sanitize_body_html, validate_html_limits

from . import search
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
        super().save(*args, **kwargs)
        invalidation.author_changed(self)

    def get_absolute_url(self):
        return reverse("articles:author", args=[self.slug])

    def delete(self, *args, **kwargs):
        invalidation.author_changed(self)
        return super().delete(*args, **kwargs)


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
        tag_ids = [tag.pk for tag in article.tags.all()]
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

    def update_search_documents(self):
        """Recompute the stored full-text document (PostgreSQL only; SQLite searches the text)."""
        if connections[self.db].vendor == "postgresql":
            self.update(search_vector=search.document(TaggedItem))


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The search document is read by the database only; never load it into Python.
        return super().get_queryset().defer("search_vector")


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
            "The article text. Pasted formatting is cleaned when you save. To show an image "
            "from the library, use the image button, then “Browse…”; images placed one right "
            "after another are shown together as a gallery."
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

    objects = ArticleManager()
    # Every save is kept with who and why; tags and authors are not versioned.
    history = HistoricalRecords(excluded_fields=["excerpt", "search_vector"])

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
        invalidation.article_changed(self, before=getattr(self, "_announce_before", ()))

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.pk, self.slug])

    def delete(self, *args, **kwargs):
        before = invalidation.article_keys(self)
        result = super().delete(*args, **kwargs)
        invalidation.changed(*before)
        return result

    def with_details(self):
        """This article with its authors, tags and corrections loaded (once): what the page's
        parts show. Lazy, so that a page whose parts are cached does not read them."""
        loaded = getattr(self, "_prefetched_objects_cache", {}).keys()
        if not {"authors", "tags", "corrections"} <= loaded:
            prefetch_related_objects([self], "authors", "tags", "corrections")
        return self

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

    def touch(self, reason):
        """Move `updated_at` on (feeds, sitemaps and the page show it), kept in the history."""
        self._change_reason = str(reason)
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

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.article}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.article.touch(_("Correction added or changed"))

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#corrections-heading"

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.article.touch(_("Correction removed"))
        return result


@receiver(m2m_changed, sender=TaggedItem)
def article_tags_changed(sender, instance, action, **kwargs):
    if action in {"pre_remove", "pre_clear"} and isinstance(instance, Article):
        instance._announce_before = invalidation.article_keys(instance)
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Article):
        Article.objects.filter(pk=instance.pk).update_search_documents()
        invalidation.article_changed(instance, before=getattr(instance, "_announce_before", ()))


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


@receiver(pre_save, sender=Tag)
def tag_slug_fits_an_address(sender, instance, **kwargs):
    instance.slug = addressable_tag_slug(instance.name, instance.slug)
