import datetime
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags
from django.utils.translation import gettext as _  # argparse takes no lazy string

import notices
from notices.models import Notice


def text_of(html):
    """Plain text of sanitized HTML, a space where a block ends."""
    return " ".join(strip_tags(re.sub(r"</(?:p|h\d|li|blockquote|pre)>|<br>", " ", html)).split())


class Command(BaseCommand):
    help = _(
        "Print which notices and labels were active at a past moment, and their text, from "
        "their history: `notices_as_of 2026-11-27` (the end of that day) or an ISO date-time."
    )

    def add_arguments(self, parser):
        parser.add_argument("when", help=_("YYYY-MM-DD (end of that day) or YYYY-MM-DDTHH:MM"))

    def handle(self, *args, when, **options):
        moment, day = self.parse(when)
        self.stdout.write(_("Notices and labels as of %(moment)s") % {"moment": moment.isoformat()})

        snapshot = notices.as_of(moment)  # what the archived view of a page shows too
        for notice in snapshot.notices:
            self.stdout.write("")
            where = _("%(placement)s; %(scope)s; position %(position)s") % {
                "placement": Notice.Placement(notice.placement).label,
                "scope": Notice.Scope(notice.scope).label,
                "position": notice.position,
            }
            self.stdout.write(f"== {notice.name} [{where}]")
            if notice.body:
                self.stdout.write(text_of(notice.body))
            if notice.labels and notice.list_format == Notice.ListFormat.NAMES:
                self.stdout.write("; ".join(label.listing for label in notice.labels))
            elif notice.labels:
                self.stdout.write(
                    ", ".join(f"{label.listing} ({label.label_text})" for label in notice.labels)
                )

        self.stdout.write("")
        in_force = _("Labels in force (%(count)d)") % {"count": len(snapshot.labels)}
        self.stdout.write(f"== {in_force}")
        for label in snapshot.labels:
            aliases = ", ".join(label.terms[1:])
            line = f"{label.name} ({label.label_text})"
            if aliases:
                line += "; " + _("aliases: %(aliases)s") % {"aliases": aliases}
            self.stdout.write(line)

    def parse(self, when):
        try:
            day = parse_date(when)
            moment = None if day else parse_datetime(when)
        except ValueError:
            day = moment = None
        if day is not None:
            end_of_day = datetime.datetime.combine(day, datetime.time.max)
            return timezone.make_aware(end_of_day), day
        if moment is None:
            raise CommandError(
                _("“%(when)s” is not a date (YYYY-MM-DD) or an ISO date-time.") % {"when": when}
            )
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment, timezone.localdate(moment)
