"""Uploaded images: only real raster images within limits, stored under names we choose."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

MEDIA_HEADROOM_BYTES = 1024 * 1024
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def validate_image(upload):
    """Decode the upload with Pillow and refuse what is not a plain raster image we accept.

    SVG and other active content never decode as one of FORMATS, so they are refused here.
    Only a new upload is checked; an image already stored passed when it was uploaded.
    """
    if getattr(upload, "_committed", False):
        return
    if upload.size > settings.NEWSROOM_MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is too large: at most %(mb)d MB."),
            code="image_too_large",
            params={"mb": settings.NEWSROOM_MAX_IMAGE_BYTES // (1024 * 1024)},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image has too many pixels."), code="image_pixels") from None
    except Exception:
        raise ValidationError(
            _("Upload a JPEG, PNG, GIF or WebP image."), code="image_invalid"
        ) from None
    finally:
        upload.seek(position)
    if image_format not in FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG, GIF or WebP image."), code="image_format")
    if width * height > settings.NEWSROOM_MAX_IMAGE_PIXELS:
        raise ValidationError(
            _("The image has too many pixels: at most %(mp)d megapixels."),
            code="image_pixels",
            params={"mp": settings.NEWSROOM_MAX_IMAGE_PIXELS // 1_000_000},
        )
    # The image and its renditions (smaller, made when it is saved) must fit: a disk that fills
    # up halfway would fail the save after the form was accepted.
    has_room_for = getattr(default_storage, "has_room_for", None)
    if has_room_for is not None and not has_room_for(2 * upload.size + MEDIA_HEADROOM_BYTES):
        raise ValidationError(
            _(
                "There is no room left for images on the server, so nothing was saved. "
                "Your text is still here: save without the image, or ask an administrator."
            ),
            code="media_full",
        )


def stored_name(folder, filename):
    """A random name under folder/YYYY/MM/: never a path or name the uploader chose."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    if extension not in {"jpg", "jpeg", "png", "gif", "webp"}:
        extension = "jpg"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def library_image_path(instance, filename):
    return stored_name("images", filename)
