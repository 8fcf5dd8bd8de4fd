from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_roles(sender, **kwargs):
    from articles.roles import ensure_roles

    from .roles import ROLES

    ensure_roles(ROLES)


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("comments")

    def ready(self):
        from . import signals  # noqa: F401

        post_migrate.connect(_restore_roles, sender=self)
