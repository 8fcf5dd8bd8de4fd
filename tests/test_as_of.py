"""The page as it was: versions that keep their tags and authors, corrections with history, a
diff that shows links and formatting, and the admin's archived view of an article at a moment,
with the notices, labels and corrections of then."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.diff import markup_changes
from articles.models import Article, Correction
from notices.models import Notice
from tests.factories import (
    change_url,
    make_article,
    make_author,
    make_draft,
    make_label,
    make_notice,
    make_section,
    make_staff,
    make_user,
    post_data,
)

pytestmark = pytest.mark.django_db

DAY_1 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.get_fixed_timezone(0))
DAY_2 = DAY_1 + timedelta(days=1)
DAY_3 = DAY_1 + timedelta(days=2)


def as_of_url(article, at):
    return reverse("admin:articles_article_as_of", args=[article.pk]) + f"?at={at}"


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# Tags and authors are versioned


def test_the_version_an_admin_save_makes_records_the_new_tags_and_authors(client, editor):
    anna, boris = make_author(name="Anna Keller"), make_author(name="Boris Lang")
    article = make_article(tags=["NATO"], authors=[anna])
    client.force_login(editor)

    response = client.post(
        change_url(article),
        post_data(
            article,
            editor_fields=True,
            tags="Ukraine, ceasefire",
            authors=[boris.pk],
            _workflow="publish_changes",  # the article is live
        ),
    )

    assert response.status_code == 302
    newest = article.history.first()
    assert newest.tag_names == ["Ukraine", "ceasefire"]
    assert newest.author_names == ["Boris Lang"]
    first = article.history.last()
    assert first.tag_names == ["NATO"] and first.author_names == ["Anna Keller"]


def test_a_renamed_author_stays_as_the_byline_of_the_versions_before(editor):
    anna = make_author(name="Anna Keller")
    article = make_article(authors=[anna])
    anna.name = "Anna Keller-Braun"
    anna.save()
    article.save()

    old, new = article.history.all()[1], article.history.first()
    assert old.author_names == ["Anna Keller"]
    assert new.author_names == ["Anna Keller-Braun"]


def test_tags_changed_outside_a_save_are_a_version_of_their_own():
    article = make_article(tags=["NATO"])
    assert article.history.count() == 1  # the tags set after the create belong to it

    Article.objects.get(pk=article.pk).tags.add("Ukraine")

    newest, first = article.history.all()[:2]
    assert (first.tag_names, newest.tag_names) == (["NATO"], ["NATO", "Ukraine"])
    assert newest.history_change_reason == "Tags or authors changed"


def test_authors_added_from_the_authors_side_are_recorded_too():
    article = make_article()
    author = make_author(name="Chris Diaz")
    author.articles.add(article)
    assert article.history.first().author_names == ["Chris Diaz"]
    author.articles.clear()
    assert article.history.first().author_names == []


def test_restore_brings_back_the_tags_and_authors(client, editor):
    anna, boris = make_author(name="Anna Keller"), make_author(name="Boris Lang")
    article = make_article(title="Original", tags=["NATO"], authors=[anna])
    original = article.history.first()
    article.title = "Changed"
    article.save()
    article.tags.set(["Gossip"])
    article.authors.set([boris])
    client.force_login(editor)

    url = reverse("admin:articles_article_history_restore", args=[article.pk, original.history_id])
    assert client.post(url).status_code == 302

    article = Article.objects.get(pk=article.pk)
    assert article.title == "Original"
    assert list(article.tags.names()) == ["NATO"]
    assert list(article.authors.all()) == [anna]
    restored = article.history.first()
    assert restored.history_change_reason.startswith("Restored the version of")
    assert (restored.tag_names, restored.author_names) == (["NATO"], ["Anna Keller"])


def test_a_restored_tag_appears_on_the_public_page_on_the_next_request(client, editor):
    article = make_article(tags=["NATO"])
    original = article.history.first()
    Article.objects.get(pk=article.pk).tags.set(["Gossip"])
    assert b"Gossip" in client.get(article.get_absolute_url()).content  # now in the page cache

    staff = client.__class__()
    staff.force_login(editor)
    url = reverse("admin:articles_article_history_restore", args=[article.pk, original.history_id])
    staff.post(url)

    page = client.get(article.get_absolute_url()).content
    assert b'rel="tag">NATO</a>' in page
    assert b"Gossip" not in page


# The diff shows links, formatting, tags and authors


def compare(client, article):
    old, new = article.history.last(), article.history.first()
    url = reverse("admin:articles_article_history_compare", args=[article.pk])
    return client.get(url, {"old": old.history_id, "new": new.history_id}).content.decode()


def test_the_diff_shows_a_changed_link_target_and_formatting(client, editor):
    article = make_article(
        body='<p>Talks at <a href="https://nato.example/old">NATO</a> were long.</p>'
        "<p>What comes next</p>"
    )
    article.body = (
        '<p>Talks at <a href="https://nato.example/new?a=1&amp;b=2">NATO</a> were '
        "<strong>long</strong>.</p><h2>What comes next</h2>"
    )
    article.save()
    client.force_login(editor)

    page = compare(client, article)

    assert "Body <small>(the same words; see links and formatting)</small>" in page
    assert (
        "The link on “NATO” now points to https://nato.example/new?a=1&amp;b=2, "
        "was https://nato.example/old." in page
    )
    assert "“long.” is now bold." in page
    assert "“What comes next” is now a heading (level 2), was a paragraph." in page


def test_the_diff_escapes_what_it_quotes_from_the_text(client, editor):
    article = make_article(body="<p>&lt;script&gt;alert(1)&lt;/script&gt; here</p>")
    article.body = "<p><em>&lt;script&gt;alert(1)&lt;/script&gt;</em> here</p>"
    article.save()
    client.force_login(editor)

    page = compare(client, article)

    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” is now italic." in page
    assert "<script>alert(1)" not in page


def test_the_diff_lists_tags_and_authors_added_and_removed(client, editor):
    anna, boris = make_author(name="Anna Keller"), make_author(name="Boris <Lang>")
    article = make_article(tags=["NATO", "Ukraine"], authors=[anna])
    article = Article.objects.get(pk=article.pk)  # another request
    article.save()
    article.tags.set(["NATO", "ceasefire"])
    article.authors.set([boris])
    client.force_login(editor)

    page = compare(client, article)

    assert "Added: <ins>ceasefire</ins>" in page
    assert "Removed: <del>Ukraine</del>" in page
    assert "Added: <ins>Boris &lt;Lang&gt;</ins>" in page
    assert "Removed: <del>Anna Keller</del>" in page


def test_a_diff_with_nothing_but_words_changed_reports_no_formatting():
    assert markup_changes("<p>One <b>two</b></p>", "<p>One <b>two</b> three</p>") == []


def test_new_and_removed_links_are_reported():
    changes = markup_changes(
        '<p>See <a href="https://a.example">this</a> and that.</p>',
        '<p>See this and <a href="https://b.example">that</a>.</p>',
    )
    assert changes == [
        "Link removed from “this” (it pointed to https://a.example).",
        "New link on “that.” to https://b.example.",
    ]


# Corrections are versioned


def test_a_correction_changed_and_one_deleted_keep_their_history():
    article = make_article()
    kept = Correction.objects.create(article=article, text="First wording.")
    gone = Correction.objects.create(article=article, text="Later deleted.")
    kept.text = "Second wording."
    kept.save()
    gone_pk = gone.pk
    gone.delete()

    assert list(kept.history.values_list("text", flat=True)) == [
        "Second wording.",
        "First wording.",
    ]
    assert Correction.history.filter(id=gone_pk, history_type="-").exists()


# The page as it was


@pytest.fixture
def story():
    """On day 1 an article mentioning Acme is published while Acme carries a label, with a
    notice and a correction; on day 2 the label is switched off, the notice rewritten, the
    correction deleted and another one written."""
    with time_machine.travel(DAY_1, tick=False):
        label = make_label("Acme", label_text="banned in Russia")
        notice = make_notice(name="Legal", body="<p>The old legal text.</p>")
        article = make_article(
            title="Acme opens an office",
            body="<p>Acme opened an office today.</p>",
            published_at=DAY_1,
            tags=["business"],
        )
        correction = Correction.objects.create(article=article, text="The office is in Riga.")
    with time_machine.travel(DAY_2, tick=False):
        label.active = False
        label.save()
        notice.body = "<p>The new legal text.</p>"
        notice.save()
        correction.delete()
        Correction.objects.create(article=article, text="A correction of day 2.")
        article.title = "Acme opens a second office"
        article.save()
    return article


def test_the_archived_view_shows_the_label_notice_and_corrections_of_then(client, editor, story):
    public = client.get(story.get_absolute_url()).content.decode()
    assert "(banned in Russia)" not in public
    assert "The new legal text." in public

    staff = client.__class__()
    staff.force_login(editor)
    response = staff.get(as_of_url(story, local(DAY_1 + timedelta(hours=3))))

    assert response.status_code == 200
    page = response.content.decode()
    assert "archived view, not the current page" in page
    assert "Acme opens an office" in page and "second office" not in page
    assert "Acme (banned in Russia) opened an office" in page
    assert "The old legal text." in page and "The new legal text." not in page
    assert "The office is in Riga." in page and "A correction of day 2." not in page
    assert 'rel="tag">business</a>' in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"

    later = staff.get(as_of_url(story, local(DAY_3))).content.decode()
    assert "Acme opens a second office" in later
    assert "(banned in Russia)" not in later
    assert "A correction of day 2." in later and "The office is in Riga." not in later


def test_the_archived_view_does_not_change_what_readers_get(client, editor, story):
    before = client.get(story.get_absolute_url()).content
    staff = client.__class__()
    staff.force_login(editor)
    staff.get(as_of_url(story, local(DAY_1 + timedelta(hours=3))))

    after = client.get(story.get_absolute_url()).content
    assert b"(banned in Russia)" not in after
    assert after == before


def test_a_label_switched_off_leaves_the_public_page_on_the_next_request(client):
    label = make_label("Acme")
    article = make_article(body="<p>Acme opened an office.</p>")
    assert b"Acme (banned in Russia)" in client.get(article.get_absolute_url()).content
    label.active = False
    label.save()
    assert b"(banned in Russia)" not in client.get(article.get_absolute_url()).content


def test_a_notices_scope_then_decides_where_it_showed(client, editor):
    section = make_section()
    with time_machine.travel(DAY_1, tick=False):
        article = make_article(section=section, published_at=DAY_1)
        notice = make_notice(body="<p>Only for this section.</p>", scope=Notice.Scope.SECTIONS)
        notice.sections.set([section])
    with time_machine.travel(DAY_2, tick=False):
        notice.sections.set([make_section()])
    client.force_login(editor)

    then = client.get(as_of_url(article, local(DAY_1 + timedelta(hours=1)))).content
    now = client.get(as_of_url(article, local(DAY_3))).content

    assert b"Only for this section." in then
    assert b"Only for this section." not in now


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: make_draft(), "Its state was “Draft”"),
        (lambda: make_article(published_at=DAY_3), "(it was scheduled)"),
    ],
)
def test_an_article_not_public_then_gets_a_page_saying_so(client, editor, make, expected):
    with time_machine.travel(DAY_1, tick=False):
        article = make()
    client.force_login(editor)

    response = client.get(as_of_url(article, local(DAY_2)))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Not public on" in page and expected in page
    assert "archived view" not in page


def test_before_the_article_existed_the_page_says_when_it_was_first_saved(client, editor):
    with time_machine.travel(DAY_2, tick=False):
        article = make_article(published_at=DAY_2)
    client.force_login(editor)

    page = client.get(as_of_url(article, local(DAY_1))).content.decode()

    assert "The article did not exist yet (first saved on" in page


def test_a_withdrawn_article_says_what_readers_were_told(client, editor):
    from articles import workflow

    with time_machine.travel(DAY_1, tick=False):
        article = make_article(published_at=DAY_1)
    with time_machine.travel(DAY_2, tick=False):
        workflow.withdraw(article, by=editor, reason="A legal <complaint>.")
    client.force_login(editor)

    page = client.get(as_of_url(article, local(DAY_3))).content.decode()

    assert "It had been withdrawn on" in page
    assert "A legal &lt;complaint&gt;." in page


@pytest.mark.parametrize("at", ["yesterday", "2026-13-45T10:00", "2026-11-20T25:00", "x" * 5000])
def test_a_bad_date_gets_a_form_error_that_keeps_what_was_typed(client, editor, at):
    article = make_article()
    client.force_login(editor)

    response = client.get(reverse("admin:articles_article_as_of", args=[article.pk]), {"at": at})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a date and time" in page
    assert 'class="errornote"' in page
    assert f'value="{at[:50]}' in page


def test_an_empty_date_asks_for_one_and_no_date_shows_the_form(client, editor):
    article = make_article()
    client.force_login(editor)
    url = reverse("admin:articles_article_as_of", args=[article.pk])

    assert "Choose the date and time" in client.get(url, {"at": ""}).content.decode()
    page = client.get(url).content.decode()
    assert 'type="datetime-local"' in page and "errornote" not in page


def test_the_history_page_offers_the_archived_view(client, editor):
    article = make_article()
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_history", args=[article.pk])).content
    assert reverse("admin:articles_article_as_of", args=[article.pk]).encode() in page
    assert b'type="datetime-local"' in page


def test_the_archived_view_is_for_staff_who_may_view_articles(client):
    article = make_article()
    url = as_of_url(article, local(timezone.now()))

    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.force_login(make_user())
    assert client.get(url).status_code == 302
    client.force_login(make_user(is_staff=True))  # staff, but may not view articles
    assert client.get(url).status_code == 403
    client.force_login(make_staff("reporter", group="Reporter"))
    assert client.get(url).status_code == 200


def test_a_version_preview_uses_the_labels_and_notices_of_its_time(client, editor, story):
    client.force_login(editor)
    first = story.history.last()

    page = client.get(reverse("articles:preview", args=[story.pk, first.history_id])).content
    current = client.get(reverse("articles:preview", args=[story.pk])).content

    assert b"Acme (banned in Russia)" in page and b"The old legal text." in page
    assert b"(banned in Russia)" not in current and b"The new legal text." in current


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("", ""),
        ("abc", "abc"),
        ("abc", ""),
        ("", "abc"),
        ("aaaa", "aa"),
        ("abxcd", "abycd"),
        ("abcabc", "abc"),
        ("xabc", "abcx"),
        ("aXbXc", "aYbYc"),
        ("a", "xay"),
        ("xay", "a"),
        ("q", "xay"),
        ("xay", "q"),
        ("ab" * 800, "ba" * 800),
    ],
)
def test_the_opcodes_turn_one_sequence_into_the_other(a, b):
    from articles.diff import opcodes

    rebuilt = []
    covered_a = covered_b = 0
    for op, i1, i2, j1, j2 in opcodes(list(a), list(b)):
        assert (i1, j1) == (covered_a, covered_b)
        if op == "equal":
            assert a[i1:i2] == b[j1:j2]
        rebuilt.append(b[j1:j2])
        covered_a, covered_b = i2, j2
    assert (covered_a, covered_b) == (len(a), len(b))
    assert "".join(rebuilt) == b


def archived_view_queries(client, count, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    section = make_section()
    article = make_article(
        section=section,
        tags=[f"tag {n}" for n in range(count)],
        authors=[make_author() for _ in range(count)],
        body="".join(f"<p>{name}{n} said so.</p>" for n in range(count)),
    )
    for n in range(count):
        Correction.objects.create(article=article, text=f"Correction {n}.")
        notice = make_notice(scope=Notice.Scope.SECTIONS, sections=[section])
        make_notice(scope=Notice.Scope.ARTICLES, articles=[article])
        make_label(f"{name}{n}", notice=notice)
    url = as_of_url(article, local(timezone.now() + timedelta(minutes=1)))
    client.get(url)  # the session and the cache's versions, once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_archived_view_runs_the_same_queries_however_much_it_shows(client, editor):
    client.force_login(editor)
    one = archived_view_queries(client, 1, "Alpha")
    assert archived_view_queries(client, 12, "Beta") == one
