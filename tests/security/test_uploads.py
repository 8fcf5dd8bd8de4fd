"""Uploads: images only, decoded to prove it, within limits, stored under names we choose."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from medialibrary.models import Image as LibraryImage
from tests.factories import image_upload, library_image_data

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:media_image_add")


def post_image(client, editor, upload):
    """Images are uploaded to the media library (the article form only chooses one)."""
    client.force_login(editor)
    return client.post(ADD_URL, library_image_data(upload, alt_text="Kept when refused"))


def image_error(response):
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form["alt_text"].value() == "Kept when refused"
    return str(form.errors.get("file", ""))


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("logo.svg", SVG, "image/svg+xml"),
        ("logo.jpg", SVG, "image/jpeg"),
        ("page.jpg", HTML, "image/jpeg"),
        ("empty.png", b"", "image/png"),
        ("truncated.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
    ],
)
def test_active_or_broken_content_is_refused(client, editor, name, content, content_type):
    response = post_image(client, editor, SimpleUploadedFile(name, content, content_type))
    assert image_error(response)
    assert not LibraryImage.objects.exists()


def test_an_image_with_too_many_pixels_is_refused(client, editor):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # 48 megapixels, a few KB on disk
    upload = SimpleUploadedFile("huge.png", buffer.getvalue(), "image/png")
    assert "too many pixels" in image_error(post_image(client, editor, upload))
    assert not LibraryImage.objects.exists()


def test_an_image_over_the_size_limit_is_refused(client, editor, settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1024
    response = post_image(client, editor, image_upload(size=(400, 400)))
    assert "too large" in image_error(response)


def test_the_stored_file_name_is_ours_not_the_uploaders(client, editor):
    response = post_image(client, editor, image_upload(name="../../../etc/passwd .JPG"))
    assert response.status_code == 302
    name = LibraryImage.objects.get().file.name
    assert name.startswith("images/")
    assert ".." not in name and "passwd" not in name
    assert name.endswith(".jpg")
