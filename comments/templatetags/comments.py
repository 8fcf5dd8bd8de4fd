import re
import uuid

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, urlize
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from comments.forms import CommentForm
from comments.models import Comment, comments_open, visible_count

register = template.Library()

# Every text in which urlize finds a link contains one of these (its own patterns: http(s)://,
# www., a name ending in one of its top-level domains, or an e-mail address).
LINK_HINT = re.compile(r"http|www\.|@|\.(com|edu|gov|int|mil|net|org)", re.IGNORECASE)


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


def cached_count(article):
    # Both tags on one page read the count once.
    if not hasattr(article, "_visible_comment_count"):
        article._visible_comment_count = visible_count(article)
    return article._visible_comment_count


@register.inclusion_tag("comments/count.html")
def comment_count(article):
    return {"count": cached_count(article)}


# Beyond any discussion; a larger number would overflow the database's integer offset.
MAX_PAGE = 100_000


def page_number(request):
    """The discussion page asked for; anything odd, negative or absurd is the first page."""
    try:
        number = int(request.GET.get("comments", 1))
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


@register.inclusion_tag("comments/section.html", takes_context=True)
def comments(context, article):
    """The discussion under an article: a page of threads oldest first, each with its visible
    replies, in three queries however many comments there are."""
    request = context["request"]
    size = settings.NEWSROOM_COMMENTS_PAGE_SIZE
    number = page_number(request)
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
    user = request.user
    now = timezone.now()
    for thread in threads:
        thread.visible_replies = replies.get(thread.pk, [])
        thread.reply_key = uuid.uuid4()
        for comment in [thread, *thread.visible_replies]:
            comment.can_edit = comment.editable_by(user, now)

    form = context.get("comment_form") or CommentForm(initial={"submission_key": uuid.uuid4()})
    base = article.get_absolute_url()
    return {
        "article": article,
        "count": cached_count(article),
        "threads": threads,
        "user": user,
        "open": comments_open(article),
        "form": form,
        "sign_in_url": f"{reverse('account_login')}?{urlencode({'next': base})}",
        "previous_url": f"{base}?comments={number - 1}#comments" if number > 1 else None,
        "next_url": f"{base}?comments={number + 1}#comments" if has_next else None,
        "request": request,
    }
