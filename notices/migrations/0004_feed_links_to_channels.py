"""The site's feeds used to be written by hand into the body of the "Our news channels" notice
(a paragraph of links: RSS · Atom). They become channels of that notice (kind feed), in the
order they were written, and the paragraph leaves the body; so editors order and edit them
like any other channel. A paragraph holding anything but links to the site's feeds stays."""

import re

from django.db import migrations
from django.urls import Resolver404, resolve

from newsroom.roles import ensure_roles
from notices.roles import ROLES

LINKS_PARAGRAPH = re.compile(r"<p>\s*((?:<a [^>]*>[^<]*</a>[\s·|,;/]*)+)</p>")
LINK = re.compile(r'<a [^>]*href="([^"]+)"[^>]*>([^<]*)</a>')


def is_feed(path):
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return match.namespace == "articles" and "feed_" in (match.url_name or "")


def feed_links(body):
    """[(paragraph, [(href, text), ...])] for each paragraph made only of links to feeds."""
    found = []
    for paragraph in LINKS_PARAGRAPH.finditer(body):
        links = LINK.findall(paragraph[1])
        if links and all(is_feed(href) for href, _ in links):
            found.append((paragraph[0], links))
    return found


def grant(apps, schema_editor):
    """Editors maintain channels as they maintain notices."""
    ensure_roles(ROLES, apps)


def move_feed_links(apps, schema_editor):
    Notice = apps.get_model("notices", "Notice")
    Channel = apps.get_model("notices", "Channel")
    moved = False
    for notice in Notice.objects.filter(body__contains="<a "):
        body = notice.body
        position = 100 + 10 * notice.channels.count()
        for paragraph, links in feed_links(body):
            for href, text in links:
                name = " ".join(text.split()) or href
                Channel.objects.get_or_create(
                    notice=notice,
                    link=href,
                    defaults={"name": name[:100], "kind": "feed", "position": position},
                )
                position += 10
            body = body.replace(paragraph, "", 1)
        if body != notice.body:
            Notice.objects.filter(pk=notice.pk).update(body=body)
            moved = True
    if moved:
        from newsroom import invalidation

        invalidation.notices_changed()  # the cached snapshot still has the old body


class Migration(migrations.Migration):
    dependencies = [("notices", "0003_channels")]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(move_feed_links, migrations.RunPython.noop),
    ]
