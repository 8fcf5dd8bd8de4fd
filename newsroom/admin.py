"""What every admin that edits public content shares: its writes say what they changed.

A model's own save() and delete() announce their change (newsroom/invalidation.py); what the
admin writes past them — many-to-many fields and inlines after the save, and the bulk "delete
selected" action, which deletes with one query — is announced here.

And the task queue's results, without what the tasks carry: a queued mail holds its whole
text, and a password-reset mail a link that signs its reader in, so whoever could read task
arguments could take over any account, the administrators' too. The admin shows each result's
task, recipients, attempt, status, times and error, never its arguments or return value.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from newsroom.richtext import ALLOWED_TAGS, removal_messages


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


class ReportsRemovedMarkup:
    """A ModelAdmin mixin for rich-text fields: after a save, the writer is told what the
    sanitizer removed and where ("Removed an unsafe link in paragraph 3 (“Click here…”)…"), as
    warnings above the form, which stays open so that they can put right what was lost.

    The save goes through, as in Wagtail, WordPress and Ghost, which clean pasted markup
    silently: refusing it would keep the writer from saving a pasted text at all, and what is
    removed could never be published anyway. What those leave out is the word to the writer."""

    rich_text_fields = ()
    rich_text_tags = ALLOWED_TAGS  # what they may hold (an article body: BODY_TAGS)

    def report_removed_markup(self, request):
        reported = False
        for name in self.rich_text_fields:
            for message in removal_messages(request.POST.get(name, ""), self.rich_text_tags):
                self.message_user(request, message, messages.WARNING)
                reported = True
        request.reported_removed_markup = reported

    def response_add(self, request, obj, post_url_continue=None):
        self.report_removed_markup(request)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self.report_removed_markup(request)
        return super().response_change(request, obj)

    def _stay_on_the_form(self, request, obj):
        opts = self.opts
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def response_post_save_add(self, request, obj):
        if getattr(request, "reported_removed_markup", False):
            return self._stay_on_the_form(request, obj)
        return super().response_post_save_add(request, obj)

    def response_post_save_change(self, request, obj):
        if getattr(request, "reported_removed_markup", False):
            return self._stay_on_the_form(request, obj)
        return super().response_post_save_change(request, obj)


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
