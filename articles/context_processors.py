from django.conf import settings
from django.contrib.flatpages.models import FlatPage

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
    }
