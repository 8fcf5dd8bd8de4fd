"""Storage that fails cleanly: media never keeps half-written files, a media store that does not
answer fails in seconds, and a missing static files manifest (a deployment that skipped
`collectstatic`) costs the styling, not every page."""

import logging
import os
import shutil

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage
from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger("newsroom.faults")

# What a media store that is full, away or refusing raises: the disk's OSError, boto's errors
# (no connection, a time-out, an answer such as AccessDenied or NoSuchBucket).
UNAVAILABLE = (OSError, BotoCoreError, ClientError)


class MediaStorage(FileSystemStorage):
    def has_room_for(self, size):
        """Whether the media disk can take `size` more bytes; says so in the log when not."""
        free = shutil.disk_usage(self.location).free if os.path.isdir(self.location) else None
        if free is not None and free < size:
            log.warning("media storage full: %d bytes free, %d needed", free, size)
            return False
        return True

    def _save(self, name, content):
        full_path = self.path(name)
        existed = os.path.exists(full_path)
        try:
            return super()._save(name, content)
        except OSError:
            # A disk that filled up mid-write leaves the first part of the file behind.
            if not existed and os.path.isfile(full_path):
                os.remove(full_path)
            raise


class ObjectMediaStorage(S3Storage):
    """Media in S3-compatible object storage (NEWSROOM_MEDIA_STORAGE=s3), read by readers from
    `public_url` (a CDN or the bucket's public address). Objects are public and never
    overwritten, so their addresses need no signature and can be cached for good."""

    def __init__(self, *, public_url="", timeout=3, **options):
        protocol, _, domain = public_url.rpartition("//")
        options.setdefault("custom_domain", domain or None)
        options.setdefault("url_protocol", protocol or "https:")
        # Short time-outs and one retry: a store that is away gives the editor a form error in
        # seconds instead of holding the request (and a worker) for minutes.
        options.setdefault(
            "client_config",
            Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"mode": "standard", "total_max_attempts": 2},
            ),
        )
        # One PUT per object (no multipart upload up to this size): an object is there whole
        # or not at all, as S3 stores a PUT atomically.
        options.setdefault("transfer_config", TransferConfig(multipart_threshold=256 * 1024**2))
        super().__init__(
            querystring_auth=False,
            file_overwrite=False,
            object_parameters={"CacheControl": "public, max-age=31536000, immutable"},
            **options,
        )

    def has_room_for(self, size):
        """Object storage has room (MediaStorage asks the disk)."""
        return True


class StaticStorage(CompressedManifestStaticFilesStorage):
    _reported = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError as error:
            if not StaticStorage._reported:
                StaticStorage._reported = True
                log.error("static files: %s (was collectstatic run?); unhashed URLs served", error)
            return name
