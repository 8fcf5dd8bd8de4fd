from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _  # argparse takes no lazy string
from django.utils.translation import ngettext

from newsletters.sending import prepare_digests


class Command(BaseCommand):
    help = _(
        "Prepare the day's issue of every active digest and section letter with the day's "
        "published stories (idempotent: an issue already prepared is left as it is)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("The day, YYYY-MM-DD (default: today)."))

    def handle(self, *args, date=None, **options):
        try:
            day = date_from(date)
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        for newsletter, issue, created in prepare_digests(day):
            state = _("prepared") if created else _("already prepared")
            count = issue.issue_articles.count()
            articles = ngettext(
                "%(count)d article (issue %(issue)s)", "%(count)d articles (issue %(issue)s)", count
            ) % {"count": count, "issue": issue.pk}
            self.stdout.write(f"{newsletter}: {state}, {articles}")


def date_from(text):
    return date.fromisoformat(text) if text else None
