import datetime
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import strip_tags

import notices
from notices.models import Notice


def text_of(html):
    """Plain text of sanitized HTML, a space where a block ends."""
    return " ".join(strip_tags(re.sub(r"</(?:p|h\d|li|blockquote|pre)>|<br>", " ", html)).split())


class Command(BaseCommand):
    help = (
        "Print which notices and labels were active at a past moment, and their text, from "
        "their history: `notices_as_of 2026-11-27` (the end of that day) or an ISO date-time."
    )

    def add_arguments(self, parser):
        parser.add_argument("when", help="YYYY-MM-DD (end of that day) or YYYY-MM-DDTHH:MM")

    def handle(self, *args, when, **options):
        moment, day = self.parse(when)
        self.stdout.write(f"Notices and labels as of {moment.isoformat()}")

        snapshot = notices.as_of(moment)  # what the archived view of a page shows too
        for notice in snapshot.notices:
            self.stdout.write("")
            self.stdout.write(
                f"== {notice.name} [{Notice.Placement(notice.placement).label}; "
                f"{Notice.Scope(notice.scope).label}; position {notice.position}]"
            )
            if notice.body:
                self.stdout.write(text_of(notice.body))
            if notice.labels and notice.list_format == Notice.ListFormat.NAMES:
                self.stdout.write("; ".join(label.listing for label in notice.labels))
            elif notice.labels:
                self.stdout.write(
                    ", ".join(f"{label.listing} ({label.label_text})" for label in notice.labels)
                )

        self.stdout.write("")
        self.stdout.write(f"== Labels in force ({len(snapshot.labels)})")
        for label in snapshot.labels:
            aliases = ", ".join(label.terms[1:])
            self.stdout.write(
                f"{label.name} ({label.label_text})" + (f"; aliases: {aliases}" if aliases else "")
            )

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
            raise CommandError(f"“{when}” is not a date (YYYY-MM-DD) or an ISO date-time.")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment, timezone.localdate(moment)
