"""Recompute every article's stored search document in today's text-search configuration."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _  # argparse takes no lazy string

from articles.models import Article
from newsroom import invalidation


class Command(BaseCommand):
    help = _(
        "Rebuild the PostgreSQL search index of all articles in the configuration "
        "NEWSROOM_SEARCH_CONFIG (from the site's language). Run it after changing "
        "DJANGO_LANGUAGE_CODE or NEWSROOM_SEARCH_CONFIG; running it again changes nothing. "
        "Works in batches, each its own transaction, so the site stays up meanwhile."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help=_("Articles per transaction (default 500)."),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *, batch_size, database, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        config = settings.NEWSROOM_SEARCH_CONFIG
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write(
                "Nothing to rebuild: on this database search reads the articles' text directly."
            )
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [config])
            if cursor.fetchone() is None:
                raise CommandError(
                    f"PostgreSQL has no text-search configuration {config!r}: "
                    "set NEWSROOM_SEARCH_CONFIG to one of `\\dF` in psql."
                )
        articles = Article.objects.using(database)
        total = articles.count()
        self.stdout.write(f"Rebuilding the search index of {total} articles in {config!r}.")
        done, last = 0, 0
        while True:
            batch = list(
                articles.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not batch:
                break
            with transaction.atomic(using=database):
                articles.filter(pk__in=batch).update_search_documents()
            done, last = done + len(batch), batch[-1]
            if verbosity >= 1:
                self.stdout.write(f"{done}/{total}")
        invalidation.search_changed()
        self.stdout.write(self.style.SUCCESS(f"Search index rebuilt: {done} articles."))
