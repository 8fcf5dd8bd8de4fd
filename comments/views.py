from functools import wraps
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from articles.views import article_page
from newsroom.middleware import (
    is_database_unavailable,
    log_database_unavailable,
    unavailable_response,
)

from . import notifications
from .forms import CommentForm, NotificationPreferencesForm, ReportForm
from .models import (
    BODY_MAX_LENGTH,
    Comment,
    ModerationSettings,
    NotificationPreferences,
    comments_open,
    duration_in_words,
    edit_comment,
    is_banned,
    post_comment,
    report_comment,
    set_status,
)
from .ratelimit import (
    claim_submission,
    give_back_comment_allowance,
    record_submission,
    release_submission,
    submitted_comment,
    take_comment_allowance,
)


def sign_in_url(article):
    return f"{reverse('account_login')}?{urlencode({'next': article.get_absolute_url()})}"


def needs_verified_email(user):
    return settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory" and not (
        EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def article_with_form(request, article, form, status=200):
    """The article page again, with the reader's text and what was wrong with it."""
    return render(
        request,
        "articles/article_detail.html",
        article_page(request, article, comment_form=form),
        status=status,
    )


def not_posted(request, article, form, message, status=200):
    """The reader's text back, with why it was not posted (and when to try again): in the
    article's form, or on a page of its own when the article shows no form any more."""
    if not comments_open(article):
        return render(
            request,
            "comments/not_posted.html",
            {"article": article, "message": message, "body": request.POST.get("body", "")},
            status=status,
        )
    form.add_error(None, message)
    return article_with_form(request, article, form, status=status)


def reply_to(article, form):
    """(parent, None), or (None, a refusal) when the comment replied to is gone; the form then
    becomes a new comment's, so that sending it again posts the text."""
    if not (parent_id := form.cleaned_data["parent"]):
        return None, None
    parent = Comment.objects.visible().filter(article=article, pk=parent_id).first()
    if parent is not None:
        return parent, None
    form.data = form.data.copy()
    form.data["parent"] = ""
    return None, _(
        "The comment you replied to no longer exists. Your text is below: post it again as a "
        "comment of its own."
    )


def keeps_text_when_database_is_down(view):
    """A comment posted while the database is away is not lost silently: the reader gets the
    text back in a form, with an honest message, instead of the generic 503 page. Nothing here
    may touch the database (not even the session or the user), so the page is rendered without
    context processors, from what the reader sent."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Exception as error:
            if request.method != "POST" or not is_database_unavailable(error):
                raise
            log_database_unavailable(request, error, "database unavailable, comment returned")
            back = request.headers.get("Referer", "")
            if not url_has_allowed_host_and_scheme(
                back, {request.get_host()}, require_https=request.is_secure()
            ):
                back = "/"
            html = render_to_string(
                "comments/unsaved.html",
                {
                    "site_name": settings.SITE_NAME,
                    "action": request.path,
                    "back": back,
                    "body": request.POST.get("body", ""),
                    # The same key: a failed attempt gives it back, and should the first
                    # attempt have been stored after all, the database's unique key makes the
                    # second find it instead of posting the text twice.
                    "submission_key": request.POST.get("submission_key", ""),
                    "parent": request.POST.get("parent", ""),
                    "csrf_token": get_token(request),
                },
            )
            return unavailable_response(html)

    return wrapper


@require_POST
@keeps_text_when_database_is_down
def comment_create(request, article_id):
    article = get_object_or_404(Article.objects.published().for_detail(), pk=article_id)
    if not request.user.is_authenticated:
        return redirect(sign_in_url(article))
    user = request.user
    form = CommentForm(request.POST)
    if not comments_open(article):
        return not_posted(request, article, form, _("Comments on this article are closed."), 403)
    if is_banned(user):
        return not_posted(request, article, form, _("You can no longer comment on this site."), 403)
    if needs_verified_email(user):
        message = _("Please confirm your e-mail address before commenting.")
        return not_posted(request, article, form, message, 403)
    if not form.is_valid():
        return article_with_form(request, article, form)
    key = form.cleaned_data["submission_key"]
    # The form's key is claimed at once, so that a double click finds it taken, and given back
    # whenever the comment is not stored, so that the same form can always be sent again.
    if key and not claim_submission(user.pk, key):
        # The same form again (a double click): show the first post, never an error.
        anchor = f"comment-{pk}" if (pk := submitted_comment(user.pk, key)) else "comments"
        return redirect(f"{article.get_absolute_url()}#{anchor}")
    stored = False
    try:
        response, stored = store_or_refuse(request, article, form)
        return response
    finally:
        if key and not stored:
            release_submission(user.pk, key)


def store_or_refuse(request, article, form):
    """(the answer, whether the comment is stored): stored, or refused with the reason and the
    text. A comment is taken from the reader's allowance only when it is stored."""
    user, key, body = request.user, form.cleaned_data["submission_key"], form.cleaned_data["body"]
    if key and (earlier := Comment.objects.filter(user=user, submission_key=key).first()):
        record_submission(user.pk, key, earlier.pk)
        return redirect(earlier), True  # stored before the cache forgot the key
    parent, refusal = reply_to(article, form)
    refusal = refusal or ModerationSettings.load().verdict_on(body, user=user).refusal
    if refusal:
        return not_posted(request, article, form, refusal), False
    if wait := take_comment_allowance(user.pk):
        message = _("You are commenting too fast. You can post again in %(wait)s.") % {
            "wait": duration_in_words(wait)
        }
        response = not_posted(request, article, form, message, 429)
        response["Retry-After"] = str(wait)
        return response, False
    try:
        comment, created = post_comment(
            article=article, user=user, body=body, parent=parent, submission_key=key
        )
    except Exception:
        give_back_comment_allowance(user.pk)
        raise
    if key:
        record_submission(user.pk, key, comment.pk)
    if created and comment.is_visible:
        messages.success(request, _("Your comment has been published."))
    elif created:
        messages.info(
            request, _("Thank you. Your comment will appear once a moderator has read it.")
        )
    return redirect(f"{article.get_absolute_url()}#comment-{comment.pk}"), True


def own_comment(request, pk):
    """The signed-in reader's own comment; anybody else's is not found."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    comment = get_object_or_404(
        Comment.objects.on_public_articles().select_related("article__section"),
        pk=pk,
        user=request.user,
    )
    if not comment.editable_by(request.user):
        raise PermissionDenied(_("Comments can only be changed shortly after posting."))
    return comment


@require_http_methods(["GET", "HEAD", "POST"])
@keeps_text_when_database_is_down
def comment_edit(request, pk):
    comment = own_comment(request, pk)
    form = CommentForm(request.POST or None, instance=comment)
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        if refusal := ModerationSettings.load().verdict_on(body).refusal:
            form.add_error("body", refusal)
        else:
            was_visible = comment.is_visible
            edit_comment(comment, body)
            if was_visible and not comment.is_visible:
                messages.info(
                    request, _("Your comment will appear again once a moderator has read it.")
                )
            elif not comment.is_visible:
                messages.info(request, _("Your comment will appear once a moderator has read it."))
            return redirect(comment)
    return render(
        request,
        "comments/edit.html",
        {
            "form": form,
            "comment": comment,
            "max_length": BODY_MAX_LENGTH,
            "limit_text": number_format(BODY_MAX_LENGTH, force_grouping=True),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete(request, pk):
    """GET asks (a page of its own, so that it works without JavaScript); only POST deletes."""
    comment = own_comment(request, pk)
    if request.method != "POST":
        return render(request, "comments/delete.html", {"comment": comment})
    set_status(
        Comment.objects.filter(pk=comment.pk), Comment.Status.REMOVED, deleted_by_author=True
    )
    messages.success(request, _("Your comment has been deleted."))
    return redirect(f"{comment.article.get_absolute_url()}#comments")


@require_http_methods(["GET", "HEAD", "POST"])
def comment_report(request, pk):
    if not request.user.is_authenticated:
        raise PermissionDenied
    comment = get_object_or_404(
        Comment.objects.visible().on_public_articles().select_related("article", "user__profile"),
        pk=pk,
    )
    if comment.user_id == request.user.pk:
        raise PermissionDenied
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if report_comment(comment=comment, user=request.user, reason=form.cleaned_data["reason"]):
            messages.success(request, _("Thank you. A moderator will look at this comment."))
        else:
            messages.info(request, _("You have already reported this comment."))
        return redirect(f"{comment.article.get_absolute_url()}#comments")
    return render(request, "comments/report.html", {"form": form, "comment": comment})


@require_POST
@login_required
def notification_preferences(request):
    """The profile's "E-mails about my comments" form (templates/accounts/profile/)."""
    form = NotificationPreferencesForm(
        request.POST, instance=NotificationPreferences.of(request.user)
    )
    if form.is_valid():
        form.save()
        messages.success(request, _("Your e-mail preferences have been saved."))
    return redirect(f"{reverse('accounts:profile')}#notifications")


# The mail's List-Unsubscribe-Post (RFC 8058) is a POST from the mail client, with no session
# and no CSRF token: the signed token in the address is what authorises it. A GET (a person
# following the link, or a scanner fetching it) only shows the button.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    user = notifications.user_for_token(token)
    if user is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        notifications.turn_off(user)
    return render(request, "comments/unsubscribe.html", {"done": done})
