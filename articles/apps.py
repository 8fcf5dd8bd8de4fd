from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles, sections and authors")

    def ready(self):
        from newsroom.roles import keep_roles

        from .roles import ROLES

        keep_roles(self, ROLES)
