from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

import audit
from audit.admin import history_table
from audit.models import AuditEntry

from .models import (
    Comment,
    CommentBan,
    ModerationSettings,
    ReplyNotification,
    Report,
    held_reason_label,
    set_status,
)


class ModerationActionForm(ActionForm):
    """The actions' bar, with the moderator's reason kept in the audit log."""

    reason = forms.CharField(
        label=_("Reason (optional):"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 40}),
    )


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    fields = ["user", "reason", "created_at", "resolved"]
    readonly_fields = ["user", "reason", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class NeedsReviewFilter(admin.SimpleListFilter):
    title = _("needs review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("yes", _("Held or reported"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(Q(status=Comment.Status.HELD) | Q(open_reports__gt=0))
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: held and reported comments first, newest first within each."""

    list_display = [
        "text",
        "moderate",
        "status",
        "why_held",
        "open_reports",
        "author_link",
        "article_link",
        "created_at",
    ]
    list_filter = [NeedsReviewFilter, "status", "created_at"]
    list_select_related = ["user", "article"]
    search_fields = ["body", "user__email", "user__profile__display_name", "article__title"]
    actions = ["approve", "remove", "hold"]
    action_form = ModerationActionForm
    fields = [
        "article_link",
        "author_link",
        "parent",
        "body",
        "status",
        "why_held",
        "created_at",
        "edited_at",
        "history",
    ]
    readonly_fields = fields  # moderators act through the actions, not by editing
    inlines = [ReportInline]
    list_per_page = 50

    def get_queryset(self, request):
        return (
            Comment.objects.annotate(
                open_reports=Count("reports", filter=Q(reports__resolved=False)),
                review_order=Case(
                    When(status=Comment.Status.HELD, then=Value(0)),
                    When(open_reports__gt=0, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                ),
            )
        ).order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ["review_order", "-created_at"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("comment"))
    def text(self, obj):
        # The whole text: a moderator judges what they can read. Escaped, as readers see it.
        return format_html(
            '<div style="white-space: normal; max-width: 40rem">{}</div>',
            linebreaksbr(obj.body, autoescape=True),
        )

    # The buttons of each row, and the bulk action each one runs on that row alone.
    ROW_STEPS = {
        "approve": (_("Approve"), Comment.Status.VISIBLE),
        "hold": (_("Hold"), Comment.Status.HELD),
        "remove": (_("Remove"), Comment.Status.REMOVED),
    }

    @admin.display(description=_("moderate"))
    def moderate(self, obj):
        # Buttons of the change list's own form (which carries the CSRF token), posting to
        # moderate_view instead: a form cannot hold another form.
        return format_html_join(
            " ",
            '<button type="submit" class="button" formmethod="post" formaction="{}">{}</button>',
            (
                (reverse("admin:comments_comment_moderate", args=[obj.pk, step]), label)
                for step, (label, status) in self.ROW_STEPS.items()
                if obj.status != status
            ),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/moderate/<str:step>/",
                self.admin_site.admin_view(self.moderate_view),
                name="comments_comment_moderate",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_POST)
    def moderate_view(self, request, object_id, step):
        """One row's button: the bulk action of that name, on that one comment."""
        comment = self.get_object(request, object_id)
        if comment is None or step not in self.ROW_STEPS:
            raise Http404
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        getattr(self, step)(request, Comment.objects.filter(pk=comment.pk))
        back = request.headers.get("referer", "")
        changelist = reverse("admin:comments_comment_changelist")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(back if safe and changelist in back else changelist)

    @admin.display(description=_("why held"), ordering="held_reason")
    def why_held(self, obj):
        return held_reason_label(obj.held_reason)

    @admin.display(description=_("open reports"), ordering="open_reports")
    def open_reports(self, obj):
        return obj.open_reports

    @admin.display(description=_("article"))
    def article_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', obj.get_absolute_url(), Truncator(obj.article.title).chars(40)
        )

    @admin.display(description=_("reader"))
    def author_link(self, obj):
        if obj.user_id is None:
            return _("(account deleted)")
        others = reverse("admin:comments_comment_changelist") + f"?user__id__exact={obj.user_id}"
        ban = reverse("admin:comments_commentban_add") + f"?user={obj.user_id}"
        return format_html(
            '{} (<a href="{}">{}</a> · <a href="{}">{}</a>)',
            obj.user.get_username(),
            others,
            _("all comments"),
            ban,
            _("ban"),
        )

    @admin.display(description=_("history"))
    def history(self, obj):
        return history_table(AuditEntry.objects.about(obj))

    def change_status(self, request, queryset, status, message):
        changed = set_status(
            Comment.objects.filter(pk__in=queryset.values("pk")),
            status,
            by=request.user,
            reason=request.POST.get("reason", "").strip(),
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Approve: show the selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        self.change_status(
            request, queryset, Comment.Status.VISIBLE, _("%(count)d comment(s) approved.")
        )

    @admin.action(description=_("Remove the selected comments"), permissions=["change"])
    def remove(self, request, queryset):
        self.change_status(
            request, queryset, Comment.Status.REMOVED, _("%(count)d comment(s) removed.")
        )

    @admin.action(description=_("Hold the selected comments for review"), permissions=["change"])
    def hold(self, request, queryset):
        self.change_status(request, queryset, Comment.Status.HELD, _("%(count)d comment(s) held."))


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "user", "reason", "created_at", "resolved"]
    list_filter = ["resolved"]
    list_select_related = ["comment", "user"]
    readonly_fields = ["comment", "user", "reason", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(CommentBan)
class CommentBanAdmin(admin.ModelAdmin):
    list_display = ["user", "reason", "created_at", "created_by"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__email", "user__username", "reason"]
    raw_id_fields = ["user"]
    readonly_fields = ["history"]

    @admin.display(description=_("history of this reader"))
    def history(self, ban):
        """Bans of the reader and moderation of their comments, newest first."""
        if not ban.user_id:
            return "-"
        comments = Comment.objects.filter(user_id=ban.user_id).values("pk")
        entries = AuditEntry.objects.about(ban.user) | AuditEntry.objects.about_any(
            Comment, comments
        )
        return history_table(entries)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        # The reader is the target: the entry outlives the ban, which an unban deletes.
        action = AuditEntry.Action.CHANGE if change else AuditEntry.Action.BAN
        audit.record(
            action,
            obj.user,
            by=request.user,
            reason=obj.reason,
            fields=form.changed_data,
        )

    def delete_model(self, request, obj):
        audit.record(AuditEntry.Action.UNBAN, obj.user, by=request.user, reason=obj.reason)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for ban in queryset.select_related("user"):
                audit.record(AuditEntry.Action.UNBAN, ban.user, by=request.user, reason=ban.reason)
            super().delete_queryset(request, queryset)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["premoderation"]}),
        (_("Words"), {"fields": ["banned_words", "suspect_words"]}),
        (_("Spam"), {"fields": ["max_links", "duplicate_minutes"]}),
        (_("Reports"), {"fields": ["report_threshold"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        # One row: the list is the form.
        return redirect("admin:comments_moderationsettings_change", ModerationSettings.load().pk)

    def has_add_permission(self, request):
        return not ModerationSettings.objects.exists()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            AuditEntry.Action.CHANGE if change else AuditEntry.Action.ADD,
            obj,
            by=request.user,
            changes={
                name: {"old": str(form.initial.get(name)), "new": str(form.cleaned_data[name])}
                for name in form.changed_data
            },
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReplyNotification)
class ReplyNotificationAdmin(admin.ModelAdmin):
    """What readers were told of their comments, by e-mail: read-only, for answering "why did I
    (not) get a mail?"."""

    list_display = ["recipient", "kind", "comment", "created_at", "outcome"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["recipient", "comment"]
    search_fields = ["recipient__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
