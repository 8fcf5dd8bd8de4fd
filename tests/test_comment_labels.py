"""Readers' comments are labelled like article bodies, and stay escaped."""

import pytest

from tests.factories import make_article, make_comment, make_label

pytestmark = pytest.mark.django_db


def test_a_mention_in_a_comment_gets_its_label_and_markup_stays_text(client):
    make_label("Facebook")
    article = make_article()
    make_comment(article, body="I read it on Facebook <script>alert(1)</script>")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Facebook (banned in Russia)" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_demo_channels_block_links_the_sites_feeds(client, settings):
    from django.core.management import call_command

    call_command("load_demo", "--articles", "1")
    from articles.management.commands.load_demo import SEED_TITLE
    from articles.models import Article

    html = client.get(Article.objects.get(title=SEED_TITLE).get_absolute_url()).content.decode()
    assert "Our news channels" in html
    assert 'href="/feeds/rss/"' in html and 'href="/feeds/atom/"' in html
