from django.conf import settings
from django.contrib.flatpages.models import FlatPage
from django.urls import translate_url
from django.utils.translation import get_language

from . import metadata
from .models import Section


def site(request):
    """Navigation and footer for every page. Querysets stay lazy: a page that does not
    render them (the 500 page) runs no query."""
    return {
        "site_name": settings.SITE_NAME,
        "most_read_seconds": settings.NEWSROOM_MOST_READ_SECONDS,
        "nav_sections": Section.objects.all(),
        "info_pages": FlatPage.objects.filter(
            sites__id=settings.SITE_ID, registration_required=False
        )
        .only("url", "title")
        .order_by("url"),
        "other_languages": other_languages(request),
    }


def other_languages(request):
    """This page in each other language the site offers (NEWSROOM_LANGUAGES), for the switch:
    [{language, label, url}]; empty on a site of one language."""
    if len(settings.LANGUAGES) < 2 or request is None:
        return []
    current = get_language()
    return [
        {
            "language": code,
            "label": metadata.language_name(code),
            "url": translate_url(request.path, code),
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]
