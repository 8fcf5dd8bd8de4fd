"""What readers read: the article page's view counter (beacon address and count) and the
"Most read" block (templates/articles/most_read.html)."""

from datetime import timedelta

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from articles import counting
from articles.models import Article, total_views
from newsroom import invalidation

register = template.Library()


@register.simple_tag
def count_url(article):
    """Where the page's script sends its one beacon: the article's id, signed."""
    return reverse("articles:count_view", args=[counting.token(article.pk)])


@register.simple_tag
def most_read_articles():
    """The most read published articles of the last NEWSROOM_MOST_READ_HOURS: one query."""
    since = timezone.now() - timedelta(hours=settings.NEWSROOM_MOST_READ_HOURS)
    return list(
        Article.objects.published().most_read(since=since, limit=settings.NEWSROOM_MOST_READ_COUNT)
    )


def short_number(n):
    """1,234 as it is; 12,345 as 12K; 1,234,567 as 1.2M."""
    if n < 10_000:
        return number_format(n, force_grouping=True)
    if n < 1_000_000:
        return gettext("%(thousands)sK") % {"thousands": number_format(n // 1000)}
    return gettext("%(millions)sM") % {"millions": number_format(n / 1_000_000, 1)}


@register.simple_tag
def view_count(article):
    """“1,234 views” for the article's meta line (nothing before its first view), kept per
    article for NEWSROOM_MOST_READ_SECONDS: one query when not cached, none when it is."""
    views = invalidation.cached_part(
        "views",
        (article.pk,),
        lambda: total_views(article.pk),
        timeout=settings.NEWSROOM_MOST_READ_SECONDS,
    )
    if not views:
        return ""
    label = ngettext("%(count)s view", "%(count)s views", views) % {"count": short_number(views)}
    return format_html('<span class="view-count">{}</span>', label)
