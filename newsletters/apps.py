from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = _("Newsletters")

    def ready(self):
        from newsroom.roles import keep_roles

        from . import signals  # noqa: F401
        from .roles import ROLES

        keep_roles(self, ROLES)
