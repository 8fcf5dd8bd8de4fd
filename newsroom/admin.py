"""What every admin that edits public content shares: its writes say what they changed.

A model's own save() and delete() announce their change (newsroom/invalidation.py); what the
admin writes past them — many-to-many fields and inlines after the save, and the bulk "delete
selected" action, which deletes with one query — is announced here.

And the task queue's results, without what the tasks carry: a queued mail holds its whole
text, and a password-reset mail a link that signs its reader in, so whoever could read task
arguments could take over any account, the administrators' too. The admin shows each result's
task, recipients, attempt, status, times and error, never its arguments or return value.
"""

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult


class AnnouncesChanges:
    """A ModelAdmin mixin: `announce(obj, before)` after the related objects of a save are
    written and after a delete or a bulk delete. `before(obj)` is asked ahead of a delete (for an
    article: the lists it was on)."""

    def announce(self, obj, before):
        raise NotImplementedError

    def before(self, obj):
        return ()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.announce(form.instance, getattr(form.instance, "_announce_before", ()))

    def delete_model(self, request, obj):
        before = self.before(obj)
        super().delete_model(request, obj)
        self.announce(obj, before)

    def delete_queryset(self, request, queryset):
        objects = [(obj, self.before(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, before in objects:
            self.announce(obj, before)


# django_tasks_db's own admin module was imported first (it comes before newsroom in
# INSTALLED_APPS); this one takes its place.
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ["task_name", "recipients", "attempt", "status", "enqueued_at", "finished_at"]
    hidden = {"args_kwargs", "return_value"}

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["recipients", "attempt", *(name for name in fields if name not in self.hidden)]

    @admin.display(description="recipients")
    def recipients(self, result):
        args = result.args_kwargs.get("args") or [{}]
        return ", ".join(args[0].get("to", [])) if isinstance(args[0], dict) else ""

    @admin.display(description="attempt")
    def attempt(self, result):
        return result.args_kwargs.get("kwargs", {}).get("attempt", 1)
