"""Demo discussion on the seed article, for `load_demo`: a few readers, comments and a reply,
and a verified e-mail for the demo reader so a newcomer can sign in and comment at once."""

import sys

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.models import Profile

from .models import Comment, post_comment

DEMO_READERS = [
    ("reader", "reader@example.com", "Demo Reader"),
    ("m.weber", "m.weber@example.com", "Martin Weber"),
    ("l.novak", "l.novak@example.com", "Lucie Novák"),
]
DEMO_COMMENTS = [
    ("m.weber", "If this is true, the talks will look very different by spring.", None),
    ("l.novak", "Focus is citing unnamed sources; I would wait for an official statement.", None),
    ("reader", "Agreed. The article says as much: it is not being discussed openly.", 1),
]


def load_demo(stdout, language="en"):
    """The hook `load_demo` calls: the discussion goes under the seed article."""
    from articles.management.commands.load_demo import demo_texts, seed_article

    article = seed_article(language)
    if article:
        texts = demo_texts("comments", sys.modules[__name__], language)
        load_demo_comments(article, stdout, texts)


def load_demo_comments(article, stdout, texts=None):
    """Idempotent: readers and comments that already exist are left as they are. The demo
    readers' accounts (with passwords) exist only when DEBUG is on; without it, no comments."""
    if not settings.DEBUG:
        return
    texts = texts or sys.modules[__name__]
    User = get_user_model()
    users = {}
    for username, email, name in texts.DEMO_READERS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            user.set_unusable_password()
            user.save()
        Profile.objects.get_or_create(user=user, defaults={"display_name": name})
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        users[username] = user
    posted = []
    for username, body, reply_to in texts.DEMO_COMMENTS:
        comment = Comment.objects.filter(article=article, body=body).first()
        if comment is None:
            parent = posted[reply_to - 1] if reply_to else None
            comment, _ = post_comment(
                article=article, user=users[username], body=body, parent=parent, notify=False
            )
        posted.append(comment)
    stdout.write(f"  demo comments on the seed article: {len(posted)}")
