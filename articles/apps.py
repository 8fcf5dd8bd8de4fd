from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from newsroom import checks  # noqa: F401  (registers the project's deploy checks)
        from newsroom.pagecache import connect_invalidation

        from .roles import ROLES, TASK_ROLES, keep_roles

        keep_roles(self, ROLES)
        # Given after the task queue's own migrations: editors see failed mail in the admin.
        keep_roles(self.apps.get_app_config("django_tasks_database"), TASK_ROLES)
        connect_invalidation()
