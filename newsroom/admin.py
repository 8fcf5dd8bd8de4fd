"""The task queue's results in the admin, without what the tasks carry.

A queued mail holds its whole text, and a password-reset mail a link that signs its reader in:
whoever can read task arguments could take over any account, the administrators' too. The
admin shows each result's task, recipients, attempt, status, times and error, never its
arguments or return value.
"""

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

HIDDEN = {"args_kwargs", "return_value"}


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ["task_name", "recipients", "attempt", "status", "enqueued_at", "finished_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = [name for name in super().get_readonly_fields(request, obj) if name not in HIDDEN]
        return ["recipients", "attempt", *fields]

    @admin.display(description="recipients")
    def recipients(self, result):
        args = result.args_kwargs.get("args") or [{}]
        return ", ".join(args[0].get("to", [])) if isinstance(args[0], dict) else ""

    @admin.display(description="attempt")
    def attempt(self, result):
        return result.args_kwargs.get("kwargs", {}).get("attempt", 1)


def register():
    """Called from newsroom/urls.py, after every app's admin module was imported."""
    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)
    admin.site.register(DBTaskResult, TaskResultAdmin)
