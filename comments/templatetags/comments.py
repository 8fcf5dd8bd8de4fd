"""The article page's comment count and discussion, assembled from cached parts.

The discussion's shared part (every thread and reply of one page of it, escaped, linked and
labelled) is rendered once per version of the article's comments and of the notices, and is the
same for every reader: one variant for anonymous readers and one for signed-in readers, which
has the reply forms and "Report" links. What is the reader's own is put in per request and is
small: the CSRF token and a fresh form key in the reply forms, "Edit"/"Delete" instead of
"Report" on the reader's own comments, the reader's comments awaiting moderation, and the form.
"""

import re
import uuid

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import escape, urlize
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from comments.forms import CommentForm, NotificationPreferencesForm
from comments.models import (
    BODY_MAX_LENGTH,
    Comment,
    CommentStats,
    NotificationPreferences,
    comments_open,
    visible_count,
)
from newsroom import invalidation
from notices import labelling

register = template.Library()

# Every text in which urlize finds a link contains one of these (its own patterns: http(s)://,
# www., a name ending in one of its top-level domains, or an e-mail address).
LINK_HINT = re.compile(r"http|www\.|@|\.(com|edu|gov|int|mil|net|org)", re.IGNORECASE)

# Placeholders in the shared part, replaced per request. Readers' text is escaped and cannot
# hold them ("<" becomes "&lt;").
CSRF_MARK = "<!--csrf-->"
REPLY_KEY_MARK = "<!--reply-key-->"


ACTIONS_MARKS = re.compile(r"<!--/?actions:\d+-->")


def actions_marks(pk):
    return f"<!--actions:{pk}-->", f"<!--/actions:{pk}-->"


@register.filter(needs_autoescape=True)
def comment_text(value, autoescape=True):
    """A reader's plain text as HTML: escaped, links made by urlize, line breaks kept."""
    if LINK_HINT.search(value):
        html = urlize(value, nofollow=True, autoescape=True)
    else:
        # Nothing urlize would link (it looks word by word, slowly): its output is the
        # escaped text.
        html = escape(value)
    # urlize escaped the reader's own text, so this matches only the attribute urlize wrote.
    html = html.replace(' rel="nofollow"', ' rel="nofollow ugc noopener"')
    return linebreaksbr(mark_safe(html), autoescape=autoescape)


def comment_html(comments):
    """Each comment's text as readers see it (escaped, linked, line breaks, labelled), kept in
    the cache per comment version and notices version: {pk: html}."""
    snap = labelling.snapshot()

    def key(comment):
        stamp = comment.edited_at.timestamp() if comment.edited_at else ""
        return f"comment:{snap.key}:{comment.pk}:{stamp}"

    keys = {key(comment): comment for comment in comments}
    found = cache.get_many(list(keys))
    made = {}
    for cache_key, comment in keys.items():
        if cache_key not in found:
            html = labelling.label_html(str(comment_text(comment.body)), snap.matcher)
            found[cache_key] = made[cache_key] = html
    if made:
        cache.set_many(made, invalidation.PART_SECONDS)
    return {comment.pk: mark_safe(found[cache_key]) for cache_key, comment in keys.items()}


# Beyond any discussion; a larger number would overflow the database's integer offset.
MAX_PAGE = 100_000


def page_number(request):
    """The discussion page asked for; anything odd, negative or absurd is the first page."""
    try:
        number = int(request.GET.get("comments", 1))
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def reply_action(article, number):
    """Where the reply forms of one discussion page post: with the page, so that a reply sent
    back (too fast, too long) comes back in its thread on the page it was written on."""
    action = reverse("comments:create", args=[article.pk])
    return f"{action}?comments={number}" if number > 1 else action


def _render_shared(article, number, signed_in):
    """One page of threads oldest first, each with its visible replies, in three queries
    however many comments there are; and the count."""
    size = settings.NEWSROOM_COMMENTS_PAGE_SIZE
    page = Comment.objects.threads(article)[(number - 1) * size : number * size + 1]
    threads = list(page)
    has_next = len(threads) > size
    threads = threads[:size]
    # A subquery rather than a list of ids, so the query runs (and counts) even on a page
    # with no comment: the page's query count is the same with 0 comments and with 500.
    replies = {}
    for reply in (
        Comment.objects.visible()
        .filter(parent__in=page.values("pk"))
        .for_display()
        .order_by("created_at", "pk")
    ):
        replies.setdefault(reply.parent_id, []).append(reply)
    shown = []
    for thread in threads:
        thread.visible_replies = replies.get(thread.pk, [])
        shown += [thread, *thread.visible_replies]
    texts = comment_html([comment for comment in shown if comment.is_visible])
    for comment in shown:
        comment.html = texts.get(comment.pk, "")
    base = article.get_absolute_url()
    html = render_to_string(
        "comments/threads.html",
        {
            "threads": threads,
            "signed_in": signed_in,
            "open": comments_open(article),
            "action": reply_action(article, number),
            **_limit(),
            "csrf_mark": mark_safe(CSRF_MARK),
            "reply_key_mark": mark_safe(REPLY_KEY_MARK),
            "previous_url": f"{base}?comments={number - 1}#comments" if number > 1 else None,
            "next_url": f"{base}?comments={number + 1}#comments" if has_next else None,
        },
    )
    return {"html": html, "count": visible_count(article)}


def discussion(request, article):
    """The shared part of this article's discussion for this request (read once per page)."""
    number = page_number(request)
    signed_in = request.user.is_authenticated
    variant = (number, signed_in, comments_open(article))
    memo = getattr(article, "_discussion", None)
    if memo is None or memo[0] != variant:
        part = invalidation.cached_part(
            "discussion",
            (article.pk, *variant),
            lambda: _render_shared(article, number, signed_in),
            keys=[invalidation.comments_key(article.pk)],
        )
        memo = article._discussion = (variant, part)
    return memo[1]


@register.inclusion_tag("comments/count.html", takes_context=True)
def comment_count(context, article):
    request = context.get("request")
    if request is None:
        return {"count": visible_count(article)}
    return {"count": discussion(request, article)["count"]}


def card_comment_counts(ids):
    """The comment counts of a list's cards, `{% slot "comment-count" article.pk %}`
    (newsroom/templatetags/parts.py): one query for all of them, kept per version of each
    article's comments, so that a new comment shows on the lists at the next request without
    rendering the lists again."""

    def load():
        counts = dict(
            CommentStats.objects.filter(article_id__in=ids, visible__gt=0).values_list(
                "article_id", "visible"
            )
        )
        return {
            pk: render_to_string("comments/card_count.html", {"count": count})
            for pk, count in counts.items()
        }

    html = invalidation.cached_part(
        "card-comment-counts",
        tuple(ids),
        load,
        keys=[invalidation.comments_key(pk) for pk in ids],
    )
    return {pk: mark_safe(value) for pk, value in html.items()}


def _own_actions(html, own, user, now, csrf_token):
    """The reader's own comments on this page get Edit/Delete (within the window) instead of
    Report."""
    for comment in own:
        start, end = actions_marks(comment.pk)
        begin = html.find(start)
        if begin < 0:
            continue
        finish = html.find(end, begin)
        actions = ""
        if comment.editable_by(user, now):
            actions = render_to_string(
                "comments/own_actions.html", {"comment": comment, "csrf_token": csrf_token}
            )
        html = html[:begin] + actions + html[finish + len(end) :]
    return ACTIONS_MARKS.sub("", html)


def _limit():
    return {
        "max_length": BODY_MAX_LENGTH,
        "limit_text": number_format(BODY_MAX_LENGTH, force_grouping=True),
    }


REPLY_MARKS = re.compile(r"<!--/?reply:\d+-->")


def _reply_sent_back(html, form, article, number, csrf_token):
    """A reply that was not posted comes back open under the comment it answers, with the
    reader's text and why; then (html, True). (html, False) when its thread is not on this
    page: the text then goes back in the main form, which keeps the reply's parent."""
    parent = form.data.get("parent", "") if form is not None else ""
    if not str(parent).isdigit():
        return html, False
    start, end = f"<!--reply:{parent}-->", f"<!--/reply:{parent}-->"
    begin = html.find(start)
    if begin < 0:
        return html, False
    finish = html.find(end, begin)
    reply_form = render_to_string(
        "comments/reply_form.html",
        {
            "thread_pk": int(parent),
            "action": reply_action(article, number),
            **_limit(),
            "csrf": csrf_token,
            # The key the reader's form carried: sent again, it is still one reply.
            "key": form.data.get("submission_key", ""),
            "body": form.data.get("body", ""),
            "errors": [*form.non_field_errors(), *form.errors.get("body", [])],
        },
    )
    return html[:begin] + reply_form + html[finish + len(end) :], True


FORM_KEY_MARK = "00000000-0000-4000-8000-000000000000"
_empty_form = {}  # the empty form's fields, rendered once per language in this process


def form_fields(form):
    """The comment form's fields: a form sent back with errors as it is, the empty form from
    a copy made once (Django renders widgets through templates, slowly) with a fresh key."""
    if form is not None:
        return render_to_string("comments/form_fields.html", {"form": form})
    language = get_language()
    if language not in _empty_form:
        empty = CommentForm(initial={"submission_key": FORM_KEY_MARK})
        _empty_form[language] = render_to_string("comments/form_fields.html", {"form": empty})
    return mark_safe(_empty_form[language].replace(FORM_KEY_MARK, str(uuid.uuid4())))


@register.simple_tag(takes_context=True)
def comments(context, article):
    """The discussion under an article: `{% comments article %}`."""
    request = context["request"]
    part = discussion(request, article)
    html = part["html"]
    user = request.user
    held = []
    form = context.get("comment_form")
    if user.is_authenticated:
        # The reader's own comments here: theirs alone, kept per version of the discussion
        # (any comment change on the article makes it new).
        own = invalidation.cached_part(
            "own-comments",
            (article.pk, user.pk),
            lambda: list(
                Comment.objects.filter(article=article, user=user)
                .exclude(status=Comment.Status.REMOVED)
                .only("pk", "user_id", "status", "created_at", "deleted_by_author", "body")
            ),
            keys=[invalidation.comments_key(article.pk)],
        )
        token = get_token(request)
        html, in_thread = _reply_sent_back(html, form, article, page_number(request), token)
        if in_thread:
            form = None  # the main form is empty again
        html = _own_actions(html, own, user, timezone.now(), token)
        html = html.replace(CSRF_MARK, token).replace(REPLY_KEY_MARK, str(uuid.uuid4()))
        held = [comment for comment in own if comment.status == Comment.Status.HELD]
    html = REPLY_MARKS.sub("", html)
    base = article.get_absolute_url()
    return render_to_string(
        "comments/section.html",
        {
            "article": article,
            "count": part["count"],
            "shared": mark_safe(html),
            "held": held,
            "user": user,
            "open": comments_open(article),
            **_limit(),
            "form_fields": form_fields(form) if user.is_authenticated else "",
            "sign_in_url": f"{reverse('account_login')}?{urlencode({'next': base})}",
            # Given, not made by the context processors: this small template needs only these.
            "csrf_token": get_token(request) if user.is_authenticated else "",
        },
    )


@register.simple_tag(takes_context=True)
def notification_preferences_form(context):
    """The signed-in reader's e-mail preferences, for the profile page
    (templates/accounts/profile/notifications.html), which accounts' view knows nothing of."""
    user = context["request"].user
    return NotificationPreferencesForm(instance=NotificationPreferences.of(user))


@register.inclusion_tag("comments/reader_comments.html", takes_context=True)
def reader_comments(context, user):
    """A reader's own comments, newest first, a page at a time (`?comments=2`), for their
    profile: `{% reader_comments request.user %}`. Two queries (the count and the page) however
    many comments the reader has."""
    request = context["request"]
    paginator = Paginator(Comment.objects.of_reader(user), settings.NEWSROOM_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("comments"))
    query = request.GET.copy()
    query.pop("comments", None)
    return {
        "page": page,
        "comments": list(page.object_list),
        "query": f"{query.urlencode()}&" if query else "",
    }
