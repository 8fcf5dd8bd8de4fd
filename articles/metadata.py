"""What search engines and social networks read: JSON-LD built as Python data.

The templates serialise it with the `json_ld` filter (templatetags/metadata.py). Absolute URLs
carry the request's host.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

LOGO = "img/logo.png"


def logo_url(request):
    return request.build_absolute_uri(static(LOGO))


def image_url(request, article):
    """The article's picture (its largest landscape rendition, in the original format, which
    every social network reads), or the site's logo for an article without one."""
    card = article.image.social_rendition if article.image else None
    return request.build_absolute_uri(card[3]) if card else logo_url(request)


def publisher(request):
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri(reverse("articles:home")),
        "logo": {"@type": "ImageObject", "url": logo_url(request)},
    }


def article_data(request, article):
    """NewsArticle and BreadcrumbList of an article page (authors and tags prefetched)."""
    url = request.build_absolute_uri(article.get_absolute_url())
    authors = [
        {
            "@type": "Person",
            "name": author.name,
            "url": request.build_absolute_uri(author.get_absolute_url()),
        }
        for author in article.authors.all()
    ]
    news_article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.meta_description,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": authors or [publisher(request)],
        "publisher": publisher(request),
        "image": [image_url(request, article)],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
    }
    crumbs = [
        (settings.SITE_NAME, reverse("articles:home")),
        (article.section.name, article.section.get_absolute_url()),
        (article.title, article.get_absolute_url()),
    ]
    breadcrumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(path),
            }
            for position, (name, path) in enumerate(crumbs, start=1)
        ],
    }
    return [news_article, breadcrumbs]


def website_data(request):
    """WebSite with a SearchAction: lets search engines offer the site's own search box."""
    home = request.build_absolute_uri(reverse("articles:home"))
    search = request.build_absolute_uri(reverse("articles:search"))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": home,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
