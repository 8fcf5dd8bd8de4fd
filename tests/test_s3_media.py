"""Media in S3-compatible object storage, against a real S3 server: moto's, started on a
loopback port and spoken to over HTTP as production speaks to AWS or MinIO."""

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from contextlib import contextmanager

import boto3
import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from articles.models import Author
from medialibrary.models import Image as LibraryImage
from tests.factories import image_upload, library_image_data, make_article
from tests.faults.conftest import closed_port, silent_server
from tests.mailserver import free_port
from tests.test_settings import PRODUCTION, run

pytestmark = pytest.mark.django_db

KEYS = {"AWS_ACCESS_KEY_ID": "newsroom-test", "AWS_SECRET_ACCESS_KEY": "newsroom-test-secret"}
MAGIC = {b"\xff\xd8\xff": "JPEG", b"RIFF": "WEBP"}


@pytest.fixture(scope="module")
def s3_server():
    """moto's standalone S3 server in its own process; yields its address."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("moto's S3 server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def aws_keys(monkeypatch):
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)


def public_bucket(endpoint):
    """A new bucket that anyone may read from, as a CDN or the readers' browsers would."""
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_lower(KEYS))
    client.create_bucket(Bucket=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    return client, name


def _lower(keys):
    return {name.lower(): value for name, value in keys.items()}


@contextmanager
def media_in_s3(endpoint, bucket, media_root, public_url=None):
    """The settings NEWSROOM_MEDIA_STORAGE=s3 makes (newsroom/settings.py), with an empty
    MEDIA_ROOT to show that nothing is written there. override_settings(STORAGES=...) resets
    Django's storage handler, so default_storage and every FileField follow."""
    public_url = public_url or f"{endpoint}/{bucket}"
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "newsroom.objectstorage.ObjectMediaStorage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "public_url": public_url,
                "timeout": 3,
            },
        },
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=media_root, MEDIA_URL=f"{public_url}/"):
        yield


@pytest.fixture
def bucket(s3_server, tmp_path):
    client, name = public_bucket(s3_server)
    media_root = tmp_path / "media"
    media_root.mkdir()
    with media_in_s3(s3_server, name, media_root):
        yield client, name, media_root


def keys_in(client, name):
    return sorted(entry["Key"] for entry in client.list_objects_v2(Bucket=name).get("Contents", []))


def files_under(folder):
    return sorted(str(path) for path in folder.rglob("*") if path.is_file())


def upload_in_admin(client, size=(1600, 1200), **fields):
    data = library_image_data(image_upload(size=size), **fields)
    return client.post(reverse("admin:media_image_add"), data)


def test_an_upload_in_the_admin_lands_in_the_bucket_with_its_renditions_and_nothing_on_disk(
    client, editor, bucket
):
    s3, name, media_root = bucket
    client.force_login(editor)
    response = upload_in_admin(client, title="Harbour at dawn")
    assert response.status_code == 302, response.content.decode()[:2000]
    image = LibraryImage.objects.get()
    keys = keys_in(s3, name)
    assert image.file.name in keys
    renditions = [key for key in keys if key != image.file.name]
    # wide and full, at 480, 800 and 1200 pixels, each in WebP and the original's JPEG
    assert len(renditions) == 12, keys
    assert sum(key.endswith(".webp") for key in renditions) == 6
    assert files_under(media_root) == []
    head = s3.head_object(Bucket=name, Key=image.file.name)
    assert head["ContentType"] == "image/jpeg"
    assert "immutable" in head["CacheControl"]


def test_the_article_page_shows_images_from_the_public_address_and_they_are_the_images(
    client, bucket, s3_server
):
    s3, name, media_root = bucket
    article = make_article(image=image_upload(size=(1600, 1200)), image_alt="A harbour")
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    public = f"{s3_server}/{name}/"
    addresses = set(re.findall(rf"{re.escape(public)}[^\s\"',]+", html))
    assert addresses, html
    stray = [src for src in re.findall(r'(?:src|srcset)="([^"]+)"', html) if "/media/" in src]
    assert stray == []
    for address in addresses:
        with urllib.request.urlopen(address, timeout=5) as answer:
            body = answer.read()
        key = address.removeprefix(public)
        assert body == s3.get_object(Bucket=name, Key=key)["Body"].read()
        assert any(body.startswith(magic) for magic in MAGIC), address
    assert files_under(media_root) == []


def test_the_media_origin_is_allowed_by_the_policy_and_django_serves_no_media(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NEWSROOM_"))}
    env |= {
        "NEWSROOM_MEDIA_STORAGE": "s3",
        "NEWSROOM_S3_BUCKET": "newsroom-media",
        "NEWSROOM_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "NEWSROOM_S3_PUBLIC_URL": "http://media.example.test:9000/newsroom-media",
    }
    script = textwrap.dedent(
        """
        import json
        from django.conf import settings
        from django.core.files.storage import default_storage
        from django.urls import Resolver404, resolve
        try:
            served = bool(resolve("/media/x.jpg"))
        except Resolver404:
            served = False
        print(json.dumps({
            "media_url": settings.MEDIA_URL,
            "img": settings.NEWSROOM_CSP["img-src"],
            "admin_img": settings.NEWSROOM_ADMIN_CSP["img-src"],
            "served": served,
            "url": default_storage.url("images/a.jpg"),
            "bucket": default_storage.bucket_name,
        }))
        """
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["media_url"] == "http://media.example.test:9000/newsroom-media/"
    assert "http://media.example.test:9000" in seen["img"]
    assert "http://media.example.test:9000" in seen["admin_img"]
    assert seen["served"] is False
    assert seen["url"] == "http://media.example.test:9000/newsroom-media/images/a.jpg"
    assert seen["bucket"] == "newsroom-media"


def test_check_deploy_refuses_object_storage_without_a_bucket():
    refused = run(["manage.py", "check", "--deploy"], PRODUCTION | {"NEWSROOM_MEDIA_STORAGE": "s3"})
    assert refused.returncode != 0
    assert "newsroom.E005" in refused.stderr + refused.stdout
    several = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION | {"NEWSROOM_PURGER": "newsroom.purge.XkeyPurger"},
    )
    assert several.returncode == 0, several.stderr
    assert "newsroom.I001" in several.stdout + several.stderr
    shared = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        PRODUCTION
        | {
            "NEWSROOM_PURGER": "newsroom.purge.XkeyPurger",
            "NEWSROOM_MEDIA_STORAGE": "s3",
            "NEWSROOM_S3_BUCKET": "newsroom-media",
        },
    )
    assert shared.returncode == 0, shared.stderr
    assert "no issues" in shared.stdout


def test_replacing_the_file_gives_new_objects_and_deleting_keeps_them_as_on_disk(
    client, editor, bucket
):
    s3, name, media_root = bucket
    client.force_login(editor)
    upload_in_admin(client, size=(900, 600), title="Before")
    image = LibraryImage.objects.get()
    first = keys_in(s3, name)
    old_url = image.thumbnail_url
    change = reverse("admin:media_image_change", args=[image.pk])
    data = library_image_data(image_upload(name="new.png", size=(1000, 800), fmt="PNG"))
    response = client.post(change, data | {"title": "After"})
    assert response.status_code == 302, response.content.decode()[:2000]
    image.refresh_from_db()
    now = keys_in(s3, name)
    assert image.file.name.endswith(".png") and image.file.name in now
    assert (image.width, image.height) == (1000, 800)
    assert set(first) < set(now), "an object was overwritten or removed"
    assert len(now) == 2 * len(first)  # the new original and its own renditions
    assert image.thumbnail_url != old_url
    with urllib.request.urlopen(image.thumbnail_url, timeout=5) as answer:
        assert answer.read().startswith(b"RIFF")
    response = client.post(reverse("admin:media_image_delete", args=[image.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not LibraryImage.objects.exists()
    assert keys_in(s3, name) == now  # as on disk: a deleted record leaves its files
    assert files_under(media_root) == []


def test_an_author_photo_goes_to_the_bucket_too(client, editor, bucket):
    s3, name, media_root = bucket
    client.force_login(editor)
    data = {"name": "Ada Reporter", "slug": "ada-reporter", "bio": "", "user": ""}
    response = client.post(reverse("admin:articles_author_add"), data | {"photo": image_upload()})
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = Author.objects.get().photo
    assert photo.name in keys_in(s3, name)
    assert files_under(media_root) == []


@contextmanager
def dead_store(kind, tmp_path, s3_server=None):
    """S3 on a closed port (refused at once), a server that accepts and never answers, or a
    real S3 server without the bucket (a misnamed NEWSROOM_S3_BUCKET)."""
    media_root = tmp_path / "dead-store-media"
    media_root.mkdir()
    if kind == "closed port":
        with media_in_s3(f"http://127.0.0.1:{closed_port()}", "media", media_root):
            yield media_root
    elif kind == "no such bucket":
        with media_in_s3(s3_server, f"missing-{uuid.uuid4().hex[:12]}", media_root):
            yield media_root
    else:
        with silent_server() as port, media_in_s3(f"http://127.0.0.1:{port}", "media", media_root):
            yield media_root


@pytest.mark.parametrize("kind", ["closed port", "never answers", "no such bucket"])
def test_an_upload_to_a_dead_store_is_a_form_error_within_seconds_that_keeps_the_text(
    client, editor, tmp_path, caplog, kind, request
):
    client.force_login(editor)
    s3_server = request.getfixturevalue("s3_server") if kind == "no such bucket" else None
    with dead_store(kind, tmp_path, s3_server) as media_root, caplog.at_level(logging.INFO):
        started = time.monotonic()
        response = upload_in_admin(client, title="Budget passes by three votes")
        took = time.monotonic() - started
    assert response.status_code == 200, f"answered {response.status_code}"
    html = response.content.decode()
    assert "The image storage is not answering, so nothing was saved" in html
    assert 'value="Budget passes by three votes"' in html
    assert not LibraryImage.objects.exists()
    assert files_under(media_root) == []
    assert took < 10, f"took {took:.1f} s"  # two tries of 3 s at most
    assert "media storage unavailable" in caplog.text
    assert "Traceback" not in caplog.text


def test_the_chooser_upload_to_a_dead_store_is_a_form_error(client, reporter, tmp_path):
    client.force_login(reporter)
    with dead_store("closed port", tmp_path):
        data = library_image_data(title="From the popup")
        response = client.post(reverse("admin:media_image_choose"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The image storage is not answering" in html
    assert 'value="From the popup"' in html
    assert not LibraryImage.objects.exists()


def test_healthz_writes_to_the_bucket_and_says_when_it_is_away(client, bucket, tmp_path):
    s3, name, _media_root = bucket
    assert client.get("/healthz").json()["media"] == "ok"
    assert keys_in(s3, name) == []  # its probe file is removed again
    with dead_store("closed port", tmp_path):
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["media"] == "unavailable"
