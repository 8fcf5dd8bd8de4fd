from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_roles(sender, **kwargs):
    from articles.roles import ensure_roles

    from .roles import ROLES

    ensure_roles(ROLES)


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notices and labels")

    def ready(self):
        from . import signals  # noqa: F401  (bumps the cache version on every change)

        post_migrate.connect(_restore_roles, sender=self)
