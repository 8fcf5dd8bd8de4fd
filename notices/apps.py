from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices and labels")

    def ready(self):
        from newsroom.roles import keep_roles

        from .roles import ROLES

        keep_roles(self, ROLES)
