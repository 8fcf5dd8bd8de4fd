"""Notices on public pages: placement, scope, order, labels; cheap and never stale."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notices.models import Label, Notice
from tests.factories import make_article, make_label, make_notice, make_section

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_placement_renders_in_its_place_on_the_article_page(client, article):
    make_notice(body="<p>FOOTER-NOTE</p>", placement=Notice.Placement.FOOTER)
    make_notice(body="<p>BEFORE-COMMENTS</p>", placement=Notice.Placement.BEFORE_COMMENTS)
    make_notice(body="<p>ARTICLE-END</p>", placement=Notice.Placement.ARTICLE_END)
    html = page(client, article.get_absolute_url())
    body = html.index(article.body)
    article_end = html.index("ARTICLE-END")
    assert body < article_end < html.index("</article>") < html.index("BEFORE-COMMENTS")
    assert html.index("BEFORE-COMMENTS") < html.index("FOOTER-NOTE") < html.index("footer-info")


def test_footer_notices_show_on_every_page_and_article_notices_only_on_articles(client, article):
    make_notice(body="<p>FOOTER-NOTE</p>", placement=Notice.Placement.FOOTER)
    make_notice(body="<p>ARTICLE-END</p>", placement=Notice.Placement.ARTICLE_END)
    home = page(client, reverse("articles:home"))
    assert "FOOTER-NOTE" in home
    assert "ARTICLE-END" not in home


def test_a_notice_scoped_to_sections_shows_only_on_their_articles(client):
    world, culture = make_section(), make_section()
    inside, outside = make_article(section=world), make_article(section=culture)
    make_notice(body="<p>WORLD-ONLY</p>", scope=Notice.Scope.SECTIONS, sections=[world])
    assert "WORLD-ONLY" in page(client, inside.get_absolute_url())
    assert "WORLD-ONLY" not in page(client, outside.get_absolute_url())


def test_a_notice_scoped_to_articles_shows_only_on_them(client):
    chosen, other = make_article(), make_article()
    make_notice(body="<p>CHOSEN-ONLY</p>", scope=Notice.Scope.ARTICLES, articles=[chosen])
    make_notice(
        body="<p>FOOTER-CHOSEN</p>",
        placement=Notice.Placement.FOOTER,
        scope=Notice.Scope.ARTICLES,
        articles=[chosen],
    )
    assert "CHOSEN-ONLY" in page(client, chosen.get_absolute_url())
    assert "FOOTER-CHOSEN" in page(client, chosen.get_absolute_url())
    assert "CHOSEN-ONLY" not in page(client, other.get_absolute_url())
    assert "FOOTER-CHOSEN" not in page(client, reverse("articles:home"))


def test_notices_of_a_placement_follow_their_position(client, article):
    make_notice(body="<p>THIRD</p>", position=30)
    make_notice(body="<p>FIRST</p>", position=10)
    make_notice(body="<p>SECOND</p>", position=20)
    html = page(client, article.get_absolute_url())
    assert html.index("FIRST") < html.index("SECOND") < html.index("THIRD")


def test_inactive_notices_are_hidden(client, article):
    make_notice(body="<p>HIDDEN</p>", active=False)
    assert "HIDDEN" not in page(client, article.get_absolute_url())


def test_a_notice_body_is_sanitized_when_saved():
    notice = make_notice(body='<p onclick="x()">Hi<script>alert(1)</script></p><img src=x>')
    notice.refresh_from_db()
    assert notice.body == "<p>Hi</p>"


def test_a_notice_lists_its_labels_with_their_designations_separated_by_commas(client, article):
    notice = make_notice(body="", placement=Notice.Placement.FOOTER, list_format="designations")
    make_label("Right Sector", listed_as='"Right Sector"', notice=notice, position=1)
    make_label("ISIS", notice=notice, position=2)
    make_label("Freedom of Russia Legion", "an armed formation", notice=notice, position=3,
               listed_as="the Freedom of Russia Legion")  # fmt: skip
    html = page(client, article.get_absolute_url())
    assert (
        "&quot;Right Sector&quot; (banned in Russia), ISIS (banned in Russia), "
        "the Freedom of Russia Legion (an armed formation)</p>"
    ) in html


def test_a_notice_lists_its_labels_by_name_separated_by_semicolons(client, article):
    notice = make_notice(body="<p>Foreign agents:</p>", list_format="names")
    for position, name in enumerate(["Meduza", "Voice of America", "Dozhd"]):
        make_label(name, "foreign agent", notice=notice, position=position)
    html = page(client, article.get_absolute_url())
    assert "<p>Foreign agents:</p>" in html
    assert "Meduza; Voice of America; Dozhd</p>" in html


def test_a_notice_without_a_list_format_lists_no_labels(client, article):
    notice = make_notice(body="<p>No list</p>")
    make_label("Meduza", "foreign agent", notice=notice)
    assert "Meduza" not in page(client, article.get_absolute_url())


def test_labels_outside_their_dates_are_neither_listed_nor_applied(client):
    today = timezone.localdate()
    article = make_article(body="<p>Meduza and Dozhd and Sova.</p>")
    notice = make_notice(body="", list_format="names")
    make_label("Meduza", "agent", notice=notice, valid_until=today - timedelta(days=1))
    make_label("Dozhd", "agent", notice=notice, valid_from=today + timedelta(days=1))
    make_label("Sova", "agent", notice=notice, valid_from=today, valid_until=today)
    html = page(client, article.get_absolute_url())
    assert "<p>Meduza and Dozhd and Sova (agent).</p>" in html
    assert "Sova</p>" in html


def test_the_article_body_is_labelled_at_first_mention(client):
    article = make_article(body="<p>Facebook posted. Facebook again.</p>")
    make_label("Facebook")
    html = page(client, article.get_absolute_url())
    assert "<p>Facebook (banned in Russia) posted. Facebook again.</p>" in html


def test_the_headline_and_lead_are_not_rewritten(client):
    article = make_article(title="Facebook news", lead="Facebook did it.")
    make_label("Facebook")
    html = page(client, article.get_absolute_url())
    assert '<h1 class="article__title">Facebook news</h1>' in html
    assert "Facebook did it.</p>" in html


def test_a_changed_label_shows_on_the_very_next_request(client):
    article = make_article(body="<p>Facebook posted.</p>")
    label = make_label("Facebook")
    assert "Facebook (banned in Russia)" in page(client, article.get_absolute_url())
    label.label_text = "recognized as extremist"
    label.save()
    assert "Facebook (recognized as extremist)" in page(client, article.get_absolute_url())
    label.delete()
    assert "<p>Facebook posted.</p>" in page(client, article.get_absolute_url())


def test_a_changed_notice_shows_on_the_very_next_request(client, article):
    notice = make_notice(body="<p>OLD TEXT</p>", placement=Notice.Placement.FOOTER)
    assert "OLD TEXT" in page(client, reverse("articles:home"))
    notice.body = "<p>NEW TEXT</p>"
    notice.save()
    assert "NEW TEXT" in page(client, reverse("articles:home"))
    notice.scope = Notice.Scope.ARTICLES
    notice.save()
    assert "NEW TEXT" not in page(client, article.get_absolute_url())
    notice.articles.add(article)
    assert "NEW TEXT" in page(client, article.get_absolute_url())


def test_an_edited_article_is_labelled_again(client):
    article = make_article(body="<p>Nothing here.</p>")
    make_label("Meta", notice=make_notice())  # a notice that does not list it
    assert "(banned in Russia)" not in page(client, article.get_absolute_url())
    article.body = "<p>Meta here.</p>"
    article.save()
    assert "<p>Meta (banned in Russia) here.</p>" in page(client, article.get_absolute_url())


def many_notices_and_labels(count):
    for position in range(count):
        notice = make_notice(position=position, list_format="designations")
        make_label(f"Name{position}", notice=notice)
        make_label(f"Other Name{position}", notice=notice)


@pytest.mark.parametrize("count", [0, 10])
@pytest.mark.usefixtures("no_page_cache")
def test_article_page_queries_do_not_grow_with_notices(client, django_assert_num_queries, count):
    many_notices_and_labels(count)
    article = make_article(body="<p>Name1 and Name2.</p>")
    # nav, footer pages, article, authors, tags, corrections, related, comment count, comment
    # threads, replies, views, most read, versions in other languages (13); notices, labels in
    # force, the notices' channels (when any notice)
    with django_assert_num_queries(13 + 2 + (1 if count else 0)):
        page(client, article.get_absolute_url())
    # every part cached (the article, its labelled body, the notices, the discussion): nothing
    with django_assert_num_queries(0):
        page(client, article.get_absolute_url())


@pytest.mark.usefixtures("no_page_cache")
def test_scoped_notices_cost_one_query_per_kind_of_scope(client, django_assert_num_queries):
    article = make_article()
    for _ in range(5):
        make_notice(scope=Notice.Scope.SECTIONS, sections=[article.section])
        make_notice(scope=Notice.Scope.ARTICLES, articles=[article])
    with django_assert_num_queries(13 + 4 + 1):  # + the notices' channels
        page(client, article.get_absolute_url())


def test_labels_can_only_be_deleted_before_their_notice():
    label = make_label("Meta")
    with pytest.raises(Exception, match="protected"):
        label.notice.delete()
    assert Label.objects.filter(pk=label.pk).exists()
