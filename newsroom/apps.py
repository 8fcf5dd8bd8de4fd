from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    """The project package as an app: what every other app builds on (the page cache and its
    invalidation, parts of pages, roles, deploy checks). It knows none of the other apps."""

    name = "newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        from anymail.signals import tracking

        from newsroom import checks  # noqa: F401  (registers the project's deploy checks)
        from newsroom.bulkmail import record_bounce
        from newsroom.roles import keep_roles
        from newsroom.tasks import ROLES as TASK_ROLES

        # The task queue's app has no translatable name of its own (its strings: tasks.py).
        queue_app = self.apps.get_app_config("django_tasks_database")
        queue_app.verbose_name = _("Tasks Database Backend")
        # Given after the task queue's own migrations: editors see failed mail in the admin.
        keep_roles(queue_app, TASK_ROLES)
        # A provider's bounce webhook marks the bulk mail recipient bounced.
        tracking.connect(record_bounce, dispatch_uid="newsroom-bulk-bounces")
