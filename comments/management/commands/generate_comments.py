"""Fill published articles with readers' comments for benchmarks, using bulk inserts."""

import random
import time
from collections import Counter, defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _  # argparse takes no lazy string

from accounts.models import Profile
from articles.management.commands.generate_content import Progress, sentence
from articles.models import Article
from comments.models import Comment, CommentStats
from newsroom import invalidation

REPLY_SHARE = 0.3  # of the comments in a batch, this many answer a top-level one
READER_PREFIX = "generated-reader-"


class Command(BaseCommand):
    help = _(
        "Generate visible comments, some of them replies, from a pool of generated readers, "
        "across published articles (the newest get most) or on one article; keeps the comment "
        "counts exact. Adds to what exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--article", type=int, help=_("Put every comment on this article."))
        parser.add_argument("--readers", type=int, default=500, help=_("Size of the reader pool."))
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count, article, readers, batch, seed, **options):
        rng = random.Random(seed)
        started = time.monotonic()
        articles = Article.objects.published().order_by("-published_at")
        if article is not None:
            articles = articles.filter(pk=article)
        articles = list(articles.values_list("pk", "published_at"))
        if not articles:
            raise CommandError(_("No published article to comment on."))
        users = self.ensure_readers(readers)
        # Most comments go to recent stories: weight 1/(rank+10) over newest first.
        weights = [1 / (rank + 10) for rank in range(len(articles))]
        now = timezone.now()

        progress = Progress(self.stdout, "comments", count)
        made = 0
        while made < count:
            size = min(batch, count - made)
            replies = int(size * REPLY_SHARE) if size > 1 else 0
            with transaction.atomic():
                tops = [
                    self.comment(rng, users, pk, published_at, now)
                    for pk, published_at in rng.choices(articles, weights, k=size - replies)
                ]
                tops = Comment.objects.bulk_create(tops)
                answers = []
                for _reply in range(replies):
                    parent = rng.choice(tops)
                    answer = self.comment(rng, users, parent.article_id, parent.created_at, now)
                    answer.parent_id = parent.pk
                    answers.append(answer)
                Comment.objects.bulk_create(answers)
                self.count(Counter(c.article_id for c in tops + answers))
            made += size
            progress.update(made)
        invalidation.everything_changed()  # bulk_create announces nothing
        self.stdout.write(f"{made:,} comments in {time.monotonic() - started:.1f}s.")

    @staticmethod
    def comment(rng, users, article_id, after, now):
        seconds = max(int((now - after).total_seconds()), 1)
        posted = after + timedelta(seconds=rng.randrange(min(seconds, 3 * 86400)))
        return Comment(
            article_id=article_id,
            user_id=rng.choice(users),
            body=" ".join(sentence(rng, rng.randint(5, 25)) for _n in range(rng.randint(1, 4))),
            status=Comment.Status.VISIBLE,
            created_at=posted,
        )

    @staticmethod
    def count(per_article):
        """Add each article's new comments to its CommentStats row: one UPDATE per distinct
        number, in the batch's transaction, so the counts stay exact."""
        CommentStats.objects.bulk_create(
            [CommentStats(article_id=pk) for pk in per_article], ignore_conflicts=True
        )
        by_delta = defaultdict(list)
        for pk, delta in per_article.items():
            by_delta[delta].append(pk)
        for delta, pks in by_delta.items():
            CommentStats.objects.filter(article_id__in=pks).update(visible=F("visible") + delta)

    @staticmethod
    def ensure_readers(size):
        User = get_user_model()
        User.objects.bulk_create(
            [
                User(
                    username=f"{READER_PREFIX}{n}",
                    email=f"{READER_PREFIX}{n}@example.com",
                    password="!",  # an unusable password: nobody signs in as them
                )
                for n in range(size)
            ],
            ignore_conflicts=True,
        )
        users = list(
            User.objects.filter(username__startswith=READER_PREFIX).values_list("pk", flat=True)
        )
        Profile.objects.bulk_create(
            [Profile(user_id=pk, display_name=f"Reader {pk}") for pk in users],
            ignore_conflicts=True,
        )
        return users
