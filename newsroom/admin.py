"""What every admin that edits public content shares: its writes say what they changed.

A model's own save() and delete() announce their change (newsroom/invalidation.py); what the
admin writes past them — many-to-many fields and inlines after the save, and the bulk "delete
selected" action, which deletes with one query — is announced here.

And the task queue's results, without what the tasks carry: a queued mail holds its whole
text, and a password-reset mail a link that signs its reader in, so whoever could read task
arguments could take over any account, the administrators' too. The admin shows each result's
task, recipients, attempt, status, times and error, never its arguments or return value.
Above the list, what waits for a worker, by priority.

And bulk mail (newsroom/bulkmail.py), read-only: each send's progress (a bar, counts, rate,
times), its recipients by status, "send again to the failed recipients"; never a recipient's
substitutions, which hold their personal unsubscribe and preferences links.

And the forms that upload files: a media store that fails while one is saved gives the form
back with an error, not a 500.
"""

import logging

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks.base import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult, get_date_max

from newsroom.bulkmail import retry_failed
from newsroom.models import BulkRecipient, BulkSend
from newsroom.richtext import ALLOWED_TAGS, removal_messages
from newsroom.storage import UNAVAILABLE
from newsroom.tasks import PRIORITIES

log = logging.getLogger("newsroom.faults")

MEDIA_UNAVAILABLE = _(
    "The image storage is not answering, so nothing was saved. Your text is still here: try "
    "again in a minute, or save without the image."
)


def media_failure(error):
    """Logs in one line a media store's failure while saving (S3 away, a disk gone read-only)."""
    log.warning("media storage unavailable: %s", str(error).partition("\n")[0])


class MediaErrorsAsFormErrors:
    """A ModelAdmin mixin: when the media store fails while the form is saved, the page comes
    back with the form as typed and an error. The failed save ran in the admin's transaction,
    so it left no row; the form is then validated again, refused, and shown."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except UNAVAILABLE as error:
            if request.method != "POST":
                raise
            media_failure(error)
            request.media_unavailable = True
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "media_unavailable", False):
            return form

        def clean(self):
            super(refused, self).clean()
            raise ValidationError(MEDIA_UNAVAILABLE, code="media_unavailable")

        refused = type(form.__name__, (form,), {"clean": clean})
        return refused


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


def queue_state():
    """What waits for a worker, by priority (highest first): due now, deferred (a retry's
    backoff, a watcher), running. One query."""
    now = timezone.now()
    ready = Q(status=TaskResultStatus.READY)
    due = ready & (Q(run_after=get_date_max()) | Q(run_after__lte=now))
    rows = (
        DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .values("priority")
        .annotate(
            due=Count("pk", filter=due),
            later=Count("pk", filter=ready & ~due),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            oldest=Min("enqueued_at", filter=due),
        )
        .order_by("-priority")
    )
    return {"queue_rows": [{**row, "label": PRIORITIES.get(row["priority"], "")} for row in rows]}


class QueueStateOnChangelist:
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**queue_state(), **(extra_context or {})})


@admin.register(DBTaskResult)
class TaskResultAdmin(QueueStateOnChangelist, DBTaskResultAdmin):
    change_list_template = "admin/newsroom/queue_change_list.html"
    list_display = [
        "task_name",
        "recipients",
        "attempt",
        "priority",
        "status",
        "enqueued_at",
        "finished_at",
    ]
    list_filter = ["status", "priority", "task_path"]
    hidden = {"args_kwargs", "return_value"}

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["recipients", "attempt", *(name for name in fields if name not in self.hidden)]

    # The columns that django-tasks-db's admin names in English only.
    @admin.display(description=_("task"), ordering="task_path")
    def task_name(self, result):
        return result.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, result):
        return super().formatted_traceback(result)

    @admin.display(description=_("run after"))
    def display_run_after(self, result):
        return super().display_run_after(result)

    @admin.display(description=_("recipients"))
    def recipients(self, result):
        args = result.args_kwargs.get("args") or [{}]
        return ", ".join(args[0].get("to", [])) if isinstance(args[0], dict) else ""

    @admin.display(description=_("attempt"))
    def attempt(self, result):
        return result.args_kwargs.get("kwargs", {}).get("attempt", 1)


class ProgressChangeList(ChangeList):
    """Counts the recipients of the sends on the page, by status, in one query."""

    def get_results(self, request):
        super().get_results(request)
        sends = {send.pk: send for send in self.result_list}
        for send in sends.values():
            send.counts = dict.fromkeys(BulkRecipient.Status.values, 0)
        rows = (
            BulkRecipient.objects.filter(send__in=list(sends))
            .values_list("send", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for send_id, status, count in rows:
            sends[send_id].counts[status] = count
        for send in sends.values():
            send.counts["total"] = sum(send.counts.values())


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BulkSend)
class BulkSendAdmin(ReadOnly, QueueStateOnChangelist, admin.ModelAdmin):
    """Each bulk mail (a newsletter issue, an alert) and how far it got. Read-only: what is
    sent is decided where it is written (the newsletters)."""

    change_list_template = "admin/newsroom/queue_change_list.html"
    change_form_template = "admin/newsroom/bulksend/change_form.html"
    list_display = ["name", "status", "priority_label", "progress_bar", "created_at",
                    "finished_at"]  # fmt: skip
    list_filter = ["status", "priority"]
    search_fields = ["name", "subject"]
    date_hierarchy = "created_at"
    fields = ["name", "subject", "from_email", "priority", "status", "batches", "created_at",
              "started_at", "finished_at"]  # fmt: skip
    readonly_fields = fields
    actions = ["retry_failed_recipients"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text", "html", "headers")

    def get_changelist(self, request, **kwargs):
        return ProgressChangeList

    def get_object(self, request, object_id, from_field=None):
        # The change page counts once itself (progress()); the annotations are for the list.
        queryset = BulkSend.objects.defer("text", "html", "headers")
        try:
            return queryset.get(pk=object_id)
        except (BulkSend.DoesNotExist, ValueError, ValidationError):
            return None

    @admin.display(description=_("priority"), ordering="priority")
    def priority_label(self, send):
        label = PRIORITIES.get(send.priority)
        return f"{send.priority} ({label})" if label else send.priority

    @admin.display(description=_("progress"))
    def progress_bar(self, send):
        return render_to_string("admin/newsroom/bulksend/progress_bar.html", bar(send.counts))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        send = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if send is not None:
            progress = send.progress()
            rate = send.rate(progress)
            context.update(
                bar(progress),
                rate=rate,
                recipients_url=reverse("admin:newsroom_bulkrecipient_changelist")
                + f"?send__id__exact={send.pk}",
                can_retry=self.has_retry_permission(request),
            )
        return super().change_view(request, object_id, form_url, context)

    def has_retry_permission(self, request):
        return request.user.has_perm("newsroom.retry_bulksend")

    @admin.action(description=_("Send again to the failed recipients"), permissions=["retry"])
    def retry_failed_recipients(self, request, queryset):
        count = sum(retry_failed(send) for send in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed recipient queued again.",
                "%(count)d failed recipients queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


def bar(progress):
    """The segments of a progress bar: each status's count and share of the total."""
    total = progress["total"] or 1
    order = [("sent", _("sent")), ("failed", _("failed")), ("bounced", _("bounced")),
             ("queued", _("queued"))]  # fmt: skip
    return {
        "progress": progress,
        "segments": [
            {
                "status": status,
                "label": label,
                "count": progress[status],
                "percent": round(100 * progress[status] / total, 1),
            }  # fmt: skip
            for status, label in order
        ],
    }


@admin.register(BulkRecipient)
class BulkRecipientAdmin(ReadOnly, admin.ModelAdmin):
    """Who a bulk mail went to, and what became of it. A recipient's substitutions are never
    shown: they hold personal links (unsubscribe, preferences) that act for the reader."""

    list_display = ["address", "status", "error", "sent_at", "send"]
    list_filter = ["status", "send"]
    list_select_related = ["send"]
    search_fields = ["address"]
    fields = ["send", "address", "status", "error", "attempts", "batch", "sent_at"]
    readonly_fields = fields
    show_full_result_count = False

    class Media:
        css = {"all": ["css/admin_bulkmail.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).defer("substitutions", "send__text", "send__html",
                                                   "send__headers")  # fmt: skip

    def has_delete_permission(self, request, obj=None):
        return False
