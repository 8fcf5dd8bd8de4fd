"""Uploads: images only, decoded to prove it, within limits, stored under names we choose."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article
from tests.factories import image_upload, make_section
from tests.test_admin import article_form

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


def post_image(client, editor, upload):
    client.force_login(editor)
    return client.post(ADD_URL, article_form(make_section(), image=upload))


def image_error(response):
    assert response.status_code == 200
    return str(response.context["adminform"].form.errors.get("image", ""))


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
    assert not Article.objects.exists()


def test_an_image_with_too_many_pixels_is_refused(client, editor):
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # 48 megapixels, a few KB on disk
    upload = SimpleUploadedFile("huge.png", buffer.getvalue(), "image/png")
    assert "too many pixels" in image_error(post_image(client, editor, upload))
    assert not Article.objects.exists()


def test_an_image_over_the_size_limit_is_refused(client, editor, settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1024
    response = post_image(client, editor, image_upload(size=(400, 400)))
    assert "too large" in image_error(response)


def test_the_stored_file_name_is_ours_not_the_uploaders(client, editor):
    response = post_image(client, editor, image_upload(name="../../../etc/passwd .JPG"))
    assert response.status_code == 302
    name = Article.objects.get().image.name
    assert name.startswith("articles/")
    assert ".." not in name and "passwd" not in name
    assert name.endswith(".jpg")
