from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from audit.admin import RecordsChanges
from newsroom.admin import MEDIA_UNAVAILABLE, MediaErrorsAsFormErrors, media_failure
from newsroom.storage import UNAVAILABLE

from .models import Image

CHOOSER_PAGE_SIZE = 24


class UploadForm(forms.ModelForm):
    """The chooser's own upload: a new library image, ready to insert."""

    class Meta:
        model = Image
        fields = ["file", "title", "alt_text", "caption", "credit", "credit_url"]


@admin.register(Image)
class ImageAdmin(MediaErrorsAsFormErrors, RecordsChanges, admin.ModelAdmin):
    """Every change is in the audit log: a credit or a caption is an editorial decision."""

    list_display = ["thumbnail", "title", "alt_text", "credit", "dimensions", "uploaded_at"]
    list_display_links = ["thumbnail", "title"]
    list_select_related = ["uploaded_by"]
    search_fields = ["title", "alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["focal_point_picker", "dimensions", "usage", "uploaded_by", "uploaded_at"]
    fieldsets = [
        (None, {"fields": ["file", "title", "alt_text", "caption", "credit", "credit_url"]}),
        (
            _("Focal point"),
            {
                "fields": ["focal_point_picker", "focal_x", "focal_y"],
                "description": _(
                    "The part of the picture that must stay in view when it is cropped, e.g. "
                    "a face. Click on it in the picture, or type the two numbers."
                ),
            },
        ),
        (_("Where it is used"), {"fields": ["usage", "dimensions", "uploaded_by", "uploaded_at"]}),
    ]

    class Media:
        js = ["js/focal-point.js"]

    @admin.display(description=_("image"))
    def thumbnail(self, image):
        if not image.file:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="120" style="height: auto; max-height: 90px; '
            'object-fit: contain">',
            image.thumbnail_url,
        )

    @admin.display(description=_("size"))
    def dimensions(self, image):
        if not image.width:
            return "—"
        return _("%(width)d × %(height)d pixels") % {"width": image.width, "height": image.height}

    @admin.display(description=_("picture"))
    def focal_point_picker(self, image):
        if not image.pk or not image.file:
            return _("Save the image first; then click on it here to set its focal point.")
        return format_html(
            '<div class="focal-point" data-focal-point>'
            '<img src="{}" alt="" width="{}" height="{}">'
            '<span class="focal-point__marker" style="left: {}%; top: {}%"></span></div>',
            image.thumbnail_url,
            image.full_renditions[0][0],
            image.full_renditions[0][1],
            round(image.focal_x * 100, 1),
            round(image.focal_y * 100, 1),
        )

    @admin.display(description=_("used by"))
    def usage(self, image):
        if not image.pk:
            return "—"
        usages = image.usages()
        if not usages:
            return _("No article uses this image yet.")
        return format_html(
            '<ul class="image-usage">{}</ul>',
            format_html_join(
                "",
                '<li><a href="{}">{}</a> — {}</li>',
                (
                    (reverse("admin:articles_article_change", args=[article.pk]), article, where)
                    for article, where in usages
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        view = self.admin_site.admin_view(self.chooser_view)
        return [path("choose/", view, name="media_image_choose"), *super().get_urls()]

    def chooser_view(self, request):
        """The rich-text editor's "Browse…" window: search the library, upload, insert.
        The editor passes `CKEditorFuncNum`, the number of its callback (static/js/
        library-chooser.js calls it)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        callback = request.GET.get("CKEditorFuncNum", "")
        callback = callback if callback.lstrip("-").isdigit() else ""
        query = request.GET.get("q", "")[:100]
        can_upload = self.has_add_permission(request)
        form = None
        if can_upload:
            form = UploadForm(request.POST or None, request.FILES or None)
            if request.method == "POST" and form.is_valid():
                image = form.save(commit=False)
                image.uploaded_by = request.user
                try:
                    with transaction.atomic():
                        image.save()
                except UNAVAILABLE as error:
                    media_failure(error)
                    form.add_error(None, MEDIA_UNAVAILABLE)
                else:
                    params = urlencode({"CKEditorFuncNum": callback, "uploaded": image.pk})
                    return redirect(f"{reverse('admin:media_image_choose')}?{params}")
        elif request.method == "POST":
            raise PermissionDenied
        images = Image.objects.all()
        if query:
            images, _duplicates = self.get_search_results(request, images, query)
        page = Paginator(images, CHOOSER_PAGE_SIZE).get_page(request.GET.get("page"))
        uploaded = request.GET.get("uploaded", "")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Choose an image from the library"),
            "subtitle": None,
            "is_popup": True,
            "page_obj": page,
            "query": query,
            "callback": callback,
            "form": form,
            "uploaded": int(uploaded) if uploaded.isdigit() else None,
            "page_query": urlencode({"CKEditorFuncNum": callback, "q": query}),
        }
        return TemplateResponse(request, "admin/media/image/chooser.html", context)
