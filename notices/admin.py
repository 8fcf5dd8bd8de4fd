import html

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from articles.admin import ArticleAdmin
from articles.models import Article
from audit import record
from audit.admin import RecordsChanges
from audit.models import AuditEntry
from newsroom import invalidation
from newsroom.admin import AnnouncesChanges, ReportsRemovedMarkup

from . import labelling
from .models import Channel, Label, Notice


class AnnouncesNotices(AnnouncesChanges):
    """A notice's sections and articles are written after it; bulk deletes skip delete()."""

    def announce(self, obj, before):
        invalidation.notices_changed(obj)


class ChannelInline(admin.TabularInline):
    """The channels a notice lists after its body ("Our news channels"), in position order."""

    model = Channel
    fields = ["position", "name", "kind", "link", "description", "active"]
    ordering = ["position", "pk"]
    extra = 1
    verbose_name = _("channel")
    verbose_name_plural = _(
        "Channels listed after the text (smallest position first: drag a row by ↕ or change "
        "the numbers to reorder)"
    )

    class Media:
        js = ["js/channel-order.js"]
        css = {"all": ["css/admin_channels.css"]}


@admin.register(Notice)
class NoticeAdmin(ReportsRemovedMarkup, RecordsChanges, AnnouncesNotices, SimpleHistoryAdmin):
    rich_text_fields = ["body"]
    inlines = [ChannelInline]
    list_display = ["name", "placement", "scope", "position", "active", "label_count"]
    list_editable = ["position", "active"]
    list_filter = ["placement", "scope", "active", "list_format"]
    search_fields = ["name", "body"]
    autocomplete_fields = ["sections", "articles"]
    readonly_fields = ["preview", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "body", "list_format", "preview"]}),
        (_("Where it shows"), {"fields": ["placement", "position", "active"]}),
        (_("Scope"), {"fields": ["scope", "sections", "articles"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(label_total=Count("labels"))

    def save_formset(self, request, form, formset, change):
        # Each channel added, changed or deleted here is audited like the notice itself; a
        # deleted one while it still has its id.
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk:
                record(AuditEntry.Action.DELETE, inline_form.instance, by=request.user)
        super().save_formset(request, form, formset, change)
        for channel in formset.new_objects:
            record(AuditEntry.Action.ADD, channel, by=request.user)
        for channel, fields in formset.changed_objects:
            record(AuditEntry.Action.CHANGE, channel, by=request.user, fields=fields)

    @admin.display(description=_("labels"), ordering="label_total")
    def label_count(self, notice):
        url = reverse("admin:notices_label_changelist") + f"?notice__id__exact={notice.pk}"
        return format_html('<a href="{}">{}</a>', url, notice.label_total)

    @admin.display(description=_("preview"))
    def preview(self, notice):
        if not notice.pk:
            return _("Save the notice to see how readers will see it.")
        labels = [labelling.LabelData.of(label) for label in notice.labels.in_force()]
        channels = [
            labelling.ChannelData.of(channel)
            for channel in notice.channels.filter(active=True).order_by("position", "pk")
        ]
        data = labelling.NoticeData.of(notice, labels, channels=channels)
        return render_to_string(
            "notices/notices.html", {"notices": [data], "placement": notice.placement}
        )


@admin.register(Label)
class LabelAdmin(RecordsChanges, AnnouncesNotices, SimpleHistoryAdmin):
    list_display = [
        "name",
        "label_text",
        "notice",
        "position",
        "active",
        "valid_from",
        "valid_until",
    ]
    list_editable = ["position", "active"]
    list_filter = ["notice", "active", "valid_from", "valid_until"]
    list_select_related = ["notice"]
    search_fields = ["name", "aliases", "listed_as", "label_text"]
    readonly_fields = ["where_used", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "aliases", "label_text", "listed_as"]}),
        (
            _("Register"),
            {"fields": ["notice", "position", "active", "valid_from", "valid_until", "updated_at"]},
        ),
        (_("Where is this used"), {"fields": ["where_used"]}),
    ]

    @admin.display(description=_("published articles mentioning it"))
    def where_used(self, label):
        if not label.pk:
            return _("Save the label to see which articles mention it.")
        articles = articles_mentioning(label)
        if not articles:
            return _("No published article mentions it.")
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            ngettext(
                "%(count)d published article mentions it.",
                "%(count)d published articles mention it.",
                len(articles),
            )
            % {"count": len(articles)},
            format_html_join(
                "",
                '<li><a href="{}">{}</a> (<a href="{}">{}</a>)</li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[a.pk]),
                        a.title,
                        a.get_absolute_url(),
                        _("on the site"),
                    )
                    for a in articles
                ),
            ),
        )


def articles_mentioning(label, limit=200):
    """Published articles whose headline, lead or body mention the label's names. The
    database narrows by substring (each name and alias, and on a Russian site each of their
    case forms), the matcher confirms whole words and case."""
    matcher = labelling.Matcher([labelling.LabelData.of(label)])
    query = Q()
    for escaped in matcher.by_term:
        term = html.unescape(escaped)
        query |= Q(title__contains=term) | Q(lead__contains=term) | Q(body__contains=escaped)
    found = []
    candidates = (
        Article.objects.published()
        .filter(query)
        .only("pk", "slug", "title", "lead", "body", "published_at")
    )
    for article in candidates.iterator():
        texts = [labelling.escape_text(article.title), labelling.escape_text(article.lead)]
        if any(next(matcher.finditer(text), None) for text in [*texts, article.body]):
            found.append(article)
            if len(found) >= limit:
                break
    return found


def found_as(matcher, mention):
    """The text as found, and for an inflected form the name it is a form of:
    "Медузы — Медуза (genitive)"."""
    found = html.unescape(mention.term)
    inflected = matcher.found_as(mention.term)
    if inflected is None:
        return found
    term, case = inflected
    return _("%(found)s — %(name)s (%(case)s)") % {
        "found": found,
        "name": html.unescape(term),
        "case": case,
    }


class MentionsConfirmForm(ArticleAdmin.form):
    confirm_unlabelled_mentions = forms.BooleanField(
        label=_("Publish with unlabelled mentions"),
        required=False,
        help_text=_(
            "Headlines and leads are never rewritten. Tick this to publish although the "
            "headline or lead mentions a registered name without its label."
        ),
    )

    def clean(self):
        cleaned_data = super().clean()
        # Publishing is a workflow step (publish now, schedule); an article already published
        # is published again when its headline or lead changes.
        publishing = self.data.get("_workflow") in {"publish", "schedule"} or (
            self.instance.status == Article.Status.PUBLISHED
            and bool({"title", "lead"} & set(self.changed_data))
        )
        if publishing and not cleaned_data.get("confirm_unlabelled_mentions"):
            matcher = labelling.snapshot().matcher
            names = sorted(
                {
                    html.unescape(mention.term)
                    for text in [cleaned_data.get("title", ""), cleaned_data.get("lead", "")]
                    for mention in labelling.find_text_mentions(text, matcher)
                    if not mention.labelled
                }
            )
            if names:
                self.add_error(
                    "confirm_unlabelled_mentions",
                    _(
                        "The headline or lead mentions %(names)s without the label. Add the "
                        "label by hand, or tick this box to publish anyway."
                    )
                    % {"names": ", ".join(names)},
                )
        return cleaned_data


admin.site.unregister(Article)


@admin.register(Article)
class ArticleWithMentionsAdmin(ArticleAdmin):
    """The articles admin, plus the Mentions panel: articles knows nothing of notices."""

    form = MentionsConfirmForm

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "mentions"]

    def get_fieldsets(self, request, obj=None):
        return [
            *super().get_fieldsets(request, obj),
            (_("Mentions"), {"fields": ["mentions", "confirm_unlabelled_mentions"]}),
        ]

    @admin.display(description=_("registered names found"))
    def mentions(self, article):
        matcher = labelling.snapshot().matcher
        places = [
            (_("headline"), labelling.find_text_mentions(article.title or "", matcher)),
            (_("lead"), labelling.find_text_mentions(article.lead or "", matcher)),
            (_("body"), labelling.find_mentions(article.body or "", matcher)),
        ]
        rows = {}
        for place, found in places:
            for mention in found:
                if mention.linked and not mention.labelled:
                    state = _("inside a link or code: cannot be labelled there")
                elif mention.labelled:
                    state = _("labelled")
                else:
                    state = _("NOT labelled: add the label by hand")
                rows.setdefault(
                    (place, found_as(matcher, mention), mention.label.label_text), state
                )
        if not rows:
            return _("No registered name is mentioned.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("name"),
            _("where"),
            _("label"),
            _("state"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>({})</td><td>{}</td></tr>",
                ((name, place, text, state) for (place, name, text), state in rows.items()),
            ),
        )
