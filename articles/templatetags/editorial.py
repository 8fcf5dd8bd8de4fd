from datetime import timedelta

from django import template
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from articles.models import Article

register = template.Library()

PANEL_SIZE = 8


@register.inclusion_tag("admin/articles/dashboard.html", takes_context=True)
def editorial_dashboard(context):
    """The admin index's desk: what is waiting for whom. A fixed handful of small queries."""
    user = context["request"].user
    now = timezone.now()
    data = {"can_see_articles": user.has_perm("articles.view_article")}
    if data["can_see_articles"]:
        articles = Article.objects.select_related("section")
        data |= {
            "my_drafts": articles.filter(created_by=user, status=Article.Status.DRAFT).order_by(
                "-updated_at"
            )[:PANEL_SIZE],
            "in_review": articles.filter(status=Article.Status.REVIEW).order_by("updated_at")[
                :PANEL_SIZE
            ],
            "scheduled": articles.filter(
                status=Article.Status.PUBLISHED,
                published_at__gt=now,
                published_at__lte=now + timedelta(hours=24),
            ).order_by("published_at")[:PANEL_SIZE],
            "recent": articles.published()
            .select_related("pending_changes")
            .order_by("-published_at")[:PANEL_SIZE],
            "changes": articles.published()
            .filter(pending_changes__isnull=False)
            .order_by("-pending_changes__saved_at")[:PANEL_SIZE],
        }
    data |= held_comments(user)
    return data


def held_comments(user):
    """Comments waiting for moderation, when the comments app is installed and says which
    those are (a `held()` queryset method); the articles app knows nothing more of it."""
    if not apps.is_installed("comments"):
        return {}
    try:
        model = apps.get_model("comments", "Comment")
        url = reverse("admin:comments_comment_changelist")
    except (LookupError, NoReverseMatch):
        return {}
    held = getattr(model.objects.all(), "held", None)
    if held is None or not user.has_perm("comments.change_comment"):
        return {}
    return {"held_comments": held().count(), "held_comments_url": url}
