"""The read API at /api/v1/ (Django Ninja): what readers can see, as JSON.

Each endpoint declares the cache keys of what it shows (newsroom/invalidation.py) before reading
it, so a response is kept by the anonymous page cache (newsroom/pagecache.py) and purged from a
front cache exactly like the HTML pages; `Cache-Control`, `Surrogate-Key` and the ETag come
from there. Articles are found by `Article.objects.published()` only; the API key, the rate
limit and CORS are api/middleware.py's."""

import logging
from datetime import UTC, datetime
from typing import Annotated

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.flatpages.models import FlatPage
from django.db.models import Count, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError
from taggit.models import Tag

from accounts.models import display_name
from articles.models import Article, Author, Section, Tombstone
from articles.search import MAX_QUERY_LENGTH, search_articles, snippet
from articles.views import article_row
from comments.models import Comment, CommentStats
from comments.templatetags.comments import comment_html
from medialibrary.body import render_library_images
from newsroom import invalidation
from newsroom.middleware import is_database_unavailable, log_database_unavailable
from notices import labelling

from . import cursors, schemas
from .errors import ApiError, error_response

log = logging.getLogger("newsroom.api")

MAX_LIMIT = 100
MAX_SEARCH_PAGE = 100
MAX_SLUG_LENGTH = 200

ARTICLE_FIELDS = frozenset(schemas.Article.model_fields)
LIST_FIELDS = ARTICLE_FIELDS - {"body_html"}


class ContentAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        # A key is optional (it raises the rate limit): checked by api/middleware.py, not here.
        schema["components"]["securitySchemes"] = {
            "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            "Bearer": {"type": "http", "scheme": "bearer"},
        }
        schema["security"] = [{}, {"ApiKey": []}, {"Bearer": []}]
        return schema


api = ContentAPI(
    title="newsroom content API",
    version="1",
    description=(
        "Published articles, sections, tags, authors, Information pages, notices, search and "
        "readers' visible comments, as JSON. Anonymous use is limited per address; an API key "
        "(from the site's editors) raises the limit: send it as `X-API-Key: …` or "
        "`Authorization: Bearer …`. Lists are paged by cursor: follow `next`."
    ),
    urls_namespace="api",
)

ERRORS = {400: schemas.Error, 404: schemas.Error, 429: schemas.Error}


# Failures, as JSON (api/errors.py).


@api.exception_handler(ApiError)
def api_error(request, error):
    return error_response(error.status, error.message, **error.extra)


@api.exception_handler(ValidationError)
def invalid_parameters(request, error):
    details = [
        {
            "parameter": ".".join(str(part) for part in item.get("loc", ())[1:]),
            "message": item.get("msg", ""),
        }
        for item in error.errors
    ]
    return error_response(400, gettext("Some parameters are not valid."), details=details)


@api.exception_handler(Http404)
def not_found(request, error):
    return error_response(404)


@api.exception_handler(HttpError)
def http_error(request, error):
    return error_response(error.status_code, str(error))


@api.exception_handler(Exception)
def unexpected(request, error):
    if is_database_unavailable(error):
        log_database_unavailable(request, error)
        return error_response(503, headers={"Retry-After": "30"})
    log.exception("API error on %s", request.path)
    return error_response(500)


# Parameters.


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"How many items, 1 to {MAX_LIMIT}.")]
Cursor = Annotated[str | None, Query(description="From an earlier answer's `next_cursor`.")]
ListFields = Annotated[
    str | None, Query(description="Comma-separated fields to answer with (all but body_html).")
]
Moment = Annotated[datetime | None, Query(description="ISO 8601 date or time.")]


def chosen_fields(text, allowed):
    """The fields asked for by `fields=a,b`, all of them when none were."""
    if not text:
        return None
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = names - allowed
    if unknown or not names:
        raise ApiError(
            400,
            gettext("Unknown fields: %(unknown)s. Allowed: %(allowed)s.")
            % {"unknown": ", ".join(sorted(unknown)) or "–", "allowed": ", ".join(sorted(allowed))},
            details=[{"parameter": "fields"}],
        )
    return names


def aware(moment, name):
    """A date or time from a parameter, in the site's time zone when it names none."""
    if moment is None:
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(
            400, gettext("This date is out of range."), details=[{"parameter": name}]
        ) from None


def next_address(request, **changes):
    params = QueryDict(mutable=True)
    params.update(request.GET)
    for name, value in changes.items():
        params[name] = str(value)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


# What an article is as JSON: one place, for lists, search and the detail.


def absolute(request, url):
    return request.build_absolute_uri(url) if url else url


def section_ref(request, section):
    return {
        "id": section.pk,
        "name": section.name,
        "slug": section.slug,
        "url": absolute(request, section.get_absolute_url()),
    }


def author_ref(request, author):
    return {
        "id": author.pk,
        "name": author.name,
        "slug": author.slug,
        "url": absolute(request, author.get_absolute_url()),
    }


def tag_ref(request, tag):
    return {
        "name": tag.name,
        "slug": tag.slug,
        "url": absolute(request, reverse("articles:tag", args=[tag.slug])),
    }


def image_data(request, image):
    if image is None or not image.file:
        return None
    return {
        "alt": image.alt_text,
        "caption": image.caption,
        "credit": image.credit,
        "credit_url": image.credit_url,
        "width": image.width,
        "height": image.height,
        "renditions": [
            {
                "width": width,
                "height": height,
                "url": absolute(request, fallback),
                "webp_url": absolute(request, webp),
            }
            for width, height, webp, fallback in image.wide_renditions
        ],
    }


def article_data(request, article):
    """Everything but the body and the comment count (which change on their own)."""
    return {
        "id": article.pk,
        "title": article.title,
        "slug": article.slug,
        "url": absolute(request, article.get_absolute_url()),
        "section": section_ref(request, article.section),
        "authors": [author_ref(request, author) for author in article.authors.all()],
        "tags": [tag_ref(request, tag) for tag in article.tags.all()],
        "lead": article.lead,
        "excerpt": article.excerpt,
        "image": image_data(request, article.image),
        "source": (
            {"name": article.source_name, "url": article.source_url}
            if article.source_name
            else None
        ),
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "corrections": [
            {"kind": c.kind, "created_at": c.created_at, "text": c.text}
            for c in article.corrections.all()
        ],
        "comments_open": article.comments_open,
        "comments": absolute(request, reverse("api:article_comments", args=[article.pk])),
    }


def select(data, fields):
    return data if fields is None else {name: data[name] for name in fields if name in data}


def comment_counts(ids):
    """{article id: visible comments} of `ids`: one query, kept per version of each one's
    discussion, so that a new comment is read again and nothing else is."""
    if not ids:
        return {}

    def load():
        stats = CommentStats.objects.filter(article_id__in=ids)
        return dict(stats.values_list("article_id", "visible"))

    keys = [invalidation.comments_key(pk) for pk in ids]
    return invalidation.cached_part("api-comment-counts", tuple(ids), load, keys=keys)


def articles_data(request, articles, extra=None):
    # The rows were read under the lists' keys; each article's own changes (its authors, tags
    # and images renamed) are named by its key.
    invalidation.depend(*(invalidation.article_key(article.pk) for article in articles))
    return [article_data(request, a) | (extra(a) if extra else {}) for a in articles]


def with_counts(results, fields):
    counts = comment_counts([data["id"] for data in results])
    return [select(data | {"comment_count": counts.get(data["id"], 0)}, fields) for data in results]


# Articles.


@api.get(
    "/articles",
    tags=["Articles"],
    response={200: schemas.ArticleList, **ERRORS},
    exclude_unset=True,
    url_name="articles",
    summary="Published articles, newest first",
)
def article_list(
    request,
    section: Annotated[str | None, Query(max_length=MAX_SLUG_LENGTH)] = None,
    tag: Annotated[str | None, Query(max_length=MAX_SLUG_LENGTH)] = None,
    author: Annotated[str | None, Query(max_length=MAX_SLUG_LENGTH)] = None,
    published_after: Moment = None,
    published_before: Moment = None,
    cursor: Cursor = None,
    limit: Limit = settings.NEWSROOM_PAGE_SIZE,
    fields: ListFields = None,
):
    """Filters combine; dates bound `published_at` (after: inclusive, before: exclusive)."""
    wanted = chosen_fields(fields, LIST_FIELDS)
    after, before = (
        aware(published_after, "published_after"),
        aware(published_before, "published_before"),
    )

    def render():
        articles = Article.objects.published().for_listing().prefetch_related("corrections")
        if section:
            articles = articles.filter(section__slug=section)
        if tag:
            articles = articles.filter(tags__slug=tag)
        if author:
            articles = articles.filter(authors__slug=author)
        if after:
            articles = articles.filter(published_at__gte=after)
        if before:
            articles = articles.filter(published_at__lt=before)
        if tag or author:
            articles = articles.distinct()
        items, next_cursor = cursors.page(
            articles, limit, field="published_at", cursor=cursor, kind=datetime, descending=True
        )
        return articles_data(request, items), next_cursor

    # The list is a part: every article's change gives "home" a new version, a scheduled
    # article's appearance "lists"; the counts are read apart, per article's discussion.
    vary = (request.scheme, request.get_host(), section, tag, author, after, before, cursor, limit)
    results, next_cursor = invalidation.cached_part(
        "api-articles", vary, render, keys=[invalidation.HOME, invalidation.LISTS]
    )
    return {
        "results": with_counts(results, wanted),
        "next": next_cursor and next_address(request, cursor=next_cursor),
        "next_cursor": next_cursor,
    }


def public_article(pk):
    """The public article `pk` (its row kept with the page's parts), a 410 for one withdrawn
    or deleted, a 404 for anything else (drafts and scheduled articles included)."""
    if not 0 < pk <= cursors.MAX_PK:
        raise Http404
    row = article_row(pk)
    if isinstance(row, Tombstone):
        raise ApiError(410, removed_at=row.deleted_at, reason=row.reason, title=row.title)
    if row is not None and row.status == Article.Status.WITHDRAWN:
        raise ApiError(
            410, removed_at=row.withdrawn_at, reason=row.withdrawal_reason, title=row.title
        )
    if row is None or not row.is_public:
        raise Http404
    return row


@api.get(
    "/articles/{int:article_id}",
    tags=["Articles"],
    response={200: schemas.Article, 404: schemas.Error, 410: schemas.Gone, 429: schemas.Error},
    exclude_unset=True,
    url_name="article",
    summary="One published article, with its text",
)
def article_detail(
    request,
    article_id: int,
    fields: Annotated[str | None, Query(description="Comma-separated fields.")] = None,
):
    wanted = chosen_fields(fields, ARTICLE_FIELDS)
    article = public_article(article_id)

    def render():
        article.with_details()
        data = article_data(request, article)
        data["body_html"] = render_library_images(labelling.labelled_body(article))
        return data

    data = invalidation.cached_part(
        "api-article",
        (article.pk, request.scheme, request.get_host()),
        render,
        keys=[article.cache_key, invalidation.section_key(article.section_id)],
    )
    return with_counts([data], wanted)[0]


@api.get(
    "/articles/{int:article_id}/comments",
    tags=["Articles"],
    response={200: schemas.CommentList, 404: schemas.Error, 410: schemas.Gone, **ERRORS},
    url_name="article_comments",
    summary="A published article's visible comments, oldest first",
)
def article_comments(
    request,
    article_id: int,
    cursor: Cursor = None,
    limit: Limit = settings.NEWSROOM_COMMENTS_PAGE_SIZE,
):
    article = public_article(article_id)
    invalidation.depend(invalidation.comments_key(article.pk))
    comments = Comment.objects.visible().filter(article=article).for_display()
    comments = comments.order_by("created_at", "pk")
    items, next_cursor = cursors.page(
        comments, limit, field="created_at", cursor=cursor, kind=datetime, descending=False
    )
    texts = comment_html(items)
    return {
        "results": [
            {
                "id": comment.pk,
                "parent_id": comment.parent_id,
                "author": display_name(comment.user) if comment.user else gettext("Reader"),
                "created_at": comment.created_at,
                "edited_at": comment.edited_at,
                "text": comment.body,
                "body_html": str(texts[comment.pk]),
            }
            for comment in items
        ],
        "next": next_cursor and next_address(request, cursor=next_cursor),
        "next_cursor": next_cursor,
    }


@api.get(
    "/search",
    tags=["Articles"],
    response={200: schemas.SearchList, **ERRORS},
    exclude_unset=True,
    url_name="search",
    summary="Published articles matching words, best first",
)
def search(
    request,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_LENGTH)],
    page: Annotated[int, Query(ge=1, le=MAX_SEARCH_PAGE)] = 1,
    limit: Limit = settings.NEWSROOM_PAGE_SIZE,
    fields: ListFields = None,
):
    """The site's own search (the same words, phrases and `-exclusions`), paged by number: a
    ranking has no stable cursor."""
    wanted = chosen_fields(fields, LIST_FIELDS | {"snippet_html"})
    q = q.strip()
    if not q:
        raise ApiError(400, gettext("Give words to search for."), details=[{"parameter": "q"}])
    invalidation.depend(invalidation.SEARCH, invalidation.LISTS)
    results = (
        search_articles(Article.objects.published(), q)
        .select_related("section", "image")
        .prefetch_related("authors", "tags", "corrections")
    )
    start = (page - 1) * limit
    items = list(results[start : start + limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {
        "results": with_counts(
            articles_data(request, items, extra=lambda a: {"snippet_html": str(snippet(a, q))}),
            wanted,
        ),
        "next": next_address(request, page=page + 1) if more and page < MAX_SEARCH_PAGE else None,
        "page": page,
    }


# Sections, tags, authors.


def section_data(request, section):
    return section_ref(request, section) | {
        "description": section.description,
        "position": section.position,
        "articles": f"{absolute(request, reverse('api:articles'))}?section={section.slug}",
    }


@api.get(
    "/sections",
    tags=["Sections, tags and authors"],
    response={200: list[schemas.Section], 429: schemas.Error},
    url_name="sections",
    summary="Sections, in the navigation's order",
)
def section_list(request):
    invalidation.depend(invalidation.NAVIGATION)
    return [section_data(request, section) for section in Section.objects.all()]


@api.get(
    "/sections/{slug}",
    tags=["Sections, tags and authors"],
    summary="One section",
    response={200: schemas.Section, 404: schemas.Error, 429: schemas.Error},
    url_name="section",
)
def section_detail(request, slug: str):
    invalidation.depend(invalidation.NAVIGATION)
    section = get_object_or_404(Section, slug=slug[:MAX_SLUG_LENGTH])
    return section_data(request, section)


def public_tags():
    """Tags that at least one published article carries (a draft's tags stay unknown), with
    how many do: one query."""
    on_public = Q(
        taggit_taggeditem_items__content_type=ContentType.objects.get_for_model(Article),
        taggit_taggeditem_items__object_id__in=Article.objects.published().values("pk"),
    )
    return (
        Tag.objects.annotate(article_count=Count("taggit_taggeditem_items", filter=on_public))
        .filter(article_count__gt=0)
        .order_by("name", "pk")
    )


def tag_data(request, tag):
    return tag_ref(request, tag) | {
        "id": tag.pk,
        "article_count": tag.article_count,
        "articles": f"{absolute(request, reverse('api:articles'))}?tag={tag.slug}",
    }


@api.get(
    "/tags",
    tags=["Sections, tags and authors"],
    response={200: schemas.TagList, **ERRORS},
    url_name="tags",
    summary="Tags of published articles, by name",
)
def tag_list(request, cursor: Cursor = None, limit: Limit = MAX_LIMIT):
    # An article's change gives "home" a new version, a tag's rename "feeds".
    invalidation.depend(invalidation.HOME, invalidation.LISTS, invalidation.FEEDS)
    items, next_cursor = cursors.page(
        public_tags(), limit, field="name", cursor=cursor, kind=str, descending=False
    )
    return {
        "results": [tag_data(request, tag) for tag in items],
        "next": next_cursor and next_address(request, cursor=next_cursor),
        "next_cursor": next_cursor,
    }


@api.get(
    "/tags/{slug}",
    tags=["Sections, tags and authors"],
    summary="One tag of published articles",
    response={200: schemas.Tag, 404: schemas.Error, 429: schemas.Error},
    url_name="tag",
)
def tag_detail(request, slug: str):
    invalidation.depend(invalidation.HOME, invalidation.LISTS, invalidation.FEEDS)
    tag = get_object_or_404(public_tags(), slug=slug[:MAX_SLUG_LENGTH])
    return tag_data(request, tag)


def author_data(request, author):
    return author_ref(request, author) | {
        "bio": author.bio,
        "photo": absolute(request, author.photo.url) if author.photo else None,
        "articles": f"{absolute(request, reverse('api:articles'))}?author={author.slug}",
    }


@api.get(
    "/authors",
    tags=["Sections, tags and authors"],
    response={200: list[schemas.Author], 429: schemas.Error},
    url_name="authors",
    summary="Authors, by name",
)
def author_list(request):
    # Every author's change gives "feeds" a new version.
    invalidation.depend(invalidation.FEEDS)
    return [author_data(request, author) for author in Author.objects.all()]


@api.get(
    "/authors/{slug}",
    tags=["Sections, tags and authors"],
    summary="One author",
    response={200: schemas.Author, 404: schemas.Error, 429: schemas.Error},
    url_name="author",
)
def author_detail(request, slug: str):
    invalidation.depend(invalidation.FEEDS)
    author = get_object_or_404(Author, slug=slug[:MAX_SLUG_LENGTH])
    return author_data(request, author)


# Information pages and notices.


def info_pages():
    return FlatPage.objects.filter(sites__id=settings.SITE_ID, registration_required=False)


def page_data(request, page):
    return {
        "id": page.pk,
        "title": page.title,
        "url": absolute(request, page.get_absolute_url()),
        "content_html": page.content,
    }


@api.get(
    "/pages",
    tags=["Site"],
    response={200: list[schemas.Page], 429: schemas.Error},
    url_name="pages",
    summary="The Information pages (about, contacts, rules…)",
)
def page_list(request):
    invalidation.depend(invalidation.NAVIGATION)
    return [page_data(request, page) for page in info_pages().order_by("url")]


@api.get(
    "/pages/{int:page_id}",
    tags=["Site"],
    summary="One Information page",
    response={200: schemas.Page, 404: schemas.Error, 429: schemas.Error},
    url_name="page",
)
def page_detail(request, page_id: int):
    invalidation.depend(invalidation.NAVIGATION)
    page = info_pages().filter(pk=page_id).first() if 0 < page_id <= cursors.MAX_PK else None
    if page is None:
        raise Http404
    return page_data(request, page)


@api.get(
    "/notices",
    tags=["Site"],
    response={200: list[schemas.Notice], **ERRORS},
    url_name="notices",
    summary="The notices in force today, in order",
)
def notice_list(request, placement: Annotated[str | None, Query(max_length=30)] = None):
    """Legal notices and the lists of labelled names as the pages show them; a notice scoped
    to some sections or articles names them."""
    from notices.models import Notice

    if placement and placement not in Notice.Placement.values:
        raise ApiError(
            400,
            gettext("Unknown placement. Allowed: %(allowed)s.")
            % {"allowed": ", ".join(Notice.Placement.values)},
            details=[{"parameter": "placement"}],
        )
    snapshot = labelling.snapshot()  # depends on the notices' key itself
    notices = [n for n in snapshot.notices if not placement or n.placement == placement]
    # A notice chosen for some articles names only those readers can see (one query).
    chosen = {pk for n in notices if n.scope == Notice.Scope.ARTICLES for pk in n.targets}
    public = set()
    if chosen:
        invalidation.depend(invalidation.HOME, invalidation.LISTS)
        public = set(Article.objects.published().filter(pk__in=chosen).values_list("pk", flat=True))
    return [
        {
            "id": notice.pk,
            "name": notice.name,
            "body_html": notice.body,
            "placement": notice.placement,
            "scope": notice.scope,
            "position": notice.position,
            "section_ids": sorted(notice.targets) if notice.scope == Notice.Scope.SECTIONS else [],
            "article_ids": (
                sorted(notice.targets & public) if notice.scope == Notice.Scope.ARTICLES else []
            ),
            "labels": [{"name": lb.name, "label_text": lb.label_text} for lb in notice.labels],
        }
        for notice in notices
    ]
