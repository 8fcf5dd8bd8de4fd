"""RSS 2.0 and Atom feeds of published articles: the whole site, a section, a tag, an author.

Every URL in a feed is absolute and carries the host the reader asked for, like the canonical
links of the pages, rather than the sites framework's domain.
"""

import copy
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Stylesheet
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from taggit.models import Tag

from newsroom.richtext import xml_text
from newsroom.storage import UNAVAILABLE

from .models import Article, Author, Section

ITEMS = 30


class StyledAtom1Feed(Atom1Feed):
    """Atom with the stylesheet processing instruction, which Django writes into RSS only."""

    def write(self, outfile, encoding):
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", str(stylesheet))
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")


class ArticleFeed(Feed):
    """The newest published articles of the whole site (RSS 2.0)."""

    def __call__(self, request, *args, **kwargs):
        # One Feed instance serves every request: give each request its own copy to hold it.
        feed = copy.copy(self)
        feed.request = request
        return super(ArticleFeed, feed).__call__(request, *args, **kwargs)

    def get_feed(self, obj, request):
        # Django refuses to write a control character into XML (a 500); drop it instead.
        feed = super().get_feed(obj, request)
        for data in [feed.feed, *feed.items]:
            for key, value in data.items():
                if isinstance(value, str):
                    data[key] = xml_text(value)
                elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                    data[key] = [xml_text(v) for v in value]
        return feed

    def absolute(self, url):
        return self.request.build_absolute_uri(url)

    def get_object(self, request, *args, **kwargs):
        return None

    def stylesheets(self, obj):
        # Turns the feed into a readable page when a browser opens it (what a feed is, how to
        # subscribe, the items), in the reader's language; feed readers ignore it. Same
        # origin, so the site's Content-Security-Policy lets the browser apply it.
        return [Stylesheet(reverse("articles:feed_stylesheet"), mimetype="text/xsl", media=None)]

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj):
        return self.articles(obj).for_listing()[:ITEMS]

    def title(self, obj):
        return settings.SITE_NAME

    def description(self, obj):
        return _("The latest news from %(site)s.") % {"site": settings.SITE_NAME}

    def link(self, obj):
        return self.absolute(reverse("articles:home"))

    def feed_url(self, obj):
        return self.absolute(self.request.path)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        if settings.NEWSROOM_FEED_FULL_TEXT:
            # The body was sanitized when it was saved.
            return format_html("<p>{}</p>{}", item.lead, mark_safe(item.body))
        return escape(item.lead)

    def item_link(self, item):
        return self.absolute(item.get_absolute_url())

    # In the newsroom's zone (NEWSROOM_TIME_ZONE), so that the feed says its offset.
    def item_pubdate(self, item):
        return timezone.localtime(item.published_at)

    def item_updateddate(self, item):
        return timezone.localtime(item.updated_at)

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors.all()) or None

    def item_categories(self, item):
        return [item.section.name, *(tag.name for tag in item.tags.all())]

    def item_enclosures(self, item):
        if not item.image or not item.image.file:
            return []
        file = item.image.file
        try:
            length = file.size
        except UNAVAILABLE:  # the file is missing, or its store away: still announce the image
            length = 0
        mime_type = mimetypes.guess_type(file.name)[0] or "image/jpeg"
        return [Enclosure(self.absolute(file.url), str(length), mime_type)]


class SectionFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def articles(self, obj):
        return super().articles(obj).filter(section=obj)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return obj.description or _("The latest news in %(section)s.") % {"section": obj.name}

    def link(self, obj):
        return self.absolute(obj.get_absolute_url())


class TagFeed(ArticleFeed):
    def get_object(self, request, slug):
        # Like the tag page: a tag only drafts use has no feed and does not betray them.
        published_tags = Article.objects.published().values("tags")
        return get_object_or_404(Tag.objects.filter(pk__in=published_tags), slug=slug)

    def articles(self, obj):
        return super().articles(obj).filter(tags=obj)

    def title(self, obj):
        return f"{settings.SITE_NAME}: #{obj.name}"

    def description(self, obj):
        return _("The latest news tagged %(tag)s.") % {"tag": obj.name}

    def link(self, obj):
        return self.absolute(reverse("articles:tag", args=[obj.slug]))


class AuthorFeed(ArticleFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def articles(self, obj):
        return super().articles(obj).filter(authors=obj)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj):
        return _("The latest articles by %(author)s.") % {"author": obj.name}

    def link(self, obj):
        return self.absolute(obj.get_absolute_url())


class AtomMixin:
    feed_type = StyledAtom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class ArticleAtomFeed(AtomMixin, ArticleFeed):
    pass


class SectionAtomFeed(AtomMixin, SectionFeed):
    pass


class TagAtomFeed(AtomMixin, TagFeed):
    pass


class AuthorAtomFeed(AtomMixin, AuthorFeed):
    pass
