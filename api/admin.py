from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .middleware import forget_key
from .models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are made here and shown once, on the page after "Save"; only their hash is kept.
    A lost key is revoked and replaced, never shown again."""

    list_display = ["name", "display_prefix", "limit", "created_at", "last_used_at", "active"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "lookup"]
    fields = ["name", "rate_per_minute", "display_prefix", "created_at", "created_by"]
    readonly_fields = ["display_prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "rate_per_minute"]
        return [*self.fields, "last_used_at", "revoked_at"]

    @admin.display(description=gettext_lazy("key starts with"))
    def display_prefix(self, key):
        return f"{key.display_prefix}…"

    @admin.display(description=gettext_lazy("requests per minute"))
    def limit(self, key):
        return key.limit

    @admin.display(description=gettext_lazy("active"), boolean=True, ordering="revoked_at")
    def active(self, key):
        return key.is_active

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            request._new_api_key = obj.issue()
        super().save_model(request, obj, form, change)
        forget_key(obj)  # a changed limit applies at once

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once: on this page only, never in a message (kept in a cookie) or a log."""
        response = TemplateResponse(
            request,
            "admin/api/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "key": obj,
                "raw_key": request._new_api_key,
                "title": _("API key created"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at=None))
        for key in keys:
            key.revoke()
            forget_key(key)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", len(keys))
            % {"count": len(keys)},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj):
        forget_key(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for key in queryset:
            forget_key(key)
        super().delete_queryset(request, queryset)
