from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AuditConfig(AppConfig):
    name = "audit"
    # The app's name in the admin's menu, where a language may want a capital letter.
    verbose_name = pgettext_lazy("app", "audit log")

    def ready(self):
        from newsroom.roles import keep_roles

        from .roles import ROLES

        keep_roles(self, ROLES)
