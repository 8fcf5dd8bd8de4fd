from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.models import Article
from comments.models import Comment, CommentStats

from .factories import make_article

pytestmark = pytest.mark.django_db


def visible_per_article():
    return Counter(Comment.objects.visible().values_list("article_id", flat=True))


def test_generate_comments_spreads_visible_comments_and_replies_over_published_articles(capsys):
    call_command("generate_content", "--articles", "12", "--tags", "10")
    make_article(status=Article.Status.DRAFT)

    call_command("generate_comments", "200", "--batch", "30", "--readers", "7")

    assert Comment.objects.count() == 200
    assert not Comment.objects.exclude(status=Comment.Status.VISIBLE).exists()
    assert not Comment.objects.exclude(article__in=Article.objects.published()).exists()
    replies = Comment.objects.exclude(parent=None).select_related("parent")
    assert 40 <= replies.count() <= 80
    for reply in replies:
        assert reply.parent.parent_id is None  # one level of replies
        assert reply.parent.article_id == reply.article_id
        assert reply.created_at >= reply.parent.created_at
    assert Comment.objects.values("user").distinct().count() == 7
    assert all(c.user.profile.display_name for c in Comment.objects.select_related("user__profile"))
    assert "200/200" in capsys.readouterr().out


def test_generate_comments_keeps_the_comment_counts_exact_when_run_twice():
    call_command("generate_content", "--articles", "5", "--tags", "10")
    call_command("generate_comments", "50", "--batch", "9")
    call_command("generate_comments", "31", "--batch", "10")

    counted = dict(CommentStats.objects.values_list("article_id", "visible"))
    assert counted == visible_per_article()
    assert sum(counted.values()) == 81


def test_generate_comments_can_fill_one_article():
    call_command("generate_content", "--articles", "3", "--tags", "10")
    article = Article.objects.first()

    call_command("generate_comments", "50", "--article", str(article.pk))

    assert visible_per_article() == {article.pk: 50}
    assert CommentStats.objects.get(article=article).visible == 50


def test_generate_comments_needs_a_published_article():
    make_article(status=Article.Status.DRAFT)
    with pytest.raises(CommandError):
        call_command("generate_comments", "10")


def test_generate_content_passes_comments_on_to_generate_comments():
    call_command("generate_content", "--articles", "4", "--tags", "10", "--comments", "25")
    assert Comment.objects.count() == 25
    assert sum(CommentStats.objects.values_list("visible", flat=True)) == 25
