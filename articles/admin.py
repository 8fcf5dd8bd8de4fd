from django import forms
from django.contrib import admin, messages
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.models import FlatPage
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_prose_editor.fields import ProseEditorFormField
from taggit.forms import TagWidget
from taggit.models import Tag

from .models import EDITOR_EXTENSIONS, Article, Author, Correction, Section
from .richtext import sanitize_html, validate_html_limits


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["user"]


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


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "slug", "section", "authors", "lead", "body", "tags"]
        widgets = {"tags": TagListWidget(attrs={"size": 60})}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "section", "status_label", "published_at", "author_names"]
    list_filter = ["status", "section", "published_at", ("tags", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["section"]
    search_fields = ["title", "lead", "slug"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["authors", "section"]
    readonly_fields = ["image_preview", "created_at", "updated_at"]
    inlines = [CorrectionInline]
    actions = ["publish_now", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "authors", "lead", "body", "tags"]}),
        (
            _("Image"),
            {
                "fields": [
                    "image",
                    "image_preview",
                    "image_alt",
                    "image_caption",
                    "image_credit",
                    "image_credit_url",
                ]
            },
        ),
        (_("Source"), {"fields": ["source_name", "source_url"]}),
        (
            _("Publication"),
            {"fields": ["status", "published_at", "comments_open", "created_at", "updated_at"]},
        ),
        (_("Search engines"), {"fields": ["seo_description"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, article):
        if article.status == Article.Status.PUBLISHED and not article.is_public:
            return _("Scheduled")
        return article.get_status_display()

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return ", ".join(author.name for author in article.authors.all())

    @admin.display(description=_("preview"))
    def image_preview(self, article):
        if not article.image:
            return _("No image yet.")
        return format_html(
            '<img src="{}" alt="" style="max-width: 360px; max-height: 240px">', article.image.url
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    @admin.action(description=_("Publish selected articles now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        with transaction.atomic():
            articles = list(queryset.select_for_update())
            for article in articles:
                article.status = Article.Status.PUBLISHED
                if article.published_at is None or article.published_at > now:
                    article.published_at = now
                article.save()
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", len(articles))
            % len(articles),
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish selected articles (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT, updated_at=timezone.now())
        self.message_user(
            request,
            ngettext("%d article moved back to draft.", "%d articles moved back to draft.", count)
            % count,
            messages.SUCCESS,
        )


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
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
class InformationPageAdmin(FlatPageAdmin):
    """The footer's "Information" pages (about, contacts, comment rules)."""

    form = InformationPageForm
    list_display = ["url", "title", "site_names"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sites")

    @admin.display(description=_("sites"))
    def site_names(self, page):
        return format_html_join(", ", "{}", ((site.domain,) for site in page.sites.all()))


admin.site.site_header = _("Newsroom administration")
admin.site.site_title = _("Newsroom")
admin.site.index_title = _("Editorial desk")
