"""'Our news channels': channels an editor lists, in order, after a notice's text; the
newsletter sign-up on a cached page; changes seen on the next request."""

import importlib
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import notices
from audit.models import AuditEntry
from notices.models import Channel, Notice
from tests.factories import make_article, make_channel, make_notice
from tests.test_queries import ARTICLE_QUERIES

pytestmark = pytest.mark.django_db

move_migration = importlib.import_module("notices.migrations.0004_feed_links_to_channels")


@pytest.fixture
def block():
    return make_notice(name="Our news channels", body="<h2>Our news channels</h2><p>Subscribe.</p>")


def channel_names(html):
    """The channel names in the order the page shows them."""
    return re.findall(r'class="channel__name"[^>]*>(?:<svg.*?</svg>)?([^<]*)<', html)


def channels_html(html):
    return html[html.index('<ul class="channels">') : html.index("</ul>", html.index("channels"))]


# The model: links readers can follow safely.


@pytest.mark.parametrize(
    "link",
    [
        "https://t.me/newsroom",
        "http://example.org/page?a=1",
        "/feeds/rss/",
        "/newsletters/",
        "mailto:news@example.org",
        "mailto:news@example.org?subject=Tip",
    ],
)
def test_a_channel_accepts_web_addresses_site_paths_and_mailto(block, link):
    make_channel(block, link=link, kind=Channel.Kind.OTHER)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/",
        "/\\evil.example/",
        "ftp://example.org/file",
        "mailto:not an address",
        "https://",
        "t.me/newsroom",
        "/feeds/ rss/",
    ],
)
def test_a_channel_refuses_links_that_run_code_or_lead_elsewhere_unannounced(block, link):
    channel = Channel(notice=block, name="Bad", kind=Channel.Kind.OTHER, link=link)
    with pytest.raises(ValidationError) as error:
        channel.full_clean()
    assert "link" in error.value.message_dict


def test_a_newsletter_sign_up_must_post_to_this_site(block):
    channel = Channel(
        notice=block,
        name="Newsletter",
        kind=Channel.Kind.NEWSLETTER,
        link="https://mailer.example.org/subscribe",
    )
    with pytest.raises(ValidationError) as error:
        channel.full_clean()
    assert "posts to this site" in str(error.value.message_dict["link"])
    channel.link = "/newsletters/"
    channel.full_clean()


def test_a_channel_names_itself_and_gets_its_services_icon(block):
    telegram = make_channel(block, kind=Channel.Kind.MESSENGER, link="https://t.me/news")
    vk = make_channel(block, name="VK", kind=Channel.Kind.SOCIAL, link="https://www.vk.com/n")
    feed = make_channel(block, name="RSS", kind=Channel.Kind.FEED, link="/feeds/rss/")
    assert str(telegram) == "Telegram (Messenger channel)"
    assert (telegram.icon, vk.icon, feed.icon) == ("telegram", "vk", "feed")
    assert telegram.is_external and not feed.is_external


# The page.


def test_the_block_shows_its_text_then_its_active_channels_in_the_chosen_order(
    client, article, block
):
    make_channel(block, name="Late", link="https://vk.com/n", position=30)
    make_channel(block, name="First", link="https://t.me/n", position=10)
    make_channel(block, name="Hidden", link="https://t.me/h", position=5, active=False)
    make_channel(block, name="Middle", link="/feeds/rss/", position=20)
    html = client.get(article.get_absolute_url()).content.decode()
    assert html.index("Subscribe.") < html.index('<ul class="channels">')
    assert channel_names(html) == ["First", "Middle", "Late"]
    assert "Hidden" not in html


def test_outside_links_open_without_handing_over_the_page_and_names_are_escaped(
    client, article, block
):
    make_channel(block, name="<b>Tele</b>gram", link="https://t.me/n?a=1&b=2", position=1)
    make_channel(block, name="RSS", kind=Channel.Kind.FEED, link="/feeds/rss/", position=2)
    make_channel(block, name="Mail us", link="mailto:desk@example.org", position=3)
    html = channels_html(client.get(article.get_absolute_url()).content.decode())
    assert '<a class="channel__link" href="https://t.me/n?a=1&amp;b=2" rel="noopener">' in html
    assert '<a class="channel__link" href="/feeds/rss/">' in html
    assert '<a class="channel__link" href="mailto:desk@example.org">' in html
    assert "&lt;b&gt;Tele&lt;/b&gt;gram" in html and "<b>" not in html
    # the icons are the site's own, hidden from screen readers
    assert html.count('aria-hidden="true"') == 3
    assert html.count('/static/img/icons.svg#telegram"') == 1
    assert html.count('/static/img/icons.svg#feed"') == 1


def test_a_channel_name_that_must_carry_a_label_carries_it(client, article, block):
    from tests.factories import make_label

    make_label("Instagram")
    make_channel(block, name="Instagram", kind=Channel.Kind.SOCIAL, link="https://ig.example/n")
    html = channels_html(client.get(article.get_absolute_url()).content.decode())
    assert "Instagram (banned in Russia)" in html


def test_the_newsletter_sign_up_has_no_csrf_token_and_the_page_stays_cached(client, article, block):
    make_channel(
        block,
        name="Newsletter",
        kind=Channel.Kind.NEWSLETTER,
        link="/newsletters/",
        description="Every morning.",
    )
    first = client.get(article.get_absolute_url())
    html = first.content.decode()
    start = html.index('<form class="channel__signup"')
    form = html[start : html.index("</form>", start)]
    assert 'method="post" action="/newsletters/"' in form
    assert re.search(r'<input type="email" name="email" id="channel-\d+-email" required', form)
    assert "csrfmiddlewaretoken" not in form
    assert "Every morning." in form and "Subscribe</button>" in form
    assert first["X-Page-Cache"] == "miss"
    assert "public" in first["Cache-Control"]
    second = client.get(article.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_every_change_to_a_channel_shows_on_the_next_request_through_the_page_cache(
    client, article, block
):
    url = article.get_absolute_url()
    telegram = make_channel(block, name="Telegram", position=10)
    assert channel_names(client.get(url).content.decode()) == ["Telegram"]
    assert client.get(url)["X-Page-Cache"] == "hit"

    vk = make_channel(block, name="VK", link="https://vk.com/n", position=20)
    assert channel_names(client.get(url).content.decode()) == ["Telegram", "VK"]

    vk.position = 1
    vk.save()
    assert channel_names(client.get(url).content.decode()) == ["VK", "Telegram"]

    telegram.name = "Telegram channel"
    telegram.save()
    assert channel_names(client.get(url).content.decode()) == ["VK", "Telegram channel"]

    vk.active = False
    vk.save()
    assert channel_names(client.get(url).content.decode()) == ["Telegram channel"]

    telegram.delete()
    assert '<ul class="channels">' not in client.get(url).content.decode()


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("count", [0, 20])
def test_article_page_queries_do_not_grow_with_channels(
    client, django_assert_num_queries, block, count
):
    for position in range(count):
        make_channel(block, name=f"Channel {position}", link=f"/c/{position}/", position=position)
    article = make_article()
    # the article page's own (tests/test_queries.py, with notices and labels) and the channels
    with django_assert_num_queries(ARTICLE_QUERIES + 1):
        response = client.get(article.get_absolute_url())
    assert len(channel_names(response.content.decode())) == count
    with django_assert_num_queries(0):
        client.get(article.get_absolute_url())


def test_a_past_moment_shows_the_channels_as_they_were(block):
    channel = make_channel(block, name="Telegram")
    before = timezone.now()
    channel.name = "Telegram news"
    channel.save()
    make_channel(block, name="VK", link="https://vk.com/n")
    (then,) = [n for n in notices.as_of(before).notices if n.pk == block.pk]
    assert [c.name for c in then.channels] == ["Telegram"]


# The admin: channels are edited on their notice.


def inline(rows, initial=0):
    data = {"channels-TOTAL_FORMS": str(len(rows)), "channels-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data |= {f"channels-{index}-{key}": value for key, value in row.items()}
    return data


def notice_data(notice, rows, initial=0):
    return {
        "name": notice.name,
        "body": notice.body,
        "list_format": "",
        "placement": notice.placement,
        "position": str(notice.position),
        "active": "on",
        "scope": "everywhere",
    } | inline(rows, initial)


def test_an_editor_adds_and_reorders_channels_on_the_notice_and_readers_see_the_order(
    client, editor, article, block
):
    url = reverse("admin:notices_notice_change", args=[block.pk])
    reader = Client()
    assert '<ul class="channels">' not in reader.get(article.get_absolute_url()).content.decode()
    client.force_login(editor)
    form = client.get(url).content.decode()
    assert 'name="channels-0-link"' in form and 'name="channels-0-position"' in form

    rows = [
        {"position": "10", "name": "Telegram", "kind": "messenger", "link": "https://t.me/n"},
        {"position": "20", "name": "RSS", "kind": "feed", "link": "/feeds/rss/"},
    ]
    for row in rows:
        row["active"] = "on"
    response = client.post(url, notice_data(block, rows))
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert channel_names(reader.get(article.get_absolute_url()).content.decode()) == [
        "Telegram",
        "RSS",
    ]

    saved = {c.name: c for c in block.channels.all()}
    rows[0] |= {"id": str(saved["Telegram"].pk), "notice": str(block.pk)}
    rows[1] |= {"id": str(saved["RSS"].pk), "notice": str(block.pk), "position": "5"}
    response = client.post(url, notice_data(block, rows, initial=2))
    assert response.status_code == 302
    assert channel_names(reader.get(article.get_absolute_url()).content.decode()) == [
        "RSS",
        "Telegram",
    ]
    # the admin lists them in the readers' order
    form = client.get(url).content.decode()
    assert form.index('value="RSS"') < form.index('value="Telegram"')
    audited = AuditEntry.objects.filter(content_type__model="channel")
    assert sorted(audited.values_list("action", flat=True)) == ["add", "add", "change"]


def test_a_bad_channel_link_in_the_admin_is_an_error_that_keeps_what_was_typed(
    client, editor, block
):
    client.force_login(editor)
    url = reverse("admin:notices_notice_change", args=[block.pk])
    rows = [
        {
            "position": "1",
            "name": "Kept name",
            "kind": "other",
            "link": "javascript:alert(1)",
            "description": "Kept description",
            "active": "on",
        }
    ]
    response = client.post(url, notice_data(block, rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Use a web address starting with https://" in html
    assert 'value="Kept name"' in html and 'value="Kept description"' in html
    assert 'value="javascript:alert(1)"' in html
    assert not Channel.objects.exists()


def test_the_notice_admin_preview_shows_the_channels(client, editor, block):
    make_channel(block, name="Telegram")
    client.force_login(editor)
    html = client.get(reverse("admin:notices_notice_change", args=[block.pk])).content.decode()
    assert 'class="channel__name">Telegram</span>' in html


# Existing sites and the demo.


def test_the_migration_moves_hand_written_feed_links_into_channels(client, article):
    channels = make_notice(
        body='<h2>Our news channels</h2><p>Subscribe.</p><p><a href="/feeds/rss/">RSS</a> · '
        '<a href="/feeds/atom/">Atom</a></p>'
    )
    other = make_notice(
        body='<p>Read <a href="/feeds/rss/">our feed</a> or <a href="https://x.example/">this'
        "</a>.</p>",
        placement=Notice.Placement.FOOTER,
    )
    client.get(article.get_absolute_url())  # the snapshot is cached with the old body
    move_migration.move_feed_links(apps, None)
    channels.refresh_from_db()
    assert channels.body == "<h2>Our news channels</h2><p>Subscribe.</p>"
    assert [(c.name, c.kind, c.link) for c in channels.channels.all()] == [
        ("RSS", "feed", "/feeds/rss/"),
        ("Atom", "feed", "/feeds/atom/"),
    ]
    other.refresh_from_db()
    assert "our feed" in other.body and not other.channels.exists()  # not only feed links
    html = client.get(article.get_absolute_url()).content.decode()
    assert channel_names(html) == ["RSS", "Atom"]
    assert "</a> · <a" not in html
    move_migration.move_feed_links(apps, None)  # again: nothing more
    assert Channel.objects.count() == 2


def test_the_demo_lists_the_seeds_channels_in_order_and_loading_twice_adds_nothing(client):
    call_command("load_demo", "--articles", "1", stdout=None)
    call_command("load_demo", "--articles", "1", stdout=None)
    block = Notice.objects.get(name="Our news channels")
    assert [(c.name, c.kind, c.link) for c in block.channels.all()] == [
        ("Newsletter", "newsletter", "/newsletters/"),
        ("Telegram", "messenger", "https://t.me/newsroom_demo"),
        ("VK", "social", "https://vk.com/newsroom_demo"),
        ("RSS", "feed", "/feeds/rss/"),
        ("Atom", "feed", "/feeds/atom/"),
    ]
    assert "<a " not in block.body


def test_editors_may_edit_channels_though_the_role_was_made_before_channels_existed():
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"add_channel", "change_channel", "delete_channel", "view_channel"} <= codenames
