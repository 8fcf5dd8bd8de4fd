import hashlib
import math
import re
from collections import Counter
from datetime import timedelta
from functools import cached_property
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

import audit
from articles.models import Article
from audit.models import AuditEntry
from newsroom import invalidation
from newsroom.ratelimit import duration_in_words

from . import notifications
from .textfilter import WordList, count_links, normalised

BODY_MAX_LENGTH = 5000


class CommentStats(models.Model):
    """The number of visible comments on an article, kept by this app so that the article page
    reads one row instead of counting, and so that articles need know nothing of comments.
    Changed only by F() increments in the transaction that changes a comment's visibility."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="comment_stats"
    )
    visible = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("comment count")
        verbose_name_plural = _("comment counts")

    def __str__(self):
        return f"{self.article_id}: {self.visible}"

    @classmethod
    def add(cls, article_id, delta):
        # INSERT … ON CONFLICT DO NOTHING, then an UPDATE that the database applies to the
        # newest row version: exact however many transactions do it at once.
        cls.objects.bulk_create([cls(article_id=article_id)], ignore_conflicts=True)
        cls.objects.filter(article_id=article_id).update(visible=F("visible") + delta)


def visible_count(article):
    return (
        CommentStats.objects.filter(article=article).values_list("visible", flat=True).first() or 0
    )


def comments_open(article, now=None):
    """Open in the article's own switch, and not past the site's automatic closing."""
    if not article.comments_open:
        return False
    days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at:
        return (now or timezone.now()) < article.published_at + timedelta(days=days)
    return True


# What a reader's own list of comments reads of each comment and of its article.
AUTHOR_FIELDS = (
    "article",
    "parent",
    "user",
    "body",
    "status",
    "deleted_by_author",
    "created_at",
    "edited_at",
)
ARTICLE_FIELDS = ("title", "slug", "status", "published_at")


class CommentQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=Comment.Status.VISIBLE)

    def held(self):
        """Waiting for a moderator: the editorial desk counts these."""
        return self.filter(status=Comment.Status.HELD)

    def for_display(self):
        return self.select_related("user__profile")

    def on_public_articles(self):
        return self.filter(article__in=Article.objects.published())

    def of_reader(self, user):
        """A reader's own comments, newest first, each with the little of its article that
        their profile and their data file show (title, link, whether it is public): one query
        however many there are."""
        return (
            self.filter(user=user)
            .select_related("article")
            .only(
                *AUTHOR_FIELDS,
                *(f"article__{name}" for name in ARTICLE_FIELDS),
            )
            .order_by("-created_at", "-pk")
        )

    def threads(self, article):
        """Top-level comments of an article that readers see: visible ones, and hidden ones
        that keep visible replies (they show a placeholder), oldest first."""
        # The article too, though a reply's article is its parent's: the database may then
        # read this article's replies at once instead of all the replies there are.
        visible_replies = Comment.objects.filter(
            article=article, parent=OuterRef("pk"), status=Comment.Status.VISIBLE
        )
        return (
            self.filter(article=article, parent=None)
            .filter(Q(status=Comment.Status.VISIBLE) | Q(Exists(visible_replies)))
            .for_display()
            .order_by("created_at", "pk")
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HELD = "held", _("Held for review")
        REMOVED = "removed", _("Removed")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="+", verbose_name=_("article")
    )
    # A reader who deletes their account leaves their comments behind as placeholders
    # (comments.signals), so that other readers' replies keep their thread.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("reader"),
    )
    # A comment with replies cannot be deleted outright (remove it instead), except with its
    # whole article.
    parent = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.VISIBLE,
        db_index=True,
    )
    deleted_by_author = models.BooleanField(_("deleted by its author"), default=False)
    held_reason = models.CharField(_("why held"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    # One per form shown: a second POST of the same form (a double click) finds the first.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)
    # The text as the duplicate check compares it (textfilter.normalised), kept short.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "submission_key"], name="comment_submitted_once"
            ),
        ]
        indexes = [
            models.Index(fields=["article", "parent", "created_at"], name="comment_thread_idx"),
            # The article page's threads, oldest first: read in order, however many comments
            # the article has (a condition on parent, so the order comes from the index).
            models.Index(
                fields=["article", "created_at", "id"],
                condition=models.Q(parent=None),
                name="comment_top_level_idx",
            ),
        ]

    def __str__(self):
        return _("%(user)s on %(article)s: %(text)s") % {
            "user": self.user,
            "article": self.article_id,
            "text": self.body[:40],
        }

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        invalidation.comments_changed(self.article_id, [self.pk])

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_visible(self):
        return self.status == self.Status.VISIBLE

    # A comment's status as its author may know it: never the moderators' reason.
    AUTHOR_STATUSES = {
        "visible": _("Visible"),
        "held": _("Held for review"),
        "removed": _("Removed by a moderator"),
        "deleted": _("Deleted by you"),
    }

    @property
    def author_status(self):
        """One of "visible", "held", "removed" (by a moderator) and "deleted" (by its author)."""
        if self.deleted_by_author:
            return "deleted"
        return str(self.status)

    @property
    def author_status_label(self):
        return self.AUTHOR_STATUSES[self.author_status]

    def editable_by(self, user, now=None):
        window = timedelta(minutes=settings.NEWSROOM_COMMENT_EDIT_MINUTES)
        return (
            user.is_authenticated
            and self.user_id is not None
            and user.pk == self.user_id
            and not self.deleted_by_author
            and self.status != self.Status.REMOVED
            and (now or timezone.now()) < self.created_at + window
        )


@transaction.atomic
def post_comment(*, article, user, body, parent=None, submission_key=None, notify=True):
    """Store a reader's comment, held or visible as the moderation settings say, and count it.
    Returns (comment, created); a repeated submission_key returns the first comment. A visible
    reply is announced to the author of the comment it answers once this commits (`notify`
    False: demo data, which tells nobody)."""
    if parent is not None and parent.parent_id:
        parent = parent.parent  # one level of replies: a reply to a reply joins its thread
    reason = ModerationSettings.load().verdict_on(body).hold_reason
    status = Comment.Status.HELD if reason else Comment.Status.VISIBLE
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                article=article,
                user=user,
                parent=parent,
                body=body,
                status=status,
                held_reason=reason,
                submission_key=submission_key,
                fingerprint=fingerprint(body),
            )
    except IntegrityError:
        if submission_key is None:
            raise
        return Comment.objects.get(user=user, submission_key=submission_key), False
    if comment.is_visible:
        CommentStats.add(article.pk, 1)
        if notify and parent is not None:
            notifications.became_visible([comment.pk], approved=False)
    return comment, True


def fingerprint(body):
    return hashlib.sha256(normalised(body).encode()).hexdigest()


@transaction.atomic
def edit_comment(comment, body):
    """The author's new text, moderated as a new comment would be: a text that would now be
    held (pre-moderation, a suspect word, too many links) goes back to the moderators' queue,
    even when a moderator had approved the old one. The comment's status is kept current."""
    reason = ModerationSettings.load().verdict_on(body).hold_reason
    comment.body = body
    comment.edited_at = timezone.now()
    comment.fingerprint = fingerprint(body)
    comment.save(update_fields=["body", "edited_at", "fingerprint"])
    if reason:
        set_status(Comment.objects.filter(pk=comment.pk), Comment.Status.HELD)
        Comment.objects.filter(pk=comment.pk).update(held_reason=reason)
        comment.status, comment.held_reason = Comment.Status.HELD, reason


# Who hid a comment when enough readers reported it: the audit log's "who".
READERS_REPORTS = "readers' reports"
# The held reason of a comment so hidden.
REPORTED_BY_READERS = "reported by readers"
# The other held reasons the site gives (moderation settings' verdict, account deletion).
PREMODERATION = "pre-moderation"
ACCOUNT_DELETED = "account deleted"
SUSPECT_WORD = re.compile(r"suspect word: (?P<word>.*)", re.DOTALL)
TOO_MANY_LINKS = re.compile(r"(?P<links>\d+) links \(most allowed: (?P<most>\d+)\)")


def held_reason_label(reason):
    """A held reason as a moderator reads it, in the site's language. The reason is stored in
    English, as the code compares it (REPORTED_BY_READERS); one it does not know is shown as
    stored."""
    fixed = {
        PREMODERATION: _("pre-moderation"),
        REPORTED_BY_READERS: _("reported by readers"),
        ACCOUNT_DELETED: _("account deleted"),
    }
    if reason in fixed:
        return fixed[reason]
    if match := SUSPECT_WORD.fullmatch(reason):
        return _("suspect word: %(word)s") % match.groupdict()
    if match := TOO_MANY_LINKS.fullmatch(reason):
        return _("%(links)s links (most allowed: %(most)s)") % match.groupdict()
    return reason


@transaction.atomic
def set_status(comments, status, *, deleted_by_author=False, by=None, reason=""):
    """Move comments to a status and keep every affected article's count exact. Returns how
    many changed. Rows are locked first, so two moderators at once count each change once.
    A moderation (`by` a moderator, or "readers' reports") is audited, one entry a comment."""
    rows = list(
        comments.select_for_update()
        .exclude(status=status)
        .values_list("pk", "article_id", "status", "held_reason")
    )
    if not rows:
        return 0
    if status == Comment.Status.VISIBLE:
        # Held until now: its author is told it is published, the comment it answers of a new
        # reply. Not one hidden by readers' reports, which was visible (and announced) before.
        approved = [
            pk
            for pk, _, old, held_reason in rows
            if old == Comment.Status.HELD and held_reason != REPORTED_BY_READERS
        ]
        if approved:
            notifications.became_visible(approved, approved=True)
    rows = [row[:3] for row in rows]
    changes = {"status": status}
    if status == Comment.Status.VISIBLE:
        changes["held_reason"] = ""
    if deleted_by_author:
        changes["deleted_by_author"] = True
    Comment.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(**changes)
    deltas = Counter()
    for _pk, article_id, old in rows:
        deltas[article_id] += (status == Comment.Status.VISIBLE) - (old == Comment.Status.VISIBLE)
    for article_id, delta in deltas.items():
        if delta:
            CommentStats.add(article_id, delta)
    for article_id in deltas:
        invalidation.comments_changed(
            article_id, [pk for pk, article, _ in rows if article == article_id]
        )
    if status == Comment.Status.VISIBLE:
        Report.objects.filter(comment__in=[pk for pk, _, _ in rows]).update(resolved=True)
    if by is not None:
        old_statuses = {pk: old for pk, _, old in rows}
        action = {
            Comment.Status.VISIBLE: AuditEntry.Action.APPROVE,
            Comment.Status.HELD: AuditEntry.Action.HOLD,
            Comment.Status.REMOVED: AuditEntry.Action.REMOVE,
        }[status]
        for comment in Comment.objects.filter(pk__in=old_statuses).select_related("user"):
            audit.record(
                action,
                comment,
                by=by,
                reason=reason,
                old_status=old_statuses[comment.pk],
                new_status=status,
            )
    return len(rows)


class ReportQuerySet(models.QuerySet):
    def filed_by(self, user):
        """The reports a reader filed, newest first, each with what links to the comment."""
        return (
            self.filter(user=user)
            .select_related("comment__article")
            .only(
                "reason",
                "created_at",
                "comment__article",
                *(f"comment__article__{name}" for name in ARTICLE_FIELDS),
            )
            .order_by("-created_at", "-pk")
        )


class Report(models.Model):
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("comment")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reader"),
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved = models.BooleanField(
        _("resolved"), default=False, help_text=_("Set when a moderator approves the comment.")
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="report_once_per_reader")
        ]

    def __str__(self):
        return _("%(user)s reported %(comment)s: %(reason)s") % {
            "user": self.user,
            "comment": self.comment_id,
            "reason": self.reason[:40],
        }


@transaction.atomic
def report_comment(*, comment, user, reason):
    """A reader flags a comment once. Enough open reports hide it until a moderator looks.
    Returns False when this reader had already reported it."""
    try:
        with transaction.atomic():
            Report.objects.create(comment=comment, user=user, reason=reason)
    except IntegrityError:
        return False
    open_reports = Report.objects.filter(comment=comment, resolved=False).count()
    if open_reports >= ModerationSettings.load().report_threshold:
        hidden = set_status(
            Comment.objects.filter(pk=comment.pk, status=Comment.Status.VISIBLE),
            Comment.Status.HELD,
            by=READERS_REPORTS,
            reason=_("%(count)d open reports") % {"count": open_reports},
        )
        if hidden:
            Comment.objects.filter(pk=comment.pk).update(held_reason=REPORTED_BY_READERS)
    return True


class CommentBan(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comment_ban",
        verbose_name=_("reader"),
    )
    reason = models.CharField(
        _("reason"), max_length=300, help_text=_("Kept for the moderators; not shown to readers.")
    )
    created_at = models.DateTimeField(_("banned"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("banned by"),
    )

    class Meta:
        verbose_name = _("comment ban")
        verbose_name_plural = _("comment bans")

    def __str__(self):
        return str(self.user)


def is_banned(user):
    return CommentBan.objects.filter(user=user).exists()


class Verdict(NamedTuple):
    refusal: str | None  # why the comment is not taken, for the reader, who keeps the text
    hold_reason: str  # why it waits for a moderator, for the moderators; "" to publish it


def default_report_threshold():
    """The environment's NEWSROOM_COMMENT_REPORT_THRESHOLD: where the setting starts."""
    return settings.NEWSROOM_COMMENT_REPORT_THRESHOLD


class ModerationSettings(models.Model):
    """One row of site-wide moderation settings, edited in the admin. `verdict_on` is the one
    place that applies them to a reader's text."""

    premoderation = models.BooleanField(
        _("pre-moderation"),
        default=False,
        help_text=_(
            "Hold every new comment until a moderator approves it. Untick for post-moderation: "
            "comments appear at once and moderators act on reports."
        ),
    )
    banned_words = models.TextField(
        _("banned words"),
        blank=True,
        help_text=_(
            "One word or phrase per line. A comment containing one is refused: the reader gets "
            "the text back, told which word is not allowed here. Words are found whatever the "
            "letter case and accents, through look-alike letters from other scripts, invisible "
            "characters, and dots, dashes or spaces between the letters, and in the plural: "
            "“scam” also finds “S.C.A.M”, “s c a m” and “scams”, but not “scampi”."
        ),
    )
    suspect_words = models.TextField(
        _("suspect words"),
        blank=True,
        help_text=_(
            "One word or phrase per line, found the same way as banned words. A comment "
            "containing one is held for review instead of appearing."
        ),
    )
    max_links = models.PositiveSmallIntegerField(
        _("most links"),
        null=True,
        blank=True,
        default=3,
        help_text=_(
            "A comment with more links than this is held for review. 0 holds every comment "
            "with a link; empty means no limit."
        ),
    )
    duplicate_minutes = models.PositiveIntegerField(
        _("minutes before the same text again"),
        default=60,
        help_text=_(
            "A reader's comment is refused when the same reader posted the same text (whatever "
            "the letter case, spacing and punctuation) within this many minutes. 0 turns the "
            "check off."
        ),
    )
    report_threshold = models.PositiveSmallIntegerField(
        _("reports that hide a comment"),
        default=default_report_threshold,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A comment reported by this many readers is held for review until a moderator "
            "approves or removes it."
        ),
    )

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]

    @cached_property
    def banned(self):
        return WordList.from_lines(self.banned_words)

    @cached_property
    def suspect(self):
        return WordList.from_lines(self.suspect_words)

    def verdict_on(self, text, *, user=None):
        """What these settings say of a reader's text: refused (banned word; with `user`, also
        the same text again too soon), held for review (suspect word, too many links,
        pre-moderation), or neither."""
        if word := self.banned.first_in(text):
            return Verdict(
                _(
                    "Your comment contains “%(word)s”, which is not allowed here. Please change "
                    "it and post again."
                )
                % {"word": word},
                "",
            )
        if user is not None and (wait := self.seconds_before_repeating(user, text)):
            return Verdict(
                _(
                    "You posted the same text a short while ago. Please write something new: "
                    "the same text can be posted again in %(wait)s."
                )
                % {"wait": duration_in_words(wait)},
                "",
            )
        if word := self.suspect.first_in(text):
            return Verdict(None, f"suspect word: {word}"[:200])
        if self.max_links is not None and (links := count_links(text)) > self.max_links:
            return Verdict(None, f"{links} links (most allowed: {self.max_links})")
        if self.premoderation:
            return Verdict(None, PREMODERATION)
        return Verdict(None, "")

    def seconds_before_repeating(self, user, text):
        """0, or how long until this reader may post this text again. A text its author
        deleted does not count."""
        if not self.duplicate_minutes:
            return 0
        window = timedelta(minutes=self.duplicate_minutes)
        now = timezone.now()
        latest = (
            Comment.objects.filter(
                user=user,
                fingerprint=fingerprint(text),
                created_at__gt=now - window,
                deleted_by_author=False,
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        return math.ceil((latest + window - now).total_seconds()) if latest else 0


class NotificationPreferences(models.Model):
    """Which e-mails a reader gets about their comments (comments/notifications.py). A reader
    without a row gets both, the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comment_notifications",
        verbose_name=_("reader"),
    )
    replies = models.BooleanField(
        _("replies to my comments"),
        default=True,
        help_text=_("An e-mail when someone replies to one of the reader's comments."),
    )
    approvals = models.BooleanField(
        _("my held comment approved"),
        default=True,
        help_text=_("An e-mail when a moderator publishes a comment that was held for review."),
    )

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)

    @classmethod
    def of(cls, user):
        """The reader's preferences, unsaved defaults when they never chose."""
        return cls.objects.filter(user=user).first() or cls(user=user)

    def wants(self, kind):
        return self.replies if kind == ReplyNotification.Kind.REPLY else self.approvals


class ThreadMail(models.Model):
    """One reader's mail about one thread: when the last one went out, and when the next is
    due. Locked while a notification is added or a mail sent, so that with several app servers
    and workers a thread mails a reader at most once an hour, the rest gathered in a digest."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reader"),
    )
    thread = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="+", verbose_name=_("thread")
    )
    last_sent_at = models.DateTimeField(_("last mail sent"), null=True, blank=True)
    due_at = models.DateTimeField(
        _("next mail due"),
        null=True,
        blank=True,
        help_text=_("Empty when no mail is waiting to go out."),
    )

    class Meta:
        verbose_name = _("reply mail")
        verbose_name_plural = _("reply mails")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "thread"], name="thread_mail_once"),
        ]

    def __str__(self):
        return _("%(recipient)s / thread %(thread)s") % {
            "recipient": self.recipient,
            "thread": self.thread_id,
        }


class ReplyNotification(models.Model):
    """Something a reader is to be told about one of their comments: a reply to it, or its
    approval. Mailed once (a reader is never told twice of the same comment), alone or with
    the thread's others in a digest."""

    class Kind(models.TextChoices):
        REPLY = "reply", pgettext_lazy("notification", "Reply")
        APPROVED = "approved", _("Comment approved")

    class Outcome(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("notification", "Waiting")
        SENT = "sent", _("Sent")
        DROPPED = "dropped", _("Not sent")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("reader"),
    )
    thread = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="+", verbose_name=_("thread")
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="+", verbose_name=_("comment")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=Outcome.choices,
        default=Outcome.WAITING,
        help_text=_(
            "Not sent: the reply was held or removed, or the reader turned these mails off, "
            "was banned, or has no confirmed address, before the mail went out."
        ),
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply notification")
        verbose_name_plural = _("reply notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "comment", "kind"], name="notified_once_per_comment"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "thread"],
                condition=models.Q(outcome="waiting"),
                name="notification_waiting_idx",
            ),
        ]

    def __str__(self):
        return _("%(kind)s for %(recipient)s: %(comment)s") % {
            "kind": self.get_kind_display(),
            "recipient": self.recipient,
            "comment": self.comment_id,
        }
