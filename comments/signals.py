from django.conf import settings
from django.db.models import F
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from newsroom import pagecache

from .models import Comment, CommentStats, set_status


@receiver(post_delete, sender=Comment)
def uncount_deleted_comment(sender, instance, **kwargs):
    """A comment deleted outright (with its article) leaves the count exact. Only an UPDATE:
    when the article itself is being deleted, its count row may be gone."""
    if instance.status == Comment.Status.VISIBLE:
        CommentStats.objects.filter(article_id=instance.article_id).update(visible=F("visible") - 1)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def leave_placeholders_for_a_deleted_readers_comments(sender, instance, **kwargs):
    """A reader who deletes their account takes their words along, not the other readers'
    replies: each of their comments stays as a placeholder ("deleted by its author") that keeps
    its thread, and counts stay exact. (Comment.user then becomes NULL.)"""
    comments = Comment.objects.filter(user=instance)
    set_status(comments, Comment.Status.REMOVED, deleted_by_author=True)
    comments.update(body="", fingerprint="", held_reason="account deleted")
    # Both are UPDATEs, which tell the page cache nothing: anonymous readers' pages go now.
    pagecache.invalidate()
