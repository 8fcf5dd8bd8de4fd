from django.db.models import F
from django.db.models.signals import post_delete
from django.dispatch import receiver

from newsroom import invalidation

from .models import Comment, CommentStats


@receiver(post_delete, sender=Comment)
def uncount_deleted_comment(sender, instance, **kwargs):
    """A comment deleted outright (its reader's account deleted) leaves the count exact and
    the page fresh.
    Only an UPDATE: when the article itself is being deleted, its count row may be gone."""
    if instance.status == Comment.Status.VISIBLE:
        CommentStats.objects.filter(article_id=instance.article_id).update(visible=F("visible") - 1)
    invalidation.comments_changed(instance.article_id)
