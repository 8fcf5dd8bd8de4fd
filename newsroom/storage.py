"""Storage that fails cleanly: media never keeps half-written files, a media store that does not
answer fails in seconds, and a missing static files manifest (a deployment that skipped
`collectstatic`) costs the styling, not every page."""

import logging
import os
import shutil

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage
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
