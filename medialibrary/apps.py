from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "medialibrary"
    label = "media"  # its folder is not "media": that is where uploads are stored
    verbose_name = _("Media library")

    def ready(self):
        from newsroom.roles import keep_roles

        from .roles import ROLES

        keep_roles(self, ROLES)
