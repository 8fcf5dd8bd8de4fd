"""Media in S3-compatible object storage (NEWSROOM_MEDIA_STORAGE=s3), in a module of its own so
that a site on the local disk never imports boto3 and django-storages (about 0.1 s per process
at start-up)."""

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from storages.backends.s3 import S3Storage


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
