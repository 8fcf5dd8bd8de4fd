from django.contrib import admin
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import record
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only for everyone: an entry is written by the action it records, never by hand."""

    list_display = ["created_at", "actor_name", "action", "content_type", "target_repr", "reason"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        "created_at",
        ("content_type", admin.RelatedOnlyFieldListFilter),  # the kinds the log has
    ]
    list_select_related = ["content_type"]
    search_fields = ["target_repr", "reason"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at",
        "actor",
        "actor_name",
        "action",
        "content_type",
        "object_id",
        "target_repr",
        "reason",
        "details",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def history_table(entries):
    """The entries as a small table, for a read-only field on another object's page."""
    entries = list(entries)
    if not entries:
        return _("Nothing recorded yet.")
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        _("when"),
        _("who"),
        _("action"),
        _("why"),
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                    entry.actor_name,
                    entry.get_action_display(),
                    entry.reason,
                )
                for entry in entries
            ),
        ),
    )


class RecordsChanges:
    """A ModelAdmin mixin: every add, change and delete made in this admin is audited."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.ADD
        record(action, obj, by=request.user, fields=form.changed_data)

    def delete_model(self, request, obj):
        record(AuditEntry.Action.DELETE, obj, by=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The "delete selected" action is not wrapped in a transaction by the admin.
        with transaction.atomic():
            for obj in queryset:
                record(AuditEntry.Action.DELETE, obj, by=request.user)
            super().delete_queryset(request, queryset)
