"""The webhooks admin: endpoints with their health, each delivery with its log of attempts,
and "send again". The signing secret is made when the endpoint is registered and is readable
by superusers only (a receiver needs it to check signatures); they can replace it."""

import json

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import delivery
from .models import Attempt, Delivery, Endpoint, EventType, new_secret


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What this endpoint is sent."),
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "active"]


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "url", "event_list", "active", "health", "last_success_at",
                    "last_failure_at"]  # fmt: skip
    list_filter = ["active"]
    search_fields = ["name", "url"]
    actions = ["new_secrets"]

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "active"]
        if obj is not None:
            secret = "signing_secret" if request.user.is_superuser else "secret_hidden"
            fields += [secret, "health", "deliveries_link", "created_at"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["signing_secret", "secret_hidden", "health", "deliveries_link", "created_at"]

    @admin.display(description=_("events"))
    def event_list(self, endpoint):
        return ", ".join(endpoint.events)

    @admin.display(description=_("health"))
    def health(self, endpoint):
        if endpoint.disabled_at and not endpoint.active:
            return _("Disabled after repeated failures on %(when)s") % {
                "when": timezone.localtime(endpoint.disabled_at).strftime("%Y-%m-%d %H:%M")
            }
        if endpoint.consecutive_failures:
            return ngettext(
                "%(count)d failed delivery in a row",
                "%(count)d failed deliveries in a row",
                endpoint.consecutive_failures,
            ) % {"count": endpoint.consecutive_failures}
        if endpoint.last_success_at:
            return _("Healthy")
        return _("Nothing delivered yet")

    @admin.display(description=_("signing secret"))
    def signing_secret(self, endpoint):
        return format_html("<code>{}</code>", endpoint.secret)

    @admin.display(description=_("signing secret"))
    def secret_hidden(self, endpoint):
        return _("Readable by superusers only.")

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, endpoint):
        url = reverse("admin:webhooks_delivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Deliveries and their attempts"))

    def save_model(self, request, obj, form, change):
        if obj.active and obj.disabled_at:  # made active again: a fresh count of failures
            obj.disabled_at, obj.consecutive_failures = None, 0
        super().save_model(request, obj, form, change)

    def has_new_secrets_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=_("Replace the signing secret (receivers need the new one)"),
        permissions=["new_secrets"],
    )
    def new_secrets(self, request, queryset):
        for endpoint in queryset:
            Endpoint.objects.filter(pk=endpoint.pk).update(secret=new_secret())
        self.message_user(request, _("New secrets made; open each endpoint to read its own."))


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "sent_again", "started_at", "duration_ms", "status_code", "error",
              "response_excerpt"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_type", "endpoint", "status", "attempts", "last_status_code",
                    "last_error", "created_at", "next_attempt_at"]  # fmt: skip
    list_filter = ["status", "event__type", "endpoint"]
    list_select_related = ["event", "endpoint"]
    date_hierarchy = "created_at"
    fields = ["endpoint", "event_id", "event_type", "status", "attempts", "next_attempt_at",
              "last_status_code", "last_error", "created_at", "finished_at", "body"]  # fmt: skip
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("event"), ordering="event__type")
    def event_type(self, item):
        return item.event.type

    @admin.display(description=_("event id (webhook-id)"))
    def event_id(self, item):
        return item.event_id

    @admin.display(description=_("body"))
    def body(self, item):
        return format_html(
            "<pre>{}</pre>", json.dumps(json.loads(item.event.body), indent=2, ensure_ascii=False)
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        item = self.get_object(request, object_id)
        can_send_again = (
            item is not None
            and self.has_send_again_permission(request)
            and item.status != Delivery.Status.PENDING
            and item.endpoint.active
        )
        context = {**(extra_context or {}), "can_send_again": can_send_again}
        return super().change_view(request, object_id, form_url, context)

    def has_send_again_permission(self, request):
        return request.user.has_perm("webhooks.send_again_delivery")

    @admin.action(description=_("Send again"), permissions=["send_again"])
    def send_again(self, request, queryset):
        count = delivery.send_again(queryset)
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d left alone: still pending, or its endpoint is inactive.",
                    "%(count)d left alone: still pending, or their endpoint is inactive.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
