"""Plain functions that make rows for tests: make_article(**overrides)."""

import io
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Section

_counter = itertools.count(1)


def make_section(**overrides):
    n = next(_counter)
    fields = {"name": f"Section {n}", "slug": f"section-{n}", "position": n} | overrides
    return Section.objects.create(**fields)


def make_author(**overrides):
    n = next(_counter)
    fields = {"name": f"Author {n}", "slug": f"author-{n}"} | overrides
    return Author.objects.create(**fields)


# The article's image fields before the media library, still accepted by make_article().
_IMAGE_FIELDS = {
    "image_alt": "alt_text",
    "image_caption": "caption",
    "image_credit": "credit",
    "image_credit_url": "credit_url",
}


def make_image(file=None, **overrides):
    """A library image (a 64×48 JPEG unless `file` is given)."""
    from medialibrary.models import Image as LibraryImage

    return LibraryImage.objects.create(file=file or image_upload(), **overrides)


def make_article(*, authors=(), tags=(), **overrides):
    """An article; `image` may be an upload, made a library image with the `image_alt`,
    `image_caption`, `image_credit` and `image_credit_url` given."""
    n = next(_counter)
    described = {
        _IMAGE_FIELDS[key]: overrides.pop(key) for key in list(overrides) if key in _IMAGE_FIELDS
    }
    if isinstance(overrides.get("image"), SimpleUploadedFile):
        overrides["image"] = make_image(overrides["image"], **described)
    fields = {
        "title": f"Article number {n}",
        "slug": f"article-{n}",
        "lead": f"The lead of article {n}.",
        "body": f"<p>The body of article {n}.</p>",
        "status": Article.Status.PUBLISHED,
        # Seconds, not minutes: thousands of articles in one run stay "recent" (48 hours).
        "published_at": timezone.now() - timedelta(seconds=n),
    } | overrides
    if "section" not in fields:
        fields["section"] = make_section()
    article = Article.objects.create(**fields)
    if authors:
        article.authors.set(authors)
    if tags:
        article.tags.set(list(tags))
    return article


def make_articles(count, *, authors=0, tags=0, section=None, **overrides):
    """`count` articles sharing one section, each with `authors` authors and `tags` tags."""
    section = section or make_section()
    author_rows = [make_author() for _ in range(authors)]
    tag_names = [f"tag-{i}" for i in range(tags)]
    return [
        make_article(section=section, authors=author_rows, tags=tag_names, **overrides)
        for _ in range(count)
    ]


def make_user(username=None, **overrides):
    username = username or f"user{next(_counter)}"
    fields = {"email": f"{username}@example.com"} | overrides
    return get_user_model().objects.create_user(username=username, password="pw-12345678", **fields)


def make_staff(username, *, group):
    user = make_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def image_upload(name="photo.jpg", size=(64, 48), fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def make_notice(**overrides):
    from notices.models import Notice

    n = next(_counter)
    fields = {"name": f"Notice {n}", "body": f"<p>Notice text {n}.</p>"} | overrides
    sections = fields.pop("sections", ())
    articles = fields.pop("articles", ())
    notice = Notice.objects.create(**fields)
    if sections:
        notice.sections.set(sections)
    if articles:
        notice.articles.set(articles)
    return notice


def make_label(name, label_text="banned in Russia", **overrides):
    from notices.models import Label

    if "notice" not in overrides:
        overrides["notice"] = make_notice(list_format="designations", placement="footer")
    return Label.objects.create(name=name, label_text=label_text, **overrides)


def make_channel(notice, name="Telegram", link="https://t.me/newsroom", **overrides):
    """A channel of `notice` ("Our news channels"), checked like the admin checks it."""
    from notices.models import Channel

    channel = Channel(notice=notice, name=name, link=link, **overrides)
    channel.full_clean()
    channel.save()
    return channel


def make_draft(created_by=None, **overrides):
    """An article not yet published, written by `created_by`."""
    fields = {"status": Article.Status.DRAFT, "published_at": None, "created_by": created_by}
    return make_article(**(fields | overrides))


def make_reader(username=None, *, display_name=None, verified=True, **overrides):
    """A reader as allauth leaves one after sign-up: a profile and, unless told, a verified
    e-mail address."""
    from allauth.account.models import EmailAddress

    from accounts.models import Profile

    user = make_user(username, **overrides)
    Profile.objects.create(user=user, display_name=display_name or f"Reader {user.username}")
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def make_comment(article, user=None, body="A fair point.", parent=None, **overrides):
    """A comment posted the way readers post, so the article's count follows. (Overrides are
    written afterwards: use them for times, not for the status.)"""
    from comments.models import Comment, post_comment

    comment, _ = post_comment(article=article, user=user or make_reader(), body=body, parent=parent)
    if overrides:
        Comment.objects.filter(pk=comment.pk).update(**overrides)
        comment.refresh_from_db()
    return comment


def admin_article_data(section, **fields):
    """What the admin's article form posts from a browser, for a reporter: no status and no
    publication time (those fields are only shown to editors)."""
    return {
        "title": "Parliament passes the budget",
        "slug": "parliament-passes-the-budget",
        "section": section.pk,
        "lead": "The vote was close.",
        "body": "<p>The budget passed by three votes.</p>",
        "tags": "budget",
        "image": "",
        "source_name": "",
        "source_url": "",
        "comments_open": "on",
        "seo_description": "",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "corrections-MIN_NUM_FORMS": "0",
        "corrections-MAX_NUM_FORMS": "1000",
    } | fields


def library_image_data(upload=None, **fields):
    """What the media library's image form posts from a browser ("" for no new file)."""
    return {
        "file": image_upload() if upload is None else upload,
        "title": "",
        "alt_text": "",
        "caption": "",
        "credit": "",
        "credit_url": "",
        "focal_x": "0.5",
        "focal_y": "0.5",
    } | fields


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def post_data(article=None, *, section=None, editor_fields=False, **overrides):
    """What the article form posts from a browser: the reporter's fields, and with
    `editor_fields` the publication time and note that only editors are shown."""
    if article:
        data = admin_article_data(
            article.section,
            title=article.title,
            slug=article.slug,
            lead=article.lead,
            body=article.body,
        )
    else:
        data = admin_article_data(section)
    if article:
        from articles import workflow

        data["opened_version"] = workflow.version_of(article, workflow.pending_changes(article))
    if editor_fields:
        local = (
            timezone.localtime(article.published_at) if article and article.published_at else None
        )
        data |= {
            "published_at_0": local.strftime("%Y-%m-%d") if local else "",
            "published_at_1": local.strftime("%H:%M:%S") if local else "",
            "review_note": article.review_note if article else "",
        }
    return data | overrides
