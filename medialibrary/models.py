"""The media library: every image is a record, described once and used by any article."""

from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFit
from imagekit.specs import ImageSpec

from newsroom import invalidation

from .images import library_image_path, validate_image
from .processors import FocalCrop, crop_box

RENDITION_WIDTHS = (480, 800, 1200)
# The lead image and the cards: a landscape crop around the focal point. In the body and in
# galleries an image keeps its own shape ("full").
WIDE = 16 / 9
KINDS = {"wide": WIDE, "full": None}


class Rendition(ImageSpec):
    """A copy of a library image: cropped to `ratio` around its focal point (if a ratio is set),
    then resized to `width`. Made when the image is saved, never while a page is served."""

    ratio = None
    width = None
    options = {"quality": 82}

    @property
    def processors(self):
        image = self.source.instance
        steps = [FocalCrop(self.ratio, image.focal_x, image.focal_y)] if self.ratio else []
        return [*steps, ResizeToFit(width=self.width, upscale=False)]


def rendition_field(kind, width, image_format):
    spec = type(
        f"Rendition_{kind}_{width}_{image_format or 'original'}",
        (Rendition,),
        {"ratio": KINDS[kind], "width": width, "format": image_format},
    )
    return ImageSpecField(source="file", spec=spec)


def rendition_name(kind, width, webp):
    return f"{kind}_{width}{'_webp' if webp else ''}"


def focal_field(label):
    return models.FloatField(
        label,
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0 is the left (top) edge, 1 the right (bottom) edge; 0.5 is the centre."),
    )


class Image(models.Model):
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("For finding it in the library; left empty, the file's name is used."),
    )
    file = models.ImageField(
        _("file"),
        upload_to=library_image_path,
        validators=[validate_image],
        width_field="width",
        height_field="height",
        help_text=_("JPEG, PNG, GIF or WebP."),
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    alt_text = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    caption = models.CharField(
        _("caption"), max_length=300, blank=True, help_text=_("Shown under the image.")
    )
    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        help_text=_("Who the image comes from, e.g. “NATO website”. Shown as “Photo: …”."),
    )
    credit_url = models.URLField(
        _("credit link"), blank=True, help_text=_("Where the credited image comes from.")
    )
    focal_x = focal_field(_("focal point, across"))
    focal_y = focal_field(_("focal point, down"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")
        indexes = [models.Index(fields=["-uploaded_at"], name="image_uploaded_idx")]

    def __str__(self):
        return self.title or _("Image %(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs):
        if not self.title and self.file:
            self.title = PurePath(self.file.name).stem[:200]
        super().save(*args, **kwargs)
        self.make_renditions()
        invalidation.image_changed(self)

    def make_renditions(self):
        """Every rendition of the current file and focal point (those already made are kept).
        imagekit makes them by itself only when the file changes, not the focal point."""
        if not self.file:
            return
        for kind in KINDS:
            for width in RENDITION_WIDTHS:
                for webp in (True, False):
                    getattr(self, rendition_name(kind, width, webp)).generate()

    def size(self, kind):
        """(width, height) of the image once cropped for `kind`, before any resizing."""
        ratio = KINDS[kind]
        if not ratio:
            return self.width, self.height
        left, top, right, bottom = crop_box(self.width, self.height, ratio, 0.5, 0.5)
        return right - left, bottom - top

    def renditions(self, kind):
        """[(width, height, webp_url, fallback_url)] for srcset, smallest first. Names are
        computed, not looked up: no query and no file access."""
        if not self.file or not self.width:
            return []
        full_width, full_height = self.size(kind)
        found = []
        for width in RENDITION_WIDTHS:
            actual = min(width, full_width)
            height = round(full_height * actual / full_width)
            webp = getattr(self, rendition_name(kind, width, True)).url
            found.append(
                (actual, height, webp, getattr(self, rendition_name(kind, width, False)).url)
            )
            if actual < width:
                break  # the original is smaller than this width: larger copies are the same
        return found

    @property
    def wide_renditions(self):
        return self.renditions("wide")

    @property
    def full_renditions(self):
        return self.renditions("full")

    @property
    def social_rendition(self):
        """(width, height, webp_url, fallback_url) of the largest landscape copy, or None."""
        renditions = self.wide_renditions
        return renditions[-1] if renditions else None

    @property
    def thumbnail_url(self):
        return self.full_480_webp.url if self.file else ""

    def usages(self):
        """The articles showing this image, as lead image or in the body: [(article, where)].
        Through the reverse relations the articles app declares; this app imports none of it."""
        found = [(article, _("lead image")) for article in self.lead_articles.order_by("-pk")]
        found += [(article, _("in the text")) for article in self.body_articles.order_by("-pk")]
        return found


for _kind in KINDS:
    for _width in RENDITION_WIDTHS:
        for _webp in (True, False):
            Image.add_to_class(
                rendition_name(_kind, _width, _webp),
                rendition_field(_kind, _width, "WEBP" if _webp else None),
            )
del _kind, _width, _webp
