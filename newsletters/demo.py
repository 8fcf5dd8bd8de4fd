"""Demo newsletters, for `load_demo` (articles discovers each app's demo.py): the morning
digest the channels block offers, breaking-news alerts and a section letter. Safe to run again."""

import sys

from articles.management.commands.load_demo import demo_slug, demo_texts
from articles.models import Section

from .models import Newsletter

SECTION = "Defense"  # the section letter's section, by its demo name


def letters(defense):
    letters = [
        ("Morning briefing", "morning", Newsletter.Kind.DIGEST, None, True,
         "The day's most important stories, every morning at seven."),
        ("Breaking news", "breaking", Newsletter.Kind.ALERT, None, False,
         "A short e-mail when something big happens, a few times a month."),
    ]  # fmt: skip
    if defense:
        letters.append(("Defense weekly", "defense", Newsletter.Kind.SECTION, defense, False,
                        "The week in defense and security, on Fridays."))  # fmt: skip
    return letters


def load_demo(stdout, language="en"):
    texts = demo_texts("newsletters", sys.modules[__name__], language)
    defense = Section.objects.filter(slug=demo_slug(texts.SECTION)).first()
    for position, (name, slug, kind, section, default, description) in enumerate(
        texts.letters(defense)
    ):
        Newsletter.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "section": section,
                "default": default,
                "description": description,
                "position": position,
            },
        )
    stdout.write(f"Demo newsletters ready: {Newsletter.objects.count()}.")
