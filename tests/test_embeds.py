"""The richer body: tables, videos and posts pasted as an address (click-to-load blocks), what
the sanitizer removed told to the writer, and the search-result and social-card preview."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from articles.models import Article
from newsroom.embeds import FRAME_SOURCES, find_embed, render_embeds
from newsroom.richtext import display_html, removal_messages, removed_markup, sanitize_html
from notices.models import Notice
from tests.factories import (
    admin_article_data,
    change_url,
    make_article,
    make_articles,
    make_label,
    make_notice,
    post_data,
)
from tests.test_invalidation import cached, fetch, page_cache  # noqa: F401 (a fixture)
from tests.test_queries import ARTICLE_QUERIES

pytestmark = pytest.mark.django_db

VIDEO = "dQw4w9WgXcQ"


# Providers: recognised by the address alone, their frame built from the ids read.


@pytest.mark.parametrize(
    ("url", "src"),
    [
        (
            f"https://www.youtube.com/watch?v={VIDEO}&si=tracking",
            f"https://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1",
        ),
        (
            f"https://youtu.be/{VIDEO}?t=1m30s",
            f"https://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1&start=90",
        ),
        (
            f"https://youtube.com/shorts/{VIDEO}",
            f"https://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1",
        ),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1"),
        (
            "https://x.com/nasa/status/1790000000000000000",
            "https://platform.twitter.com/embed/Tweet.html?id=1790000000000000000&dnt=true",
        ),
        (
            "https://twitter.com/nasa/status/179",
            "https://platform.twitter.com/embed/Tweet.html?id=179&dnt=true",
        ),
        ("https://t.me/durov/142", "https://t.me/durov/142?embed=1"),
        (
            "https://www.instagram.com/reel/C9abcDEF12/",
            "https://www.instagram.com/p/C9abcDEF12/embed/",
        ),
        (
            "https://www.facebook.com/nasa/posts/pfbid02xyz",
            "https://www.facebook.com/plugins/post.php?href="
            "https%3A%2F%2Fwww.facebook.com%2Fnasa%2Fposts%2Fpfbid02xyz",
        ),
    ],
)
def test_a_registered_providers_address_becomes_its_frame(url, src):
    embed = find_embed(url)
    assert embed.src == src
    assert any(embed.src.startswith(source + "/") for source in FRAME_SOURCES)


@pytest.mark.parametrize(
    "url",
    [
        f"javascript://www.youtube.com/watch?v={VIDEO}",
        f"https://youtube.com.example.net/watch?v={VIDEO}",
        f"https://example.net/watch?v={VIDEO}",
        f"https://user:pw@www.youtube.com/watch?v={VIDEO}",
        f"https://www.youtube.com:8443/watch?v={VIDEO}",
        "https://www.youtube.com/watch?v=short",
        'https://www.youtube.com/watch?v=dQw4w9WgXc"',
        "https://t.me/joinchat",
        "https://vimeo.com/about",
        "ftp://vimeo.com/76979871",
    ],
)
def test_anything_else_is_no_embed(url):
    assert find_embed(url) is None


def test_an_address_alone_on_its_line_becomes_a_click_to_load_block():
    body = sanitize_html(
        f"<p>Before.</p><p>https://youtu.be/{VIDEO}</p>"
        f'<p><a href="https://t.me/durov/142">https://t.me/durov/142</a></p>'
    )
    html = render_embeds(body)
    assert html.startswith("<p>Before.</p>")
    assert html.count('class="embed ') == 2
    assert f'data-embed-src="https://www.youtube-nocookie.com/embed/{VIDEO}?autoplay=1"' in html
    # The original address, tidied of its tracking, is the block's link (what a reader
    # without JavaScript gets); the notice and the button wait, hidden, for the script.
    assert f'<a href="https://www.youtube.com/watch?v={VIDEO}"' in html
    assert '<div class="embed__consent" hidden>' in html
    assert "which may set cookies" in html
    assert "<iframe" not in html and "<script" not in html


@pytest.mark.parametrize(
    "body",
    [
        f'<p><a href="https://youtu.be/{VIDEO}">Watch the speech</a></p>',  # a link with words
        f"<p>See https://youtu.be/{VIDEO} for the speech.</p>",  # an address inside a sentence
        "<p>https://example.net/video/1</p>",  # not a registered provider
        f"<blockquote><p>https://youtu.be/{VIDEO}x</p></blockquote>",  # not an id
    ],
)
def test_other_paragraphs_stay_as_they_are(body):
    clean = sanitize_html(body)
    assert render_embeds(clean) == clean


def test_hostile_markup_in_an_address_line_is_escaped_in_the_block():
    clean = sanitize_html(f'<p>https://youtu.be/{VIDEO}?t=5&"><script>x</script></p>')
    html = display_html(clean)
    assert "<script" not in html


# Tables.


def test_a_table_is_kept_with_integer_spans_only():
    html = sanitize_html(
        '<table style="width:9in" onclick="x()"><colgroup><col style="min-width:25px"></colgroup>'
        '<tbody><tr><th colspan="2" rowspan="1">Party</th><th colspan="x">Seats</th></tr>'
        '<tr><td rowspan="99999">A</td><td colspan=" 3 ">1</td><td>2</td></tr></tbody></table>'
    )
    assert html == (
        "<table><colgroup><col></colgroup><tbody>"
        '<tr><th colspan="2" rowspan="1">Party</th><th>Seats</th></tr>'
        '<tr><td>A</td><td colspan="3">1</td><td>2</td></tr></tbody></table>'
    )


def test_readers_get_a_scrollable_table_whose_headers_say_what_they_head():
    html = display_html(
        sanitize_html(
            "<table><tbody><tr><th>Party</th><th>Seats</th></tr>"
            "<tr><th>Greens</th><td>12</td></tr></tbody></table>"
        )
    )
    assert html.startswith('<div class="table-scroll" role="region" tabindex="0"')
    assert html.endswith("</table></div>")
    assert re.findall(r'<th scope="(\w+)"', html) == ["col", "col", "row"]


# What the sanitizer removed, told to the writer.


def test_the_writer_is_told_what_was_removed_and_where():
    messages = removal_messages(
        "<p>One.</p><p>Two.</p>"
        '<p>Read <a href="javascript:alert(1)">the report</a>.</p>'
        "<ul><li><p>A list item.</p></li></ul>"
        "<p>Five <script>alert(1)</script></p>"
        '<p onclick="steal()">Six <iframe src="https://example.net"></iframe></p>'
    )
    assert messages[0].startswith("Removed an unsafe link (javascript:) in paragraph 3 (“Read")
    assert messages[1] == "Removed a script in paragraph 5 (“Five”)."
    assert "script attribute (onclick) in paragraph 6" in messages[2]
    assert "embedded frame or object (iframe) in paragraph 6" in messages[3]
    assert "paste its address on a line of its own" in messages[3]
    assert len(messages) == 4


def test_nothing_is_reported_for_what_the_editor_itself_writes():
    body = (
        '<p>A <a href="https://example.net/a?b=1&amp;c=2">link</a>, <a href="/rel">another</a>,'
        ' <a href="mailto:desk@example.net">mail</a> and <strong>bold</strong>.</p>'
        '<table style="min-width: 50px"><colgroup><col style="min-width: 25px"></colgroup>'
        '<tbody><tr><th colspan="1" rowspan="1"><p>h</p></th></tr></tbody></table>'
        '<p style="text-align: center" class="x">formatting only</p>'
    )
    assert removal_messages(body) == []


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " java&#x09;script:alert(1)",
        "java\nscript:alert(1)",
        "javascript&colon;alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "vbscript:msgbox",
        "https://example.net/",
        "/relative",
        "//example.net/x",
        "mailto:a@example.net",
        "",
        " ",
    ],
)
def test_a_link_is_reported_exactly_when_the_sanitizer_drops_it(href):
    for body in [
        f'<p><a href="{href}">x</a></p>',
        f"<p><a title=t HREF='{href}'>x</a></p>",
        f'<p><a href="{href}" href="https://example.net/">x</a></p>',  # the first one counts
        f'<p><a href="https://example.net/" href="{href}">x</a></p>',
    ]:
        dropped = "href" not in sanitize_html(body)
        removals = removed_markup(body)[0]
        assert any(removal.kind in {"link", "empty-link"} for removal in removals) == dropped


def test_a_link_the_editor_emptied_is_removed_and_reported():
    # What the rich-text editor sends when a writer types "javascript:alert(1)" as an address.
    body = '<p>See <a href="" title="">the report</a>.</p>'
    assert sanitize_html(body) == '<p>See <a rel="noopener noreferrer">the report</a>.</p>'
    (message,) = removal_messages(body)
    assert message.startswith("Removed a link with no address in paragraph 1 (“See the")


def test_many_removals_of_one_kind_make_one_sentence():
    body = "".join(f'<p>{n} <a href="javascript:{n}">x</a></p>' for n in range(12))
    (message,) = removal_messages(body)
    assert message.startswith("Removed 12 unsafe links (javascript:) in paragraphs 1, 2, 3")
    assert ", …" in message


def test_saving_an_article_with_an_unsafe_link_says_so_and_keeps_the_form_open(client, editor):
    article = make_article(title="Budget")
    client.force_login(editor)
    body = '<p>Fine.</p><p>Fine too.</p><p>Click <a href="javascript:alert(1)">here</a>.</p>'
    response = client.post(
        change_url(article), post_data(article, editor_fields=True, body=body), follow=True
    )
    assert response.redirect_chain[-1][0] == change_url(article)  # not the list
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "Removed an unsafe link (javascript:) in paragraph 3 (“Click here.”)" in warnings[0]
    # The article is live: the cleaned text waits in its unpublished changes.
    assert article.pending_changes.data["body"] == (
        '<p>Fine.</p><p>Fine too.</p><p>Click <a rel="noopener noreferrer">here</a>.</p>'
    )


def test_a_clean_save_goes_back_to_the_list_as_before(client, editor):
    article = make_article()
    client.force_login(editor)
    response = client.post(change_url(article), post_data(article, editor_fields=True))
    assert response.url == reverse("admin:articles_article_changelist")


def test_a_new_article_with_a_script_is_saved_and_the_writer_told(client, editor, section):
    client.force_login(editor)
    data = admin_article_data(section, body="<p>Text.</p><script>alert(1)</script>")
    response = client.post(reverse("admin:articles_article_add"), data, follow=True)
    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == change_url(article)
    assert "Removed a script in paragraph 1 (“Text.”)." in [
        str(m) for m in response.context["messages"]
    ]
    assert article.body == "<p>Text.</p>"


def test_a_notice_body_is_reported_on_too(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.net", "pw-12345678")
    )
    notice = make_notice(name="Channels", body="<p>Subscribe.</p>")
    data = {
        "name": notice.name,
        "body": '<p>Subscribe <a href="javascript:void(0)">here</a>.</p>',
        "list_format": "",
        "placement": notice.placement,
        "position": notice.position,
        "active": "on",
        "scope": notice.scope,
        "channels-TOTAL_FORMS": "0",
        "channels-INITIAL_FORMS": "0",
    }
    response = client.post(
        reverse("admin:notices_notice_change", args=[notice.pk]), data, follow=True
    )
    assert any(
        "unsafe link (javascript:) in paragraph 1" in str(m) for m in response.context["messages"]
    )
    assert "javascript" not in Notice.objects.get(pk=notice.pk).body


def test_an_information_page_is_reported_on_too(client, django_user_model):
    from django.contrib.flatpages.models import FlatPage

    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.net", "pw-12345678")
    )
    data = {
        "url": "/about/",
        "title": "About us",
        "content": '<p>Who we are.</p><p><object data="team.swf"></object>Our team.</p>',
        "sites": [settings.SITE_ID],
        "template_name": "",
    }
    response = client.post(reverse("admin:flatpages_flatpage_add"), data, follow=True)
    page = FlatPage.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "admin:flatpages_flatpage_change", args=[page.pk]
    )
    messages = [str(message) for message in response.context["messages"]]
    assert any("(object) in paragraph 2 (“Our team.”)" in message for message in messages)
    assert page.content == "<p>Who we are.</p><p>Our team.</p>"


# The public page.


def test_the_public_page_shows_the_block_and_the_table_and_loads_no_third_party(client):
    article = make_article(
        body=f"<p>Intro.</p><p>https://www.youtube.com/watch?v={VIDEO}</p>"
        "<table><tbody><tr><th>Party</th></tr><tr><td>Greens</td></tr></tbody></table>"
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert 'data-embed="youtube"' in html
    assert '<th scope="col">Party</th>' in html
    assert '<script src="/static/js/embeds.js" defer></script>' in html
    # Nothing on the page comes from the provider: its only mention is our data attribute and
    # the link to the original.
    external = re.findall(r'(?<![\w-])(?:src|href)="(https?://[^"]+)"', html)
    assert [url for url in external if "youtube" in url] == [
        f"https://www.youtube.com/watch?v={VIDEO}"
    ]
    policy = response["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com" in policy
    assert "script-src 'self';" in policy


def test_the_provider_is_labelled_where_it_is_first_mentioned(client):
    make_label("Instagram")
    article = make_article(
        body="<p>https://www.instagram.com/p/C9abcDEF12/</p><p>Instagram said.</p>"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="embed__provider">Instagram (banned in Russia)</span>: <a href' in html
    assert "<p>Instagram said.</p>" in html  # labelled once, at the first mention


def test_the_admin_keeps_its_own_frame_policy(client, editor):
    client.force_login(editor)
    policy = client.get(reverse("admin:articles_article_add"))["Content-Security-Policy"]
    assert "frame-src 'self'" in policy
    assert "youtube" not in policy


@pytest.mark.usefixtures("no_page_cache")
@pytest.mark.parametrize("size", [1, 20])
def test_embeds_and_tables_add_no_query_to_the_article_page(
    client, django_assert_num_queries, size
):
    articles = make_articles(size, authors=size, tags=size)
    article = articles[0]
    article.body = "".join(
        f"<p>https://youtu.be/{VIDEO}</p><table><tr><th>h</th></tr><tr><td>{n}</td></tr></table>"
        for n in range(size)
    )
    article.save()
    with django_assert_num_queries(ARTICLE_QUERIES):  # as tests/test_queries.py's article page
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('data-embed="youtube"') == size


@pytest.mark.usefixtures("page_cache")
def test_an_embed_added_in_the_admin_shows_on_the_next_request(editor):
    article = make_article(body="<p>Text.</p>")
    url = article.get_absolute_url()
    assert "data-embed=" not in cached(url)
    client = Client()
    client.force_login(editor)
    body = "<p>Text.</p><p>https://vimeo.com/76979871</p>"
    data = post_data(article, editor_fields=True, body=body, _workflow="publish_changes")
    response = client.post(change_url(article), data)
    assert response.status_code == 302
    state, html = fetch(url)
    assert state != "hit"
    assert 'data-embed="vimeo"' in html


# The search-result and social-card preview.


def test_the_form_previews_the_search_result_and_the_social_card(client, editor):
    article = make_article(
        title="A headline " + "long " * 20,
        lead="The lead, " + "word " * 60,
        seo_description="",
    )
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    preview = html[html.index("data-share-preview") :]
    assert f"{settings.SITE_NAME}" in preview
    assert f'› article › {article.pk} › <span data-share="slug">{article.slug}</span>' in preview
    search_title = re.search(r'data-share="search-title">([^<]*)<', preview)[1]
    assert len(search_title) <= 60 and search_title.endswith("…")
    description = re.search(r'data-share="search-description">([^<]*)<', preview)[1]
    assert description.startswith("The lead, word") and len(description) <= 160
    assert "js/share_preview.js" in html and "css/admin_share_preview.css" in html


def test_the_preview_uses_the_search_engine_description_when_there_is_one(client, editor):
    article = make_article(seo_description="What search engines show.")
    client.force_login(editor)
    html = client.get(change_url(article)).content.decode()
    assert 'data-share="card-description">What search engines show.<' in html


def test_a_new_articles_form_has_the_preview_too(client, editor):
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "(no headline yet)" in html and "› article › … ›" in html
