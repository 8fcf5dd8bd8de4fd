"""On PostgreSQL, no public page reads articles or comments with a sequential scan.

Honest planner, honest statistics: the test fills the database with a few thousand articles
and tens of thousands of comments (generate_content), runs ANALYZE so the planner knows the
sizes, leaves every planner setting (enable_seqscan included) as it is, then requests each
public page, EXPLAINs every query the page ran, and fails on any sequential scan of the large
tables. The same check on 100,000 articles and 1,000,000 comments is in docs/performance.md.
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article, Author
from comments.models import CommentStats

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("no_page_cache"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's; SQLite's planner is not what production runs",
    ),
]

LARGE_TABLES = {
    "articles_article",
    "articles_article_authors",
    "comments_comment",
    "taggit_taggeditem",
}


def counts_the_whole_archive(sql):
    """The page count of the home page and the size of the articles sitemap: every published
    article, so every row (or index entry) is read whatever the plan. Inside this test's
    transaction the table has no visibility map yet, so the planner reads the table; on the
    large, vacuumed data set it reads article_public_idx alone (docs/performance.md)."""
    return sql.startswith('SELECT COUNT(*) AS "__count" FROM "articles_article" WHERE (') and (
        sql.endswith('AND "articles_article"."status" = \'published\')')
    )


def sequential_scans(node):
    found = []
    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in LARGE_TABLES:
        found.append(node["Relation Name"])
    for child in node.get("Plans", []):
        found += sequential_scans(child)
    return found


def public_pages():
    published = Article.objects.published()
    article = published.order_by("-published_at").first()
    call_command("generate_comments", 50, article=article.pk)
    busiest = CommentStats.objects.order_by("-visible").first().article
    tag = article.tags.order_by("slug").first()
    author = Author.objects.filter(articles__in=published).first()
    return [
        reverse("articles:home"),
        reverse("articles:home") + "?page=3",
        article.section.get_absolute_url(),
        reverse("articles:tag", args=[tag.slug]),
        author.get_absolute_url(),
        article.get_absolute_url(),
        busiest.get_absolute_url(),
        busiest.get_absolute_url() + "?comments=2",
        reverse("articles:search") + f'?q="{tag.name}"',
        reverse("articles:feed_rss"),
        reverse("articles:section_feed_rss", args=[article.section.slug]),
        reverse("articles:tag_feed_rss", args=[tag.slug]),
        reverse("articles:author_feed_rss", args=[author.slug]),
        reverse("articles:sitemap_index"),
        reverse("articles:news_sitemap"),
        reverse("articles:corrections"),
    ]


def test_no_public_page_scans_articles_or_comments_sequentially(client):
    call_command("generate_content", articles=4000, comments=30000, tags=200)
    pages = public_pages()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # sees this transaction's own rows

    scans = {}
    for url in pages:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        for query in captured.captured_queries:
            if counts_the_whole_archive(query["sql"]):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
                plan = cursor.fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            if found := sequential_scans(plan[0]["Plan"]):
                scans.setdefault(url, []).append((found, query["sql"][:200]))
    report = [f"{url}: {found} {sql}" for url, items in scans.items() for found, sql in items]
    assert scans == {}, "\n".join(report)
