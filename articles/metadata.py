"""What search engines and social networks read: JSON-LD built as Python data.

The templates serialise it with the `json_ld` filter (templatetags/metadata.py). Absolute URLs
carry the request's host.
"""

from urllib.parse import urlsplit

from django.conf import global_settings, settings
from django.conf.locale import LANG_INFO
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language

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
        "datePublished": timezone.localtime(article.published_at).isoformat(),
        "dateModified": timezone.localtime(article.updated_at).isoformat(),
        "author": authors or [publisher(request)],
        "publisher": publisher(request),
        "image": [image_url(request, article)],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": article.section.name,
        "inLanguage": article.language,
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


# How much of a headline and a description search results and social cards show, in
# characters, as the big engines and networks cut them (Google cuts titles near 60 and
# descriptions near 160; Facebook and X show about two lines of a card's description).
SEARCH_TITLE_CHARS = 60
SEARCH_DESCRIPTION_CHARS = 160
CARD_TITLE_CHARS = 70
CARD_DESCRIPTION_CHARS = 110


def language_name(code):
    """A language's own name ("Русский", "English"), as a reader of it looks for it."""
    info = LANG_INFO.get(code, {})
    return info.get("name_local", code).capitalize() if info else code


def language_choices():
    """Every language an article can be written in, by its own name: the site's first."""
    offered = [code for code, _name in settings.LANGUAGES]
    others = sorted(
        (
            code
            for code, _name in global_settings.LANGUAGES
            if code not in offered and "-" not in code
        ),
        key=language_name,
    )
    return [(code, language_name(code)) for code in [*offered, *others]]


def alternates(request, article):
    """The article's published versions in other languages, for hreflang links and the
    reader's "read in" links: [{language, label, url}]. Each is addressed in its own language
    where the site offers it, so its page reads in that language."""
    offered = {code for code, _name in settings.LANGUAGES}
    found = []
    for language, other in article.alternates():
        with translation.override(language if language in offered else get_language()):
            url = request.build_absolute_uri(other.get_absolute_url())
        found.append({"language": language, "label": language_name(language), "url": url})
    return found


def shortened(text, limit):
    """`text` cut to `limit` characters at a word, with an ellipsis, as result pages cut it.
    static/js/share_preview.js cuts the same way while the editor types."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def share_preview(article):
    """What a search result and a social card of the article show, from its saved values."""
    site = urlsplit(settings.SITE_URL)
    # The address's folders; a new article's number is not known yet.
    folders = reverse("articles:detail", args=[article.pk or 0, "x"]).strip("/").split("/")[:-1]
    description = article.seo_description or article.lead
    card = article.image.social_rendition if article.image_id else None
    return {
        "site_name": settings.SITE_NAME,
        "host": site.netloc,
        "folders": [folder if article.pk else folder.replace("0", "…") for folder in folders],
        "slug": article.slug,
        "title": article.title,
        "description": description,
        "search_title": shortened(article.title, SEARCH_TITLE_CHARS),
        "search_description": shortened(description, SEARCH_DESCRIPTION_CHARS),
        "card_title": shortened(article.title, CARD_TITLE_CHARS),
        "card_description": shortened(description, CARD_DESCRIPTION_CHARS),
        # As og:image: the article's picture, or the site's logo.
        "image": card[3] if card else "",
        "logo": static(LOGO),
        "limits": {
            "search-title": SEARCH_TITLE_CHARS,
            "search-description": SEARCH_DESCRIPTION_CHARS,
            "card-title": CARD_TITLE_CHARS,
            "card-description": CARD_DESCRIPTION_CHARS,
        },
    }
