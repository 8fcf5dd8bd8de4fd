from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView
from taggit.models import Tag

from newsroom import invalidation
from newsroom.clients import client_address
from newsroom.invalidation import article_key

from . import counting, metadata, workflow
from .forms import SearchForm
from .models import Article, Author, Correction, Section, Tombstone
from .search import search_articles, snippet
from .sitemaps import SITEMAPS, NewsSitemap

RELATED_ARTICLES = 4


class ListPaginator(Paginator):
    """A list's count kept with its parts, per version of the list's keys (it is asked for
    with every page, for "Page 2 of 40" and to refuse page 41)."""

    def __init__(self, *args, name, keys, **kwargs):
        super().__init__(*args, **kwargs)
        self.name, self.keys = name, keys

    @cached_property
    def count(self):
        return invalidation.cached_part(
            "list-count", (self.name,), lambda: Paginator.count.func(self), keys=self.keys
        )


def cached_row(model, keys, key_of, **lookup):
    """The row of `model` found by `lookup` (or a 404), kept per version of `keys` and of its
    own key (`key_of(pk)`)."""

    def load():
        row = model.objects.filter(**lookup).first()
        if row is None:
            return False  # not None, so that "not found" is kept too
        invalidation.depend(key_of(row.pk))
        return row

    name = f"row-{model._meta.label_lower}"
    row = invalidation.cached_part(name, tuple(sorted(lookup.items())), load, keys=keys)
    if not row:
        raise Http404
    return row


class ArticleListView(ListView):
    """A paginated list of published articles, newest first. The list itself is a part of the
    page (`{% part "list" %}`), rendered once per version of what it shows, and so is its
    count; with them cached the page reads nothing from the database."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = settings.NEWSROOM_PAGE_SIZE
    paginator_class = ListPaginator
    list_key = invalidation.HOME

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(
            queryset, per_page, name=self.request.path, keys=self.list_keys, **kwargs
        )

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(list_keys=self.list_keys, **kwargs)

    def get(self, request, *args, **kwargs):
        # Before the list is read: a change committed meanwhile then makes it stale.
        self.list_keys = [self.list_key, invalidation.LISTS]
        invalidation.depend(*self.list_keys)
        return super().get(request, *args, **kwargs)


class HomeView(ArticleListView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            structured_data=[metadata.website_data(self.request)], **kwargs
        )


class SectionView(ArticleListView):
    def get_queryset(self):
        # Sections are the navigation: a new, renamed or removed one changes "nav".
        self.section = cached_row(
            Section, [invalidation.NAVIGATION], invalidation.section_key, slug=self.kwargs["slug"]
        )
        self.list_keys.append(invalidation.section_key(self.section.pk))
        invalidation.depend(*self.list_keys)
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.section.name,
            description=self.section.description,
            current_section_slug=self.section.slug,
            feed_title=self.section.name,
            feed_rss_url=reverse("articles:section_feed_rss", args=[self.section.slug]),
            feed_atom_url=reverse("articles:section_feed_atom", args=[self.section.slug]),
            **kwargs,
        )


class TagView(ArticleListView):
    def get_queryset(self):
        # A new tag comes with an article, and every article's change gives "home" a new version.
        self.tag = cached_row(
            Tag, [invalidation.HOME], invalidation.tag_key, slug=self.kwargs["slug"]
        )
        self.list_keys.append(invalidation.tag_key(self.tag.pk))
        invalidation.depend(*self.list_keys)
        return super().get_queryset().filter(tags=self.tag)

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        if not paginated[0].count:
            raise Http404  # a tag with no published article has no page (nor leaks a draft's tags)
        return paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=f"#{self.tag.name}",
            feed_title=f"#{self.tag.name}",
            feed_rss_url=reverse("articles:tag_feed_rss", args=[self.tag.slug]),
            feed_atom_url=reverse("articles:tag_feed_atom", args=[self.tag.slug]),
            **kwargs,
        )


class AuthorView(ArticleListView):
    template_name = "articles/author.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        self.list_keys.append(invalidation.author_key(self.author.pk))
        invalidation.depend(*self.list_keys)
        return super().get_queryset().filter(authors=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            author=self.author,
            heading=self.author.name,
            feed_title=self.author.name,
            feed_rss_url=reverse("articles:author_feed_rss", args=[self.author.slug]),
            feed_atom_url=reverse("articles:author_feed_atom", args=[self.author.slug]),
            **kwargs,
        )


def article_page(request, article, **extra):
    """The article page's context, for the detail view and for the comment form sent back
    with an error: one place. What is costly is lazy, so that a page whose parts are cached
    (`{% part %}` in the template) does not compute it."""
    return {
        "article": article,
        "article_keys": [article.cache_key, invalidation.section_key(article.section_id)],
        "current_section_slug": article.section.slug,
        "canonical_url": request.build_absolute_uri(article.get_absolute_url()),
        "image_url": SimpleLazyObject(lambda: metadata.image_url(request, article)),
        "structured_data": SimpleLazyObject(lambda: metadata.article_data(request, article)),
        "page_language": get_language(),
        "alternates": SimpleLazyObject(lambda: metadata.alternates(request, article)),
        "related_articles": SimpleLazyObject(
            lambda: list(Article.objects.published().related_to(article, limit=RELATED_ARTICLES))
        ),
        "related_seconds": settings.NEWSROOM_RELATED_SECONDS,
        **extra,
    }


def article_row(pk):
    """The published or withdrawn article `pk` with its section, else its tombstone if it was
    deleted, else None. The answer is kept with the parts (per version of the article and its
    section), so a page whose parts are cached reads nothing from the database. Only an
    address with no article looks for a tombstone: one more query."""

    def load():
        row = (
            Article.objects.filter(pk=pk, status__in=Article.SEEN_BY_READERS)
            .select_related("section", "image")
            .first()
        )
        if row is None:
            return Tombstone.objects.filter(article_id=pk).first() or False  # "none" is kept too
        invalidation.depend(invalidation.section_key(row.section_id))
        return row

    return invalidation.cached_part("article-row", (pk,), load, keys=[article_key(pk)]) or None


def gone(request, *, title, when, reason):
    """“410 Gone” for an article readers had seen: which one, when, and why."""
    response = render(
        request,
        "articles/withdrawn.html",
        {"title": title, "withdrawn_at": when, "reason": reason},
        status=410,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def article_detail(request, pk, slug):
    row = article_row(pk)
    if isinstance(row, Tombstone):
        return gone(request, title=row.title, when=row.deleted_at, reason=row.reason)
    if row is not None and row.status == Article.Status.WITHDRAWN:
        return gone(request, title=row.title, when=row.withdrawn_at, reason=row.withdrawal_reason)
    # Whether it is public yet is decided now (`is_public`, the same rule as `published()`).
    if row is None or not row.is_public:
        raise Http404
    if row.slug != slug:
        return redirect(row, permanent=True)
    return render(request, "articles/article_detail.html", article_page(request, row))


@csrf_exempt  # no cookie, no session: nothing of the reader's to forge
@require_POST
def count_view(request, token):
    """The article page's beacon (static/js/views.js): one view, counted in the cache only
    (articles/counting.py). 204 whether or not it counted, so that a robot learns nothing; a
    token that names no article is a 404."""
    article_id = counting.article_from(token)
    if article_id is None:
        response = JsonResponse({"error": "unknown article"}, status=404)
    else:
        if settings.NEWSROOM_COUNT_VIEWS and counting.countable(request):
            counting.count(article_id, client_address(request))
        response = HttpResponse(status=204)
    patch_cache_control(response, no_store=True)
    return response


@require_safe
def search(request):
    """Search results; an empty, over-long or odd query gets a normal page, never an error."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page_obj = None
    if query:
        results = (
            search_articles(Article.objects.published(), query)
            .select_related("section")
            .prefetch_related("authors")
        )
        page_obj = Paginator(results, settings.NEWSROOM_PAGE_SIZE).get_page(request.GET.get("page"))
        for article in page_obj:
            article.snippet = snippet(article, query)
    return render(
        request,
        "articles/search.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "paginator": page_obj and page_obj.paginator,
            "is_paginated": page_obj is not None and page_obj.has_other_pages(),
            "pagination_query": urlencode({"q": query}) + "&",
        },
    )


def sitemap_index(request):
    """Django's sitemap index, with URLs on the request's host (see sitemaps.py)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        sitemap = sitemap_class(request)
        location = request.build_absolute_uri(reverse("articles:sitemap", args=[section]))
        lastmod = sitemap.get_latest_lastmod()
        entries.append(sitemap_views.SitemapIndexItem(location, lastmod))
        for page in range(2, sitemap.paginator.num_pages + 1):
            entries.append(sitemap_views.SitemapIndexItem(f"{location}?p={page}", lastmod))
    response = TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


def sitemap(request, section):
    if section not in SITEMAPS:
        raise Http404
    return sitemap_views.sitemap(request, {section: SITEMAPS[section](request)}, section)


def news_sitemap(request):
    return sitemap_views.sitemap(
        request,
        {"news": NewsSitemap(request)},
        "news",
        template_name="articles/news_sitemap.xml",
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('articles:search')}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('articles:sitemap_index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('articles:news_sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@never_cache
def article_preview(request, pk, history_id=None):
    """Any article, or any earlier version of it, as readers would see it; staff only.
    Everybody else gets the same 404 as for an article that does not exist."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("articles.view_article")):
        raise Http404
    article = get_object_or_404(Article.objects.for_detail(), pk=pk)
    version = pending = moment = None
    if history_id is not None:
        versions = article.history.select_related("history_user")
        version = get_object_or_404(versions, history_id=history_id)
        # With the tags, authors, corrections, notices and labels of the version's time.
        moment = version.history_date
        article = version.as_shown(moment)
    else:
        pending = workflow.pending_changes(article)
        if pending:  # what the desk is working on, not what readers see
            workflow.show_pending_changes(article, pending)
            article.updated_at = pending.saved_at  # what the labelled body is kept by
    response = render(
        request,
        "articles/article_preview.html",
        # An unpublished version must never stand in a part shared with readers.
        article_page(
            request, article, version=version, pending=pending, as_of=moment, no_shared_parts=True
        ),
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class CorrectionListView(ListView):
    """Every correction, clarification and update on a published article, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        return (
            Correction.objects.filter(article__in=Article.objects.published())
            .select_related("article")
            .order_by("-created_at", "-pk")
        )


@require_safe
def feed_stylesheet(request):
    """The XSL stylesheet that shows a feed opened in a browser as a page (templates/feeds/),
    in the reader's language. The same for every feed: cached like a static file."""
    xsl = {
        "title": mark_safe('<xsl:value-of select="$title"/>'),
        "kind": mark_safe('<xsl:value-of select="$kind"/>'),
    }
    response = TemplateResponse(
        request, "feeds/feed.xsl", xsl, content_type="text/xsl; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=3600)
    return response
