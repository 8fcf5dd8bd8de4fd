"""Sitemaps of everything public, and the Google News sitemap of the last 48 hours.

Sitemaps are built per request so that their URLs carry the request's host, like every other
absolute URL the site gives out (the sites framework's domain is not used).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.models import Tag

from .models import Article, Author, Section


def latest_update(**filters):
    """The newest `updated_at` of the published articles matching `filters`, as a subquery."""
    articles = Article.objects.published().filter(**filters).order_by("-updated_at")
    return Subquery(articles.values("updated_at")[:1])


class RequestSitemap(Sitemap):
    def __init__(self, request):
        self.request = request

    def get_domain(self, site=None):
        return self.request.get_host()

    def lastmod(self, item):
        return item.lastmod

    def get_latest_lastmod(self):
        # One aggregate instead of Sitemap's default, which loads every item.
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class ArticleSitemap(RequestSitemap):
    limit = 50_000  # the sitemap protocol's maximum; the index lists one page per 50,000

    def items(self):
        return (
            Article.objects.published()
            .only("pk", "slug", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.updated_at


class SectionSitemap(RequestSitemap):
    def items(self):
        return Section.objects.annotate(lastmod=latest_update(section=OuterRef("pk")))


class TagSitemap(RequestSitemap):
    def items(self):
        return (
            Tag.objects.filter(pk__in=Article.objects.published().values("tags"))
            .annotate(lastmod=latest_update(tags=OuterRef("pk")))
            .order_by("name")
        )

    def location(self, item):
        return reverse("articles:tag", args=[item.slug])


class AuthorSitemap(RequestSitemap):
    def items(self):
        return (
            Author.objects.filter(pk__in=Article.objects.published().values("authors"))
            .annotate(lastmod=latest_update(authors=OuterRef("pk")))
            .order_by("name")
        )


class PageSitemap(RequestSitemap):
    """The home page and the Information pages."""

    @cached_property
    def pages(self):
        pages = FlatPage.objects.filter(sites__id=settings.SITE_ID, registration_required=False)
        return [(reverse("articles:home"), super().get_latest_lastmod())] + [
            (page.get_absolute_url(), None) for page in pages.only("url").order_by("url")
        ]

    def get_latest_lastmod(self):
        return self.pages[0][1]

    def items(self):
        return self.pages

    def location(self, item):
        return item[0]

    def lastmod(self, item):
        return item[1]


class NewsSitemap(RequestSitemap):
    """Google News: articles published in the last 48 hours, at most 1,000."""

    limit = 1000

    def items(self):
        since = timezone.now() - timedelta(hours=48)
        return (
            Article.objects.published()
            .filter(published_at__gte=since)
            .only("pk", "slug", "title", "published_at", "updated_at")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "pages": PageSitemap,
}
