"""Demo content: the seed article as the seed page has it, and a small newsroom around it."""

import io
import os
import random
import sys
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _  # argparse takes no lazy string

from articles import slugs
from articles.models import Article, ArticleViews, Author, Correction, Section
from medialibrary.models import Image
from newsroom import invalidation

SEED_TITLE = "German Press: NATO Plans to Send Troops to Ukraine During Possible Ceasefire"
SEED_LEAD = (
    "Foreign affairs and security expert Christian Melling said NATO leaders are considering "
    "sending military contingents to Ukraine if a ceasefire is established."
)
SEED_PARAGRAPHS = [
    "According to the German publication Focus, we are talking about hundreds of thousands of "
    "military personnel who are supposed to control security in the eastern regions of Ukraine. "
    "However, this topic is not being discussed openly at the moment.",
    "In particular, according to a number of sources, the governments of Great Britain and France "
    "do not rule out sending their troops to Ukraine. Paris and London are already actively "
    "preparing to participate in negotiations on settling the Ukrainian crisis, and after a "
    "possible ceasefire is concluded, to send their troops and contingents of private military "
    "companies to Ukraine. In political circles of other NATO countries, discussions have also "
    "resumed about the advisability of sending limited contingents of ground troops to Ukraine "
    "against the backdrop of Washington's possible refusal to continue supporting Kyiv.",
    "Despite the fact that the corresponding statements by French President Emmanuel Macron have "
    "caused a sharp rejection by representatives of some European countries, led by Germany, this "
    "scenario has not been completely abandoned. In the framework of recent talks in Paris between "
    "British Prime Minister Keir Starmer and Macron, issues were raised regarding the creation of "
    "a solid core of allies in Europe, "
    "focused on Ukraine and European security in a broader sense.",
]

SEED_PARAGRAPHS_DEMO = []  # the Russian demo adds a paragraph of registered names (demo_ru.py)
SEED_SOURCE = ("Focus", "https://www.focus.de/")
SEED_IMAGE = {
    "title": "NATO headquarters, flags",
    "alt_text": "NATO flags in front of the alliance's headquarters",
    "caption": "NATO headquarters",
    "credit": "NATO website",
    "credit_url": "https://www.nato.int/",
}
SEED_TAGS = ["NATO", "Ukraine", "Europe", "ceasefire"]

SECTIONS = ["Politics", "World", "Economy", "Defense", "Society", "Culture"]
SEED_SECTION = "World"
AUTHORS = [
    ("Anna Keller", "Covers European politics and security."),
    ("Mark Ivanov", "Defense correspondent."),
    ("Sofia Brandt", "Economy editor."),
    ("David Chen", "Society and culture reporter."),
]

TOPICS = [
    ("Politics", "Parliament Debates {thing} Ahead of Budget Vote", ["parliament", "budget"]),
    ("World", "Talks in {city} End Without Agreement on {thing}", ["diplomacy", "Europe"]),
    ("Economy", "Central Bank Holds Rates as {thing} Slows", ["economy", "inflation"]),
    ("Defense", "Allies Discuss {thing} at Meeting in {city}", ["NATO", "security"]),
    ("Society", "City of {city} Expands {thing} Programme", ["cities", "social policy"]),
    ("Culture", "Festival in {city} Celebrates {thing}", ["culture", "festivals"]),
]
THINGS = [
    "Energy Prices", "Grain Exports", "Border Security", "Housing", "Public Transport",
    "Air Defense", "Trade Rules", "Digital Services", "Pension Reform", "River Shipping",
]  # fmt: skip
CITIES = ["Berlin", "Paris", "Brussels", "Warsaw", "Vienna", "Geneva", "Rome", "Madrid", "Prague"]
SENTENCES = [
    "Officials said the decision would be reviewed within weeks.",
    "Opposition members called for a more detailed plan and a public hearing.",
    "Analysts expect the debate to continue well into next year.",
    "The ministry did not respond to a request for comment by the time of publication.",
    "Several regional governments have already announced measures of their own.",
    "Observers noted that the timing coincides with a series of international meetings.",
    "According to preliminary figures, the change affects several hundred thousand people.",
    "Representatives of business associations welcomed the move but warned about costs.",
    "A final vote is expected after consultations with the partners concludes.",
    "Experts interviewed by our correspondent were divided on the likely outcome.",
]
IMAGE = {
    "title": "Demo picture {number}",
    "alt_text": "A generated landscape: sky, hills and fields",
    "caption": "{section}: the view today",
    "credit": "Newsroom demo",
}
GALLERY_IMAGE = {
    "title": "Demo picture, second view",
    "alt_text": "Another generated landscape",
    "caption": "The same place, later in the day",
    "credit": "Newsroom demo",
}
CORRECTION = "An earlier version of this article gave the wrong date for the vote."

INFORMATION_PAGES = [
    (
        "/about/",
        "About us",
        "<p>Newsroom is an independent online news outlet covering politics, world affairs, the "
        "economy, defense, society and culture.</p>",
    ),
    (
        "/contacts/",
        "Contacts",
        '<p>Newsroom editorial office. E-mail: <a href="mailto:editor@example.com">'
        "editor@example.com</a>.</p>",
    ),
    (
        "/comment-rules/",
        "Comment rules",
        "<p>Comments are open to signed-in readers. Be civil, stay on topic, do not post personal "
        "data or calls to violence. Moderators may hold or remove comments that break these "
        "rules.</p>",
    ),
]

# Shown by `make run`; created only when DEBUG is on, never in production.
DEMO_USERS = [
    ("editor", "editor@example.com", "newsroom-editor", "Editor"),
    ("reporter", "reporter@example.com", "newsroom-reporter", "Reporter"),
    ("moderator", "moderator@example.com", "newsroom-moderator", "Moderator"),
    ("reader", "reader@example.com", "newsroom-reader", None),
]

# The demo's languages: English here, each other one in a `demo_<language>.py` text module per
# app holding the same names. One loader; the language only picks the texts.
LANGUAGES = ("en", "ru")


def demo_language(language=None):
    """The demo's language: `language`, else NEWSROOM_DEMO_LANGUAGE, else English."""
    language = (language or os.environ.get("NEWSROOM_DEMO_LANGUAGE") or "en").lower()
    if language not in LANGUAGES:
        raise CommandError(
            f"Unknown demo language {language!r}: choose one of {', '.join(LANGUAGES)}."
        )
    return language


def demo_texts(app_label, english, language):
    """The texts of `app_label`'s demo: `english` (its own module) or its `demo_<language>`."""
    return english if language == "en" else import_module(f"{app_label}.demo_{language}")


def demo_slug(text):
    """Latin, readable slugs in every language (articles.slugs: ICAO 9303 for Cyrillic)."""
    return slugs.slug_from(text, max_length=150)


def seed_article(language="en"):
    """The demo's seed article in `language`, if it is loaded (other apps' demos hang on it)."""
    texts = demo_texts("articles", sys.modules[__name__], language)
    return Article.objects.filter(title=texts.SEED_TITLE).first()


def demo_image(seed):
    """A generated picture, since nothing can be downloaded: a sky-to-earth gradient and shapes."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = 1200, 675
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top = (rng.randint(20, 80), rng.randint(60, 120), rng.randint(120, 200))
    bottom = (rng.randint(150, 220), rng.randint(140, 200), rng.randint(100, 160))
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _circle in range(6):
        x, y, r = rng.randint(0, width), rng.randint(height // 2, height), rng.randint(60, 220)
        shade = rng.randint(30, 90)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(shade, shade + 20, shade))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    return ContentFile(buffer.getvalue(), name=f"demo-{seed}.jpg")


class Command(BaseCommand):
    help = _(
        "Load demo content: sections, authors, the seed article, further articles and the "
        "Information pages (and demo accounts when DEBUG is on). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles", type=int, default=30, help=_("How many articles besides the seed one.")
        )
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            help=_(
                "The demo's language (default: NEWSROOM_DEMO_LANGUAGE, else en). Run the "
                "site in it too (DJANGO_LANGUAGE_CODE) so labels and search follow."
            ),
        )

    @transaction.atomic
    def handle(self, *args, articles, language=None, **options):
        language = demo_language(language)
        texts = self.texts = demo_texts("articles", sys.modules[__name__], language)
        now = timezone.now()
        sections = {
            name: Section.objects.get_or_create(
                slug=demo_slug(name), defaults={"name": name, "position": position}
            )[0]
            for position, name in enumerate(texts.SECTIONS)
        }
        authors = [
            Author.objects.get_or_create(slug=demo_slug(name), defaults={"name": name, "bio": bio})[
                0
            ]
            for name, bio in texts.AUTHORS
        ]

        paragraphs = texts.SEED_PARAGRAPHS + texts.SEED_PARAGRAPHS_DEMO
        seed, created = Article.objects.get_or_create(
            slug=demo_slug(texts.SEED_TITLE),
            defaults={
                "title": texts.SEED_TITLE,
                "section": sections[texts.SEED_SECTION],
                "lead": texts.SEED_LEAD,
                "body": "".join(f"<p>{escape(p)}</p>" for p in paragraphs),
                "source_name": texts.SEED_SOURCE[0],
                "source_url": texts.SEED_SOURCE[1],
                "status": Article.Status.PUBLISHED,
                "published_at": now - timedelta(minutes=30),
            },
        )
        if created:
            seed.image = Image.objects.create(file=demo_image(0), **texts.SEED_IMAGE)
            seed.save()
            seed.authors.set([authors[0]])
            seed.tags.set(texts.SEED_TAGS)

        for index in range(articles):
            section_name, pattern, tags = texts.TOPICS[index % len(texts.TOPICS)]
            rng = random.Random(index + 1)
            title = pattern.format(thing=rng.choice(texts.THINGS), city=rng.choice(texts.CITIES))
            if index >= len(texts.TOPICS) * len(texts.THINGS):
                title = f"{title} ({index + 1})"
            slug = demo_slug(f"{title}-{index + 1}")
            sentences = rng.sample(texts.SENTENCES, 6)
            article, created = Article.objects.get_or_create(
                slug=slug,
                defaults={
                    "title": title,
                    "section": sections[section_name],
                    "lead": sentences[0],
                    "body": "".join(
                        f"<p>{' '.join(sentences[i : i + 2])}</p>" for i in range(1, 6, 2)
                    ),
                    "status": Article.Status.PUBLISHED,
                    "published_at": now - timedelta(hours=2 + index * 5),
                },
            )
            if created:
                if index % 4 == 0:
                    image = dict(texts.IMAGE)
                    image["title"] = image["title"].format(number=index + 1)
                    image["caption"] = image["caption"].format(section=section_name)
                    article.image = Image.objects.create(file=demo_image(index + 1), **image)
                    if index == 0:
                        article.body += self.demo_gallery(article.image, sentences[0])
                    article.save()
                article.authors.set([authors[index % len(authors)]])
                article.tags.set(tags)

        self.load_correction_example()

        site = Site.objects.get(pk=settings.SITE_ID)
        for url, title, content in texts.INFORMATION_PAGES:
            page, _created = FlatPage.objects.get_or_create(
                url=url, defaults={"title": title, "content": content}
            )
            page.sites.add(site)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {Article.objects.count()} articles in "
                f"{Section.objects.count()} sections."
            )
        )
        if settings.DEBUG:
            self.create_demo_users()
        self.demo_views(now)
        # Other apps add their own demo content from their `demo.py` (load_demo(stdout)),
        # so this app needs to know none of them.
        for app_config in apps.get_app_configs():
            ours = Path(app_config.path).is_relative_to(settings.BASE_DIR)
            if (
                ours
                and app_config.name != "articles"
                and module_has_submodule(app_config.module, "demo")
            ):
                import_module(f"{app_config.name}.demo").load_demo(self.stdout, language=language)
        invalidation.everything_changed()  # the demo writes some rows past their save()

    def demo_views(self, now):
        """A day of readers, so that "Most read" and the view counts show: the seed article
        read most. Only into an empty table (a site with real counts keeps them)."""
        if ArticleViews.objects.exists():
            return
        hour = now.replace(minute=0, second=0, microsecond=0)
        rng = random.Random(7)
        counts = {}
        articles = Article.objects.published().order_by("-published_at")[:12]
        for rank, article in enumerate(articles):
            weight = 400 if article.title == self.texts.SEED_TITLE else 220 // (rank + 1) + 5
            for back in range(0, 24, 3):
                views = rng.randint(weight // 2, weight)
                counts[(article.pk, hour - timedelta(hours=back))] = views
        ArticleViews.add(counts)

    def demo_gallery(self, first, text):
        """Library images in the text: two placed one after the other make a gallery."""
        second = Image.objects.create(file=demo_image(99), **self.texts.GALLERY_IMAGE)
        figures = "".join(
            f'<figure><img src="{image.thumbnail_url}" alt="" data-file="{image.pk}"></figure>'
            for image in (first, second)
        )
        return f"<p>{escape(text)}</p>{figures}"

    def load_correction_example(self):
        """A correction, so the article foot and /corrections/ have something to show."""
        seed_slug = demo_slug(self.texts.SEED_TITLE)
        corrected = Article.objects.published().exclude(slug=seed_slug).first()
        if corrected and not Correction.objects.exists():
            Correction.objects.create(
                article=corrected,
                kind=Correction.Kind.CORRECTION,
                text=self.texts.CORRECTION,
            )

    def create_demo_users(self):
        User = get_user_model()
        for username, email, password, group in DEMO_USERS:
            if group and not Group.objects.filter(name=group).exists():
                continue  # a role whose app is not installed here
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": email, "is_staff": group is not None}
            )
            if created:
                user.set_password(password)
                user.save()
                if group:
                    user.groups.add(Group.objects.get(name=group))
            # Readers sign in on the site with their e-mail; staff in the admin with a username.
            login = username if group else email
            self.stdout.write(f"  demo {group or 'Reader'} login: {login} / {password}")
