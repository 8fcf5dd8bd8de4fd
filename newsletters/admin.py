from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.models import Article
from newsroom.bulkmail import personal

from . import sending
from .models import Issue, IssueArticle, Newsletter, Subscriber, Subscription


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "section", "active", "default", "position", "subscribers"]
    list_editable = ["active", "default", "position"]
    list_filter = ["kind", "active"]
    list_select_related = ["section"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(subscriber_count=Count("subscriptions"))

    @admin.display(description=gettext_lazy("subscribers"), ordering="subscriber_count")
    def subscribers(self, newsletter):
        return newsletter.subscriber_count


class IssueArticleInline(admin.TabularInline):
    model = IssueArticle
    extra = 0
    autocomplete_fields = ["article"]
    fields = ["position", "article"]
    verbose_name_plural = gettext_lazy(
        "Articles, in order (only published ones are sent; a digest is prepared with the day's "
        "stories and can be changed here before sending)"
    )

    # The issue's own permissions (editors hold no separate ones for its rows); a sent
    # issue's articles are shown, no longer changed.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("newsletters.view_issue")

    def has_change_permission(self, request, obj=None):
        draft = obj is None or obj.status == Issue.Status.DRAFT
        return draft and request.user.has_perm("newsletters.change_issue")

    has_add_permission = has_delete_permission = has_change_permission


class IssueForm(forms.ModelForm):
    alert_article = forms.ModelChoiceField(
        queryset=Article.objects.none(),  # published as of each form (__init__)
        required=False,
        label=gettext_lazy("Article"),
        help_text=gettext_lazy(
            "For a breaking-news alert: the story it announces. The subject, if left empty, "
            "is its headline."
        ),
        widget=AutocompleteSelect(IssueArticle._meta.get_field("article"), admin.site),
    )

    class Meta:
        model = Issue
        fields = ["newsletter", "alert_article", "subject", "intro"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "alert_article" in self.fields:
            self.fields["alert_article"].queryset = Article.objects.published()


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    form = IssueForm
    list_display = ["__str__", "newsletter", "current_status", "delivery", "sent_at"]
    list_filter = ["status", "newsletter"]
    list_select_related = ["newsletter", "bulk_send"]
    search_fields = ["subject"]
    inlines = [IssueArticleInline]
    change_form_template = "admin/newsletters/issue/change_form.html"
    change_list_template = "admin/newsletters/issue/change_list.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["newsletter", "alert_article", "subject", "intro"]
        fields = ["newsletter", "subject", "intro", "status", "delivery"]
        return fields + (["digest_date"] if obj.digest_date else []) + ["sent_at", "sent_by"]

    def get_readonly_fields(self, request, obj=None):
        sent = obj is not None and obj.status != Issue.Status.DRAFT
        done = ["newsletter", "subject", "intro"] if sent else []
        return [*done, "status", "delivery", "digest_date", "sent_at", "sent_by"]

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def current_status(self, issue):
        issue.refresh_status()
        return issue.get_status_display()

    @admin.display(description=gettext_lazy("delivery"))
    def delivery(self, issue):
        progress = issue.progress()
        if progress is None:
            return "—"
        return _("%(sent)d sent, %(failed)d failed, %(bounced)d bounced of %(total)d") % progress

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        issue, article = form.instance, form.cleaned_data.get("alert_article")
        if article is not None:
            IssueArticle.objects.get_or_create(issue=issue, article=article)
        if not issue.subject:
            issue.subject = sending.default_subject(issue, issue.stories())
            issue.save(update_fields=["subject"])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        issue = self.get_object(request, object_id)
        if issue is not None:
            issue.refresh_status()
        extra = {"can_send": self.can_send(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def can_send(self, request):
        return request.user.has_perm("newsletters.send_issue")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/preview/<str:part>/",
                view(self.preview),
                name="newsletters_issue_preview",
            ),
            path("<int:pk>/test/", view(self.test), name="newsletters_issue_test"),
            path("<int:pk>/send/", view(self.send), name="newsletters_issue_send"),
            path("prepare-digests/", view(self.prepare), name="newsletters_issue_prepare"),
            *super().get_urls(),
        ]

    def issue_or_404(self, request, pk):
        issue = get_object_or_404(Issue.objects.select_related("newsletter", "bulk_send"), pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        return issue

    def preview(self, request, pk, part):
        """The mail as a reader gets it, with harmless links in place of theirs."""
        issue = self.issue_or_404(request, pk)
        _subject, text, html = sending.render_issue(issue)
        links = sending.preview_links()
        if part == "text":
            return HttpResponse(personal(text, links), content_type="text/plain; charset=utf-8")
        if part == "html":
            return HttpResponse(personal(html, links, html=True))
        raise Http404

    def test(self, request, pk):
        issue = self.issue_or_404(request, pk)
        if request.method != "POST":
            return redirect("admin:newsletters_issue_change", pk)
        if sending.send_test(issue, request.user):
            self.message_user(
                request, _("A test has been sent to %(email)s.") % {"email": request.user.email}
            )
        else:
            self.message_user(request, _("Your account has no e-mail address."), messages.ERROR)
        return redirect("admin:newsletters_issue_change", pk)

    def send(self, request, pk):
        issue = self.issue_or_404(request, pk)
        if not self.can_send(request):
            raise PermissionDenied
        if request.method == "POST":
            if sending.send_issue(issue, by=request.user):
                self.message_user(request, _("The issue is being sent."), messages.SUCCESS)
            else:
                self.message_user(request, _("This issue has already been sent."), messages.WARNING)
            return redirect("admin:newsletters_issue_change", pk)
        if issue.status != Issue.Status.DRAFT:
            self.message_user(request, _("This issue has already been sent."), messages.WARNING)
            return redirect("admin:newsletters_issue_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send “%(issue)s”?") % {"issue": issue},
            "issue": issue,
            "opts": self.opts,
            "recipients": len(sending.recipients_of(issue.newsletter)),
            "stories": issue.stories(),
        }
        return TemplateResponse(request, "admin/newsletters/issue/send.html", context)

    def prepare(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect("admin:newsletters_issue_changelist")
        for _newsletter, issue, created in sending.prepare_digests():
            url = reverse("admin:newsletters_issue_change", args=[issue.pk])
            if created:
                text = _("Prepared: %(issue)s") % {"issue": issue}
            else:
                text = _("Already prepared: %(issue)s") % {"issue": issue}
            self.message_user(request, format_html('<a href="{}">{}</a>', url, text))
        return redirect("admin:newsletters_issue_changelist")


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    fields = ["newsletter", "created_at"]
    readonly_fields = ["newsletter", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "user", "confirmed_at", "confirmed_by"]
    list_filter = ["confirmed_by", "subscriptions__newsletter"]
    search_fields = ["email"]
    readonly_fields = ["email", "user", "confirmed_at", "confirmed_by", "created_at"]
    inlines = [SubscriptionInline]

    def has_add_permission(self, request):
        return False  # only their owners subscribe (double opt-in)
