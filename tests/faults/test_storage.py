"""Storage drills: a deployment that skipped `collectstatic`, a media disk that is full."""

import logging
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from medialibrary.models import Image as LibraryImage
from newsroom.storage import StaticStorage
from tests.factories import image_upload, library_image_data, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader_client():
    return Client(raise_request_exception=False)


def test_without_collectstatic_pages_render_unstyled_and_healthz_says_static(
    reader_client, tmp_path, caplog
):
    article = make_article(title="Readable without styles")
    production_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "newsroom.storage.StaticStorage"},
    }
    StaticStorage._reported = False
    with (
        override_settings(STORAGES=production_static, STATIC_ROOT=tmp_path),
        caplog.at_level(logging.INFO),
    ):
        page = reader_client.get(article.get_absolute_url())
        home = reader_client.get(reverse("articles:home"))
        health = reader_client.get("/healthz")
    assert page.status_code == 200, f"answered {page.status_code}"
    assert "Readable without styles" in page.content.decode()
    assert home.status_code == 200
    assert health.status_code == 503
    assert health.json()["static"] == "unavailable"
    assert health.json()["database"] == "ok"
    static_lines = [
        r.getMessage() for r in caplog.records if "was collectstatic run" in r.getMessage()
    ]
    assert len(static_lines) == 1, static_lines
    assert "Traceback" not in caplog.text


@contextmanager
def full_disk(size_kb=256):
    """A tmpfs of `size_kb` KiB, filled to the last block but `left_kb`; unmounted afterwards."""
    folder = Path(f"/tmp/newsroom-faults-media-{os.getpid()}")
    folder.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        with open(folder / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass  # full
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_an_image_upload_to_a_full_disk_is_a_form_error_that_keeps_the_text(client, editor, caplog):
    client.force_login(editor)
    with full_disk() as media, override_settings(MEDIA_ROOT=media):
        before = sorted(p.name for p in media.rglob("*") if p.is_file())
        data = library_image_data(
            image_upload(size=(400, 300)), title="Budget passes by three votes"
        )
        with caplog.at_level(logging.INFO):
            response = client.post(reverse("admin:media_image_add"), data)
            health = client.get("/healthz")
        after = sorted(p.name for p in media.rglob("*") if p.is_file())
    assert response.status_code == 200, f"answered {response.status_code}"
    html = response.content.decode()
    assert "There is no room left for images on the server" in html
    assert 'value="Budget passes by three votes"' in html
    assert not LibraryImage.objects.exists()
    assert after == before, "files were left behind"
    assert health.status_code == 503
    assert health.json()["media"] == "unavailable"
    assert "media storage full" in caplog.text
    assert "Traceback" not in caplog.text


def test_a_file_the_full_disk_cut_short_is_not_left_behind():
    from newsroom.storage import MediaStorage

    with full_disk() as media:
        storage = MediaStorage(location=media)
        before = sorted(p.name for p in media.rglob("*") if p.is_file())
        with pytest.raises(OSError):
            storage.save("articles/big.jpg", image_upload(size=(2000, 2000)))
        assert sorted(p.name for p in media.rglob("*") if p.is_file()) == before
