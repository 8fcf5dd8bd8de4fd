from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments and moderation")

    def ready(self):
        from newsroom.roles import keep_roles

        from . import signals  # noqa: F401
        from .roles import ROLES

        keep_roles(self, ROLES)
