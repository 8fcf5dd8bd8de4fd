import math

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions as admin_actions
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.models import FlatPage
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_prose_editor.fields import ProseEditorFormField
from taggit import admin as taggit_admin
from taggit.forms import TagWidget
from taggit.models import Tag

import audit
from audit.admin import RecordsChanges
from audit.models import AuditEntry
from newsroom import invalidation
from newsroom.admin import AnnouncesChanges, MediaErrorsAsFormErrors, ReportsRemovedMarkup
from newsroom.richtext import BODY_TAGS, sanitize_html, validate_html_limits

from . import metadata, slugs, workflow
from .diff import field_diffs, markup_changes, relation_changes
from .editing_admin import AutosaveForm, EditingDesk
from .forms import TagListField
from .models import (
    EDITOR_EXTENSIONS,
    Article,
    ArticleViews,
    Author,
    Correction,
    PendingChanges,
    Section,
    site_language,
)
from .views import article_page


class FillsSlug(forms.ModelForm):
    """A slug the editor may leave empty: the server then makes it from `slug_source` as the
    page does while typing (articles/slugs.py, Cyrillic transliterated), unique among its rows.
    An existing row keeps its slug when it is emptied: its address may be linked to."""

    slug_source = "name"
    slug_fallback = "page"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            field = self.fields["slug"]
            field.required = False
            field.help_text = format_html(
                "{} {}",
                field.help_text,
                _(
                    "Left empty, it is made when you save, Cyrillic in Latin letters "
                    "(ICAO, as in passports); once made, it stays when the name changes."
                ),
            )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug:
            return slug
        if self.instance.pk and self.instance.slug:
            return self.instance.slug
        source = self.cleaned_data.get(self.slug_source) or ""
        return slugs.unique_slug(self._meta.model, source, fallback=self.slug_fallback)


class SlugsFromCyrillic:
    """An admin whose prepopulated slug transliterates Cyrillic as the server does."""

    class Media:
        # After Django's urlify.js, which it wraps: listed so that merged media keep the order.
        js = ["admin/js/urlify.js", "js/admin-slugs.js"]


class SectionForm(FillsSlug):
    slug_fallback = "section"

    class Meta:
        model = Section
        fields = ["name", "slug", "description", "position"]


class AuthorForm(FillsSlug):
    slug_fallback = "author"

    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "photo", "user"]


@admin.register(Section)
class SectionAdmin(SlugsFromCyrillic, AnnouncesChanges, admin.ModelAdmin):
    form = SectionForm
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def announce(self, section, before):
        invalidation.section_changed(section)


@admin.register(Author)
class AuthorAdmin(MediaErrorsAsFormErrors, SlugsFromCyrillic, AnnouncesChanges, admin.ModelAdmin):
    form = AuthorForm
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["user"]

    def before(self, author):
        return invalidation.author_changed(author, announce=False)

    def announce(self, author, before):
        invalidation.changed(*before, *invalidation.author_changed(author, announce=False))


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(SlugsFromCyrillic, AnnouncesChanges, taggit_admin.TagAdmin):
    """taggit's tag admin; a renamed or deleted tag is fresh on every page that shows it."""

    def before(self, tag):
        return invalidation.tag_changed(tag, announce=False)

    def announce(self, tag, before):
        invalidation.changed(*before, *invalidation.tag_changed(tag, announce=False))


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["kind", "created_at", "text"]


class TagListWidget(TagWidget):
    """The tag field with the newsroom's most used tags offered as suggestions while typing."""

    template_name = "admin/articles/tag_list_widget.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs']['id']}_suggestions"
        context["suggestions"] = (
            Tag.objects.annotate(uses=Count("taggit_taggeditem_items"))
            .order_by("-uses", "name")
            .values_list("name", flat=True)[:500]
        )
        return context


class ArticleAdminForm(AutosaveForm, FillsSlug):
    """Checks on the server what the page only hides: who may set the state, and that nobody
    saves over a version they have not seen."""

    # The article's `updated_at` when the form was opened; rendered in the change form's top.
    opened_version = forms.CharField(widget=forms.HiddenInput, required=False)
    user = None  # the signed-in user, set by ArticleAdmin.get_form
    EDITORS_ONLY = ("status", "published_at", "published_at_0", "published_at_1", "review_note")
    slug_source = "title"
    slug_fallback = "article"

    class Meta:
        model = Article
        fields = ["title", "slug", "section", "authors", "lead", "body", "tags"]
        field_classes = {"tags": TagListField}
        wide = {"style": "width: min(100%, 48rem)"}
        widgets = {
            "title": forms.TextInput(attrs=wide),
            "slug": forms.TextInput(attrs=wide),
            "tags": TagListWidget(attrs=wide),
        }

    language = forms.ChoiceField(
        label=_("language"),
        required=False,
        choices=metadata.language_choices,
        help_text=_(
            "The language the article is written in; its page, feeds and search engines say so."
        ),
    )

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or site_language()

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        self.pending = instance and workflow.pending_changes(instance)
        if self.pending and not (args or kwargs.get("data")):
            # Opened to edit: the form shows the unpublished changes, not the live text.
            workflow.show_pending_changes(instance, self.pending)
            kwargs["initial"] = {
                "authors": [author.pk for author in instance.authors.all()],
                "tags": list(instance.tags.all()),
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = workflow.version_of(self.instance, self.pending)

    def clean(self):
        cleaned_data = super().clean()
        if not workflow.can_publish(self.user) and any(f in self.data for f in self.EDITORS_ONLY):
            raise ValidationError(
                _(
                    "Only editors set the status, the publication time or the note to the "
                    "reporter. Nothing was saved; use “Submit for review” when the draft is ready."
                ),
                code="editors_only",
            )
        if self.instance.pk:
            self.refuse_without_lock()
            self.refuse_stale_save()
        self.check_transition(cleaned_data)
        return cleaned_data

    def refuse_stale_save(self):
        current = (
            Article.objects.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        pending = workflow.pending_changes(self.instance)
        opened_article, _sep, opened_pending = (self.data.get("opened_version") or "").partition(
            "|"
        )
        try:
            opened = parse_datetime(opened_article)
        except ValueError:  # well-formed but impossible, e.g. month 13: treat as stale
            opened = None
        last = None
        if current is not None and opened == current:
            if opened_pending == (pending.saved_at.isoformat() if pending else ""):
                return
            if pending:  # somebody saved unpublished changes since
                current, last = pending.saved_at, pending.saved_by
        if last is None:
            last = self.instance.history.select_related("history_user").first()
            last = last and last.history_user
        raise ValidationError(
            format_html(
                '{} <a href="{}" target="_blank">{}</a>',
                _(
                    "Not saved: %(who)s changed this article at %(when)s, after you opened it. "
                    "Your text is still in the form below: copy what you need, then"
                )
                % {
                    "who": last or _("somebody"),
                    "when": date_format(timezone.localtime(current), "DATETIME_FORMAT"),
                },
                reverse("admin:articles_article_change", args=[self.instance.pk]),
                _("open the current version in a new tab."),
            ),
            code="stale",
        )

    def check_transition(self, cleaned_data):
        action = self.data.get("_workflow")
        if not action:
            return
        if action not in workflow.available_transitions(self.user, self.instance):
            raise ValidationError(_("That step is not available for this article."), code="step")
        if action not in workflow.TRANSITIONS:  # withdraw: confirmed on a page of its own
            raise ValidationError(
                _("Nothing was saved: withdrawing asks for a reason on the “Withdraw” page."),
                code="confirm",
            )
        published_at = cleaned_data.get("published_at")
        if action == "schedule" and not (published_at and published_at > timezone.now()):
            self.add_error("published_at", _("To schedule, set a publication time in the future."))
        needs_note = self.instance.status == Article.Status.REVIEW
        if action == "send_back" and needs_note and not cleaned_data.get("review_note"):
            self.add_error("review_note", _("Say what the reporter should change."))


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to readers"),
        max_length=workflow.WITHDRAWAL_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4, "style": "width: min(100%, 48rem)"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per form, in the request's language (in the class, it was once, at import).
        self.fields["reason"].help_text = _(
            "Plain text, at most %(limit)d characters. Readers who open the article's address "
            "read: “This article was withdrawn on <date>: <reason>”."
        ) % {"limit": workflow.WITHDRAWAL_REASON_MAX_LENGTH}


class AsOfForm(forms.Form):
    at = forms.DateTimeField(
        label=_("View as published on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("A date and time, in the site's time zone."),
        error_messages={
            "required": _("Choose the date and time to look at."),
            "invalid": _("Enter a date and time, for example 2026-11-27 14:00."),
        },
    )


class WorkflowStateFilter(admin.SimpleListFilter):
    """The status filter, with scheduled articles told apart from published ones."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (Article.Status.DRAFT, _("Draft")),
            (Article.Status.REVIEW, _("In review")),
            ("scheduled", _("Scheduled")),
            (Article.Status.PUBLISHED, _("Published")),
            ("changes", _("Live, with unpublished changes")),
            (Article.Status.WITHDRAWN, _("Withdrawn")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        if value == Article.Status.PUBLISHED:
            return queryset.published()
        if value == "changes":
            return queryset.published().filter(pending_changes__isnull=False)
        if value in Article.Status.values:
            return queryset.filter(status=value)
        return queryset


WORDS_READ_PER_MINUTE = 200

WORKFLOW_BUTTONS = {
    "submit": _("Submit for review"),
    "publish": _("Publish now"),
    "publish_changes": _("Publish changes"),
    "schedule": _("Schedule"),
    "send_back": _("Send back to draft"),
    "withdraw": _("Withdraw"),
}


@admin.register(Article)
class ArticleAdmin(EditingDesk, ReportsRemovedMarkup, AnnouncesChanges, admin.ModelAdmin):
    form = ArticleAdminForm
    rich_text_fields = ["body"]
    rich_text_tags = BODY_TAGS  # library images and galleries too
    list_display = ["title", "section", "status_label", "published_at", "author_names"]
    list_filter = [
        WorkflowStateFilter,
        "section",
        "published_at",
        ("tags", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["section", "pending_changes"]
    # Authors and tags are many-to-many: the changelist lists each article once (Exists).
    search_fields = ["title", "lead", "slug", "authors__name", "body", "tags__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "section", "image", "translation_of"]
    readonly_fields = [
        "image_preview",
        "reading_time",
        "share_preview",
        "created_at",
        "updated_at",
    ]
    inlines = [CorrectionInline]
    actions = ["publish_now", "unpublish", "withdraw", "delete_selected"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "section",
                    "authors",
                    "lead",
                    "body",
                    "reading_time",
                    "tags",
                ]
            },
        ),
        (
            _("Image"),
            {
                "fields": ["image", "image_preview"],
                "description": _(
                    "The description, caption, credit and focal point belong to the image in "
                    "the media library: change them there, for every article that uses it."
                ),
            },
        ),
        (_("Source"), {"fields": ["source_name", "source_url"]}),
        (_("Language"), {"fields": ["language", "translation_of"], "classes": ["collapse"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "review_note",
                    "comments_open",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (_("Search results and sharing"), {"fields": ["share_preview", "seo_description"]}),
    ]

    class Media:
        css = {"all": ["css/admin_share_preview.css"]}
        js = ["js/share_preview.js", "admin/js/urlify.js", "js/admin-slugs.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user  # a class made for this request by modelform_factory
        return form

    def get_readonly_fields(self, request, obj=None):
        # The state changes only through the workflow buttons, which check who may do what.
        fields = [*super().get_readonly_fields(request, obj), "status"]
        if not workflow.can_publish(request.user):
            fields += ["published_at", "review_note"]
        return fields

    def has_delete_permission(self, request, obj=None):
        """Readers have seen a published or withdrawn article: editors withdraw it, and only a
        superuser deletes it (leaving a tombstone, so its address still answers 410)."""
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or request.user.is_superuser or not obj.was_seen_by_readers

    def has_change_permission(self, request, obj=None):
        """A reporter changes only their own drafts; others' articles open read-only."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or workflow.can_edit(request.user, obj)

    def view_on_site(self, article):
        if article.is_public:
            return article.get_absolute_url()
        return reverse("articles:preview", args=[article.pk])

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, article):
        if article.is_scheduled:
            return _("Scheduled")
        if article.is_public and article.has_pending_changes:
            return _("Live, with unpublished changes")
        return article.get_status_display()

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return ", ".join(author.name for author in article.authors.all())

    @admin.display(description=_("length"))
    def reading_time(self, article):
        """Of the text as saved; it follows the editor's changes at each save."""
        words = article.word_count
        if not words:
            return _("No text yet.")
        minutes = max(1, math.ceil(words / WORDS_READ_PER_MINUTE))
        return ngettext(
            "%(words)d words, about %(minutes)d minute to read",
            "%(words)d words, about %(minutes)d minutes to read",
            minutes,
        ) % {"words": words, "minutes": minutes}

    @admin.display(description=_("how it looks"))
    def share_preview(self, article):
        """From the saved values; static/js/share_preview.js follows the typing."""
        return render_to_string(
            "admin/articles/article/share_preview.html",
            {"preview": metadata.share_preview(article)},
        )

    @admin.display(description=_("preview"))
    def image_preview(self, article):
        """The saved image as the lead shows it (cropped around its focal point)."""
        image = article.image
        renditions = image.wide_renditions if image else []
        if not renditions:
            return _("No image yet.")
        return format_html(
            '<img src="{}" alt="" width="{}" height="{}" style="max-width: 360px; height: auto">'
            '<br>{} · <a href="{}">{}</a>',
            renditions[0][2],
            renditions[0][0],
            renditions[0][1],
            image.alt_text or _("No description"),
            reverse("admin:media_image_change", args=[image.pk]),
            _("Edit in the library"),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        article = obj or Article()
        if add or self.has_change_permission(request, obj):
            context["workflow_buttons"] = [
                (name, WORKFLOW_BUTTONS[name])
                for name in workflow.available_transitions(request.user, article)
            ]
            context["withdraw_url"] = article.pk and reverse(
                "admin:articles_article_withdraw", args=[article.pk]
            )
        context["article_state"] = self.status_label(article)
        context["live"] = article.is_public
        context["pending"] = context["adminform"].form.pending
        if context["pending"]:
            context["discard_url"] = reverse(
                "admin:articles_article_discard_changes", args=[article.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def before(self, article):
        return invalidation.article_keys(article)

    def announce(self, article, before):
        # Tags and authors are written after the article: the lists it joined or left.
        if not getattr(article, "saved_live", False):
            invalidation.article_changed(article, before=before)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        else:
            obj._announce_before = self.before(obj)
        action = request.POST.get("_workflow")  # already checked by the form
        if change and action in (None, "publish_changes") and workflow.is_live(obj):
            self.save_live(request, obj, form, publish=bool(action))
            return
        if change:  # the form held the unpublished changes: the article takes them now
            PendingChanges.objects.filter(article_id=obj.pk).delete()
        if not action:
            super().save_model(request, obj, form, change)
            return
        options = {
            "schedule": {"at": obj.published_at},
            "send_back": {"note": obj.review_note},
        }.get(action, {})
        workflow.TRANSITIONS[action](obj, by=request.user, **options)
        self.message_user(request, obj.history.first().history_change_reason, messages.SUCCESS)

    def save_live(self, request, obj, form, *, publish):
        """A live article's text waits for "Publish changes"; what acts at once (comments
        open, the note, the time) is saved on the published article."""
        request.newsroom_kept_changes = not publish
        obj.saved_live = True  # its own saves announce what readers see change
        workflow.keep_changes(
            obj, workflow.changes_from_form(form), by=request.user, audited=not publish
        )
        live = Article.objects.get(pk=obj.pk)
        at_once = {
            name: value
            for name, value in form.cleaned_data.items()
            if name in workflow.APPLIED_AT_ONCE and name in form.changed_data
        }
        if at_once:
            for name, value in at_once.items():
                setattr(live, name, value)
            live._history_user, live._change_reason = request.user, _("Changed")
            live.save()
        if publish:
            workflow.publish_changes(live, by=request.user)
            self.message_user(
                request, _("Changes published: readers see them now."), messages.SUCCESS
            )

    def save_related(self, request, form, formsets, change):
        if getattr(form.instance, "saved_live", False):
            # Authors and tags are in the pending changes (or were published with them).
            form.save_m2m = lambda: None
        super().save_related(request, form, formsets, change)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "newsroom_kept_changes", False) and level == messages.SUCCESS:
            message = _(
                "Your changes are saved but not published: readers still see the published "
                "article. Preview them, then use “Publish changes”."
            )
            request.newsroom_kept_changes = None  # said once
        super().message_user(request, message, level, *args, **kwargs)

    def discard_changes_view(self, request, object_id):
        article = self.get_object(request, object_id)
        if (
            request.method != "POST"
            or article is None
            or not self.has_change_permission(request, article)
        ):
            raise PermissionDenied
        if workflow.discard_changes(article, by=request.user):
            self.message_user(
                request, _("The unpublished changes were discarded."), messages.SUCCESS
            )
        return redirect("admin:articles_article_change", article.pk)

    def save_formset(self, request, form, formset, change):
        """Corrections written with the article are audited like those of their own admin."""
        if formset.model is not Correction:
            super().save_formset(request, form, formset, change)
            return
        Action = AuditEntry.Action
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                audit.record(Action.DELETE, deleted.instance, by=request.user)
        super().save_formset(request, form, formset, change)
        for correction in formset.new_objects:
            audit.record(Action.ADD, correction, by=request.user, article=correction.article_id)
        for correction, fields in formset.changed_objects:
            audit.record(Action.CHANGE, correction, by=request.user, fields=fields)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def _apply(self, request, queryset, step, done_message):
        done = skipped = 0
        with transaction.atomic():
            # The list's query joins the optional unpublished changes: lock the articles only.
            for article in queryset.select_for_update(of=("self",)):
                try:
                    step(article, by=request.user)
                except workflow.WorkflowError:
                    skipped += 1
                else:
                    done += 1
        self.message_user(request, done_message % done, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d article was skipped: its state does not allow it.",
                    "%d articles were skipped: their state does not allow it.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Publish selected articles now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        self._apply(request, queryset, workflow.publish, _("%d article(s) published."))

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        self._apply(
            request,
            queryset.exclude(status=Article.Status.DRAFT),
            workflow.send_back,
            _("%d article(s) moved back to draft."),
        )

    @admin.action(description=_("Withdraw selected articles…"), permissions=["publish"])
    def withdraw(self, request, queryset):
        return self.confirm_withdrawal(request, queryset)

    def confirm_withdrawal(self, request, queryset, *, single=False):
        """The confirmation page, with the reason readers will be told; its POST (`post`)
        withdraws. None once done (the action then goes back to the list)."""
        form = WithdrawalForm(request.POST if request.POST.get("post") else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]

            def step(article, *, by):
                workflow.withdraw(article, by=by, reason=reason)

            self._apply(request, queryset, step, _("%d article(s) withdrawn."))
            return None
        articles = list(queryset.filter(status=Article.Status.PUBLISHED))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Withdraw articles? Readers will be told why"),
            "subtitle": None,
            "articles": articles,
            "skipped": len(queryset) - len(articles),
            "form": form,
            "single": single,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/articles/article/withdraw_confirmation.html", context
        )

    def withdraw_view(self, request, object_id):
        article = self.get_object(request, object_id)
        if (
            article is None
            or not self.has_change_permission(request, article)
            or not self.has_publish_permission(request)
        ):
            raise PermissionDenied
        queryset = Article.objects.filter(pk=article.pk)
        return self.confirm_withdrawal(request, queryset, single=True) or redirect(
            "admin:articles_article_change", article.pk
        )

    @admin.action(description=_("Delete selected articles"), permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's delete action, for the selected articles this user may delete
        (has_delete_permission); the others are left, and the user is told."""
        refused = [a.pk for a in queryset if not self.has_delete_permission(request, a)]
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%d published or withdrawn article was not deleted: withdraw it instead.",
                    "%d published or withdrawn articles were not deleted: withdraw them instead.",
                    len(refused),
                )
                % len(refused),
                messages.WARNING,
            )
            queryset = queryset.exclude(pk__in=refused)
            if not queryset.exists():
                return None
        return admin_actions.delete_selected(self, request, queryset)

    # History: every version, a diff between any two, one-click restore.

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/withdraw/",
                view(self.withdraw_view),
                name=f"{info}_withdraw",
            ),
            path(
                "<path:object_id>/discard-changes/",
                view(self.discard_changes_view),
                name=f"{info}_discard_changes",
            ),
            path(
                "<path:object_id>/as-of/",
                view(self.as_of_view),
                name=f"{info}_as_of",
            ),
            path(
                "<path:object_id>/history/compare/",
                view(self.history_compare_view),
                name=f"{info}_history_compare",
            ),
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                view(self.history_restore_view),
                name=f"{info}_history_restore",
            ),
            *super().get_urls(),
        ]

    def _article_for_history(self, request, object_id):
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article

    def history_view(self, request, object_id, extra_context=None):
        article = self._article_for_history(request, object_id)
        versions = article.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        page = Paginator(versions, 50).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("History: %s") % article,
            "subtitle": None,
            "page_obj": page,
            "can_restore": self.has_change_permission(request, article),
            "as_of_form": AsOfForm(
                initial={"at": timezone.localtime().replace(second=0, microsecond=0)}
            ),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/articles/article/history.html", context)

    def history_compare_view(self, request, object_id):
        article = self._article_for_history(request, object_id)
        versions = article.history.select_related("history_user")
        try:
            ids = sorted([int(request.GET["old"]), int(request.GET["new"])])
        except (KeyError, ValueError):
            return redirect("admin:articles_article_history", article.pk)
        old = get_object_or_404(versions, history_id=ids[0])
        new = get_object_or_404(versions, history_id=ids[1])
        other_changes = [
            Article._meta.get_field(change.field).verbose_name
            for change in new.diff_against(old, excluded_fields=["title", "lead", "body"]).changes
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("Changes: %s") % article,
            "subtitle": None,
            "old": old,
            "new": new,
            "diffs": field_diffs(old, new, ["title", "lead", "body"]),
            "markup_changes": markup_changes(old.body, new.body),
            "relation_changes": relation_changes(old, new),
            "other_changes": other_changes,
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/history_compare.html", context)

    def as_of_view(self, request, object_id):
        """The article exactly as readers saw it at a chosen moment: the version in force then,
        with the notices, labels and corrections of then. Rendered afresh (what is cached is
        today's page), under a banner saying it is an archived view."""
        article = self._article_for_history(request, object_id)
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = AsOfForm(request.GET if "at" in request.GET else None, initial={"at": now})
        if not form.is_valid():
            return self.as_of_form_page(request, article, form)
        moment = form.cleaned_data["at"]
        version = article.version_at(moment)
        if version is None or not version.was_public_at(moment):
            return self.as_of_form_page(request, article, form, moment=moment, version=version)
        context = article_page(
            request,
            version.as_shown(moment),
            version=version,
            as_of=moment,
            no_shared_parts=True,  # an archived view must never stand in a part readers get
        )
        response = TemplateResponse(request, "articles/article_as_of.html", context)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def as_of_form_page(self, request, article, form, *, moment=None, version=None):
        """The choice of a moment, with the form's errors, or why nothing was public then."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("As published: %s") % article,
            "subtitle": None,
            "form": form,
            "moment": moment,
            "version": version,
            "first_version": moment and version is None and article.history.last(),
            "scheduled": version is not None and version.status == Article.Status.PUBLISHED,
            "withdrawn": version is not None and version.status == Article.Status.WITHDRAWN,
        }
        return TemplateResponse(request, "admin/articles/article/as_of.html", context)

    def history_restore_view(self, request, object_id, history_id):
        article = self._article_for_history(request, object_id)
        if request.method != "POST" or not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(article.history, history_id=history_id)
        workflow.restore(article, version, by=request.user)
        self.message_user(request, article.history.first().history_change_reason, messages.SUCCESS)
        return redirect("admin:articles_article_change", article.pk)


@admin.register(ArticleViews)
class ArticleViewsAdmin(admin.ModelAdmin):
    """How often each article was read, hour by hour: counted from readers' pages (at most once
    per reader's address per article per hour, no address kept) and added a minute or so
    later. Read-only: nobody edits a count."""

    list_display = ["hour", "article", "views"]
    list_select_related = ["article"]
    date_hierarchy = "hour"
    search_fields = ["article__title"]
    ordering = ["-hour", "-views"]
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        # Whoever may see the articles may see how often they were read.
        return request.user.has_perm("articles.view_article")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Correction)
class CorrectionAdmin(RecordsChanges, admin.ModelAdmin):
    list_display = ["article", "kind", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["article"]
    search_fields = ["text", "article__title"]
    autocomplete_fields = ["article"]


class InformationPageForm(forms.ModelForm):
    content = ProseEditorFormField(
        config={"extensions": EDITOR_EXTENSIONS},
        required=False,
        validators=[validate_html_limits],
        label=_("content"),
    )

    class Meta:
        model = FlatPage
        fields = ["url", "title", "content", "sites", "registration_required", "template_name"]

    def clean_content(self):
        return sanitize_html(self.cleaned_data["content"])


admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class InformationPageAdmin(ReportsRemovedMarkup, AnnouncesChanges, FlatPageAdmin):
    """The footer's "Information" pages (about, contacts, comment rules)."""

    form = InformationPageForm
    rich_text_fields = ["content"]
    list_display = ["url", "title", "site_names"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sites")

    def announce(self, page, before):
        invalidation.navigation_changed()

    @admin.display(description=_("sites"))
    def site_names(self, page):
        return format_html_join(", ", "{}", ((site.domain,) for site in page.sites.all()))


admin.site.site_header = _("Newsroom administration")
admin.site.site_title = _("Newsroom")
admin.site.index_title = _("Editorial desk")
