from django.conf import settings
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.models import Profile
from accounts.signals import personal_data
from audit.models import AuditEntry
from newsroom import invalidation

from .models import (
    ACCOUNT_DELETED,
    Comment,
    CommentStats,
    NotificationPreferences,
    Report,
    set_status,
)


@receiver(post_delete, sender=Comment)
def uncount_deleted_comment(sender, instance, **kwargs):
    """A comment deleted outright (with its article) leaves the count exact and the page
    fresh. Only an UPDATE: when the article itself is being deleted, its count row may be
    gone."""
    if instance.status == Comment.Status.VISIBLE:
        CommentStats.objects.filter(article_id=instance.article_id).update(visible=F("visible") - 1)
    invalidation.comments_changed(instance.article_id, [instance.pk])


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def leave_placeholders_for_a_deleted_readers_comments(sender, instance, **kwargs):
    """A reader who deletes their account takes their words along, not the other readers'
    replies: each of their comments stays as a placeholder ("deleted by its author") that keeps
    its thread, and counts stay exact. (Comment.user then becomes NULL.)"""
    comments = Comment.objects.filter(user=instance)
    articles = set(comments.values_list("article_id", flat=True))
    set_status(comments, Comment.Status.REMOVED, deleted_by_author=True)
    comments.update(body="", fingerprint="", held_reason=ACCOUNT_DELETED)
    # The moderation log keeps what was done to these comments, not whose words they were
    # (an entry names a comment by its author's username and first words).
    AuditEntry.objects.about_any(Comment, comments.values("pk")).update(
        target_repr=Concat(
            Value("comment #"), Cast("object_id", CharField()), Value(" (account deleted)")
        )
    )
    for article_id in articles:  # the text went by UPDATE, past set_status' own announcement
        invalidation.comments_changed(article_id)


@receiver(post_save, sender=Profile)
def reader_renamed(sender, instance, **kwargs):
    """A reader's display name shows with each of their comments: those discussions are fresh.
    (accounts knows nothing of comments; comments listens.)"""
    articles = Comment.objects.filter(user_id=instance.user_id).values_list("article_id", flat=True)
    for article_id in set(articles):
        invalidation.comments_changed(article_id)


@receiver(personal_data)
def notification_preferences_data(sender, user, **kwargs):
    """The reader's e-mail preferences in their "download my data" file."""
    preferences = NotificationPreferences.of(user)
    return {
        "notification_preferences": {
            "replies_to_my_comments": preferences.replies,
            "my_held_comment_approved": preferences.approvals,
        }
    }


def _when(moment):
    return moment.isoformat() if moment else None


@receiver(personal_data)
def a_readers_comments_and_reports(sender, user, request=None, **kwargs):
    """The reader's part of "download my data": their comments (with the article's title and
    link, and, for a reply, the link of the comment replied to, never its author) and the
    reports they filed (the link of the comment reported, never its author or text). Two
    queries however many there are."""

    def link(path):
        return request.build_absolute_uri(path) if request is not None else path

    comments = [
        {
            "article": comment.article.title,
            "article_url": link(comment.article.get_absolute_url()),
            "url": link(comment.get_absolute_url()),
            "in_reply_to": (
                link(f"{comment.article.get_absolute_url()}#comment-{comment.parent_id}")
                if comment.parent_id
                else None
            ),
            "text": comment.body,
            "status": comment.author_status,
            "created_at": _when(comment.created_at),
            "edited_at": _when(comment.edited_at),
        }
        for comment in Comment.objects.of_reader(user)
    ]
    reports = [
        {
            "comment_url": link(report.comment.get_absolute_url()),
            "reason": report.reason,
            "created_at": _when(report.created_at),
        }
        for report in Report.objects.filed_by(user)
    ]
    return {"comments": comments, "reports": reports}
