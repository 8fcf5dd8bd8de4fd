from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("audit log")

    def ready(self):
        from newsroom.roles import keep_roles

        from .roles import ROLES

        keep_roles(self, ROLES)
