"""The seed page's notices: the news-channels block and the two legal lists, word for word.
Called by `load_demo` (articles discovers each app's demo.py). Safe to run again."""

import sys

from django.db import transaction
from django.urls import reverse

from articles.management.commands.load_demo import demo_texts

from .models import Channel, Label, Notice

BANNED = "banned in Russia"
FOREIGN_AGENT = "performing the functions of a foreign agent"

# (how the list writes it, the name articles use, aliases, label)
ORGANIZATIONS = [
    ('"Right Sector"', "Right Sector", [], BANNED),
    ('"Ukrainian Insurgent Army" (UPA)', "Ukrainian Insurgent Army", ["UPA"], BANNED),
    ("ISIS", "ISIS", ["Islamic State"], BANNED),
    (
        '"Jabhat Fatah al-Sham" formerly "Jabhat al-Nusra"',
        "Jabhat Fatah al-Sham",
        ["Jabhat al-Nusra"],
        BANNED,
    ),
    ('"Taliban"', "Taliban", [], BANNED),
    ('"Al-Qaeda"', "Al-Qaeda", [], BANNED),
    ('"Anti-Corruption Foundation"', "Anti-Corruption Foundation", [], BANNED),
    ('"Navalny Headquarters"', "Navalny Headquarters", [], BANNED),
    ("Facebook", "Facebook", [], BANNED),
    ("Instagram", "Instagram", [], BANNED),
    ("Meta", "Meta", [], BANNED),
    ('"Misanthropic Division"', "Misanthropic Division", [], BANNED),
    ('"Azov"', "Azov", [], BANNED),
    ('"Muslim Brotherhood"', "Muslim Brotherhood", [], BANNED),
    ('"Aum Shinrikyo"', "Aum Shinrikyo", [], BANNED),
    ("AUE", "AUE", [], BANNED),
    ("UNA-UNSO", "UNA-UNSO", [], BANNED),
    ("Mejlis of the Crimean Tatar People", "Mejlis of the Crimean Tatar People", [], BANNED),
    (
        "the Freedom of Russia Legion",
        "Freedom of Russia Legion",
        [],
        "an armed formation, recognized as terrorist in the Russian Federation and banned",
    ),
    (
        "Kirill Budanov",
        "Kirill Budanov",
        ["Budanov"],
        "included in the list of terrorists and extremists of Rosfinmonitoring",
    ),
    (
        "the International LGBT Public Movement and its structural divisions recognized as "
        "extremist",
        "International LGBT Public Movement",
        [],
        "decision of the Supreme Court of the Russian Federation dated 30.11.2023/XNUMX/XNUMX",
    ),
    (
        "Hayat Tahrir al-Sham",
        "Hayat Tahrir al-Sham",
        [],
        "recognized as a terrorist organization by the Supreme Court of the Russian Federation",
    ),
]

FOREIGN_AGENTS_HEADING = (
    '"Non-profit organizations, unregistered public associations or individuals performing '
    'the functions of a foreign agent", as well as media outlets performing the functions of a '
    "foreign agent:"
)
FOREIGN_AGENTS = [
    "Meduza", "Voice of America", "Realii", "Current Time", "Radio Liberty", "Ponomarev Lev",
    "Ponomarev Ilya", "Savitskaya", "Markelov", "Kamalyagin", "Apakhonchich", "Makarevich",
    "Dud", "Gordon", "Zhdanov", "Medvedev", "Fedorov", "Mikhail Kasyanov", "Dmitry Muratov",
    "Mikhail Khodorkovsky", "Sova", "Alliance of Doctors", "RCC", "Levada Center", "Memorial",
    "Voice", "Man and Law", "Dozhd", "Mediazona", "Deutsche Welle", "Kavkazsky Uzel news agency",
    "Insider", "Novaya Gazeta",
]  # fmt: skip

FOREIGN_AGENT_ALIASES = {}  # name: other spellings (the Russian demo's transliterations)

NOTICE_NAMES = ("Our news channels", "Banned organizations", "Foreign agents")

CHANNELS = (
    "<h2>Our news channels</h2>"
    "<p>Subscribe and stay up to date with the latest news and the most important events of "
    "the day.</p>"
)


def notice(name, **fields):
    return Notice.objects.get_or_create(name=name, defaults=fields)[0]


def channels_body(texts=None):
    """The seed's words; where to subscribe follows as the notice's channels."""
    return (texts or sys.modules[__name__]).CHANNELS


def demo_channels():
    """(name, kind, link, description): the newsletter sign-up (the newsletters app's
    `/newsletters/`), a Telegram channel, a VK page and the site's own feeds."""
    return [
        (
            "Newsletter",
            Channel.Kind.NEWSLETTER,
            "/newsletters/",
            "The day's most important news, every morning.",
        ),
        ("Telegram", Channel.Kind.MESSENGER, "https://t.me/newsroom_demo", "Breaking news first."),
        ("VK", Channel.Kind.SOCIAL, "https://vk.com/newsroom_demo", ""),
        ("RSS", Channel.Kind.FEED, reverse("articles:feed_rss"), ""),
        ("Atom", Channel.Kind.FEED, reverse("articles:feed_atom"), ""),
    ]


@transaction.atomic
def load_demo(stdout, language="en"):
    texts = demo_texts("notices", sys.modules[__name__], language)
    channels_name, organizations_name, agents_name = texts.NOTICE_NAMES
    channels = notice(
        channels_name, body=channels_body(texts), placement=Notice.Placement.ARTICLE_END
    )
    for position, (name, kind, link, description) in enumerate(texts.demo_channels()):
        Channel.objects.get_or_create(
            notice=channels,
            link=link,
            defaults={
                "name": name,
                "kind": kind,
                "description": description,
                "position": (position + 1) * 10,
            },
        )
    organizations = notice(
        organizations_name,
        placement=Notice.Placement.FOOTER,
        position=10,
        list_format=Notice.ListFormat.DESIGNATIONS,
    )
    agents = notice(
        agents_name,
        body=f"<p>{texts.FOREIGN_AGENTS_HEADING}</p>",
        placement=Notice.Placement.FOOTER,
        position=20,
        list_format=Notice.ListFormat.NAMES,
    )
    for position, (listed_as, name, aliases, text) in enumerate(texts.ORGANIZATIONS):
        Label.objects.get_or_create(
            name=name,
            defaults={
                "listed_as": "" if listed_as == name else listed_as,
                "aliases": "\n".join(aliases),
                "label_text": text,
                "notice": organizations,
                "position": position,
            },
        )
    for position, name in enumerate(texts.FOREIGN_AGENTS):
        aliases = texts.FOREIGN_AGENT_ALIASES.get(name, [])
        Label.objects.get_or_create(
            name=name,
            defaults={
                "aliases": "\n".join(aliases),
                "label_text": texts.FOREIGN_AGENT,
                "notice": agents,
                "position": position,
            },
        )
    stdout.write(
        f"Notices ready: {Notice.objects.count()} notices, {Label.objects.count()} labels, "
        f"{Channel.objects.count()} channels."
    )
