"""Fill the database with a large, realistic archive for benchmarks, using bulk inserts."""

import random
import time
import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _  # argparse takes no lazy string
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author, Section
from newsroom import invalidation
from newsroom.richtext import excerpt

WORDS = [
    "government",
    "minister",
    "parliament",
    "economy",
    "security",
    "border",
    "energy",
    "prices",
    "talks",
    "agreement",
    "report",
    "officials",
    "city",
    "region",
    "budget",
    "market",
    "growth",
    "inflation",
    "defense",
    "alliance",
    "summit",
    "vote",
    "election",
    "reform",
    "court",
    "ruling",
    "investigation",
    "police",
    "health",
    "schools",
    "transport",
    "housing",
    "climate",
    "weather",
    "festival",
    "culture",
    "museum",
    "sport",
    "team",
    "season",
    "match",
    "record",
    "export",
    "import",
    "trade",
    "bank",
    "rates",
    "workers",
    "union",
    "strike",
    "company",
    "profits",
    "technology",
    "network",
    "data",
    "research",
    "university",
]


def sentence(rng, words=14):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, sentences=5):
    return " ".join(sentence(rng, rng.randint(9, 18)) for _ in range(sentences))


class Progress:
    """A one-line progress bar on the command's output."""

    def __init__(self, out, label, total):
        self.out, self.label, self.total, self.started = out, label, max(total, 1), time.monotonic()

    def update(self, done):
        width = 30
        filled = int(width * done / self.total)
        elapsed = time.monotonic() - self.started
        self.out.write(
            f"\r{self.label:<10} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done:>9,}/{self.total:,} {elapsed:6.1f}s",
            ending="",
        )
        self.out.flush()
        if done >= self.total:
            self.out.write("")


class Command(BaseCommand):
    help = _(
        "Generate a large archive for benchmarks: sections, authors, tags and published articles "
        "in bulk, then comments through the comments app's generate_comments. Adds to what exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--comments", type=int, default=0)
        parser.add_argument("--tags", type=int, default=500, help=_("Size of the tag vocabulary."))
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, articles, comments, tags, batch, seed, **options):
        rng = random.Random(seed)
        out = self.stdout
        started = time.monotonic()
        sections = self.ensure_sections()
        authors = self.ensure_authors(rng)
        tag_rows = self.ensure_tags(tags)
        article_type = ContentType.objects.get_for_model(Article)
        now = timezone.now()
        run = uuid.uuid4().hex[:8]  # keeps slugs unique across runs

        progress = Progress(out, "articles", articles)
        made = 0
        while made < articles:
            size = min(batch, articles - made)
            with transaction.atomic():
                rows = []
                for i in range(made, made + size):
                    title = sentence(rng, rng.randint(6, 11)).rstrip(".")
                    lead = sentence(rng, 22)
                    rows.append(
                        Article(
                            title=title[:200],
                            slug=f"{slugify(title)[:150]}-{run}-{i}",
                            section=rng.choice(sections),
                            lead=lead,
                            body="".join(f"<p>{paragraph(rng)}</p>" for _ in range(6)),
                            excerpt=excerpt(lead),
                            status=Article.Status.PUBLISHED,
                            published_at=now - timedelta(minutes=i * 7 + rng.randint(0, 6)),
                        )
                    )
                created = Article.objects.bulk_create(rows, batch_size=size)
                if created and created[0].pk is None:  # backends that return no keys
                    slugs = [row.slug for row in rows]
                    created = list(Article.objects.filter(slug__in=slugs))
                Article.authors.through.objects.bulk_create(
                    [
                        Article.authors.through(article_id=article.pk, author_id=author.pk)
                        for article in created
                        for author in rng.sample(authors, rng.randint(1, 2))
                    ]
                )
                TaggedItem.objects.bulk_create(
                    [
                        TaggedItem(tag=tag, content_type=article_type, object_id=article.pk)
                        for article in created
                        for tag in rng.sample(tag_rows, 5)
                    ]
                )
                # bulk_create skips save(), which fills the search document.
                Article.objects.filter(pk__in=[a.pk for a in created]).update_search_documents()
            made += size
            progress.update(made)

        if comments:
            self.generate_comments(comments, rng, batch)
        invalidation.everything_changed()  # bulk_create announces nothing

        out.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f}s: {Article.objects.count():,} articles."
            )
        )

    def generate_comments(self, count, rng, batch):
        # The comments app owns comments; articles only knows it may offer a generator.
        if "generate_comments" not in get_commands():
            self.stderr.write("No generate_comments command is installed: no comments generated.")
            return
        call_command("generate_comments", count, batch=batch, seed=rng.randrange(10**6))

    def ensure_sections(self):
        names = [
            "Politics",
            "World",
            "Economy",
            "Defense",
            "Society",
            "Culture",
            "Sport",
            "Science",
        ]
        return [
            Section.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "position": i}
            )[0]
            for i, name in enumerate(names)
        ]

    def ensure_authors(self, rng):
        existing = list(Author.objects.all()[:50])
        missing = 50 - len(existing)
        if missing > 0:
            Author.objects.bulk_create(
                [
                    Author(name=f"Correspondent {n}", slug=f"correspondent-{n}")
                    for n in range(len(existing), 50)
                ],
                ignore_conflicts=True,
            )
            existing = list(Author.objects.all()[:50])
        return existing

    def ensure_tags(self, count):
        Tag.objects.bulk_create(
            [Tag(name=f"topic {n}", slug=f"topic-{n}") for n in range(count)],
            ignore_conflicts=True,
        )
        return list(Tag.objects.filter(slug__startswith="topic-")[:count])
