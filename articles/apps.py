from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _restore_roles(sender, using, **kwargs):
    from .roles import ensure_roles

    ensure_roles()


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from newsroom import checks  # noqa: F401  (registers the project's deploy checks)

        post_migrate.connect(_restore_roles, sender=self)

        from newsroom.pagecache import connect_invalidation

        connect_invalidation()
