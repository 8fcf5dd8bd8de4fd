"""The reader's side: sign up (no account, double opt-in), confirm, unsubscribe in one click,
choose newsletters by the link in any mail, or on the profile when signed in.

The sign-up form sits on cached public pages, so its POST needs no CSRF token: nothing happens
before the address's owner confirms from their mailbox. The pages reached by a mail's link
carry the token in their address: they are never cached and never need a session."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from newsroom import invalidation
from newsroom.clients import client_address
from newsroom.ratelimit import duration_in_words

from . import ratelimit
from .forms import PreferencesForm, SubscribeForm
from .models import NEWSLETTERS_KEY, Newsletter, Subscriber, Subscription, subscribe
from .optin import read_confirmation, send_confirmation

HOUR = 3600


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe_page(request):
    invalidation.depend(NEWSLETTERS_KEY)
    offered = list(Newsletter.objects.offered())
    if request.method != "POST":
        form = SubscribeForm(newsletters=offered)
        return render(request, "newsletters/subscribe.html", {"form": form, "offered": offered})
    form = SubscribeForm(request.POST, newsletters=offered)
    if not offered:
        return render(request, "newsletters/subscribe.html", {"form": form, "offered": offered})
    if not form.is_valid():
        return render(
            request, "newsletters/subscribe.html", {"form": form, "offered": offered}, status=400
        )
    email = form.cleaned_data["email"].strip().lower()
    wait = ratelimit.take(
        "ip", client_address(request), settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_ADDRESS, HOUR
    ) or ratelimit.take("email", email, settings.NEWSROOM_NEWSLETTER_SIGNUPS_PER_EMAIL, HOUR)
    if wait:
        form.add_error(
            None,
            _("Too many sign-ups in a short time. Please wait %(wait)s and try again.")
            % {"wait": duration_in_words(wait)},
        )
        response = render(
            request,
            "newsletters/subscribe.html",
            {"form": form, "offered": offered, "too_many": True},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    # The same answer whether or not the address already receives them: no enumeration.
    send_confirmation(email, form.cleaned_data["chosen"])
    return render(request, "newsletters/check_mailbox.html", {"email": email})


def invalid_link(request, *, expired=False):
    status = 410 if expired else 404
    return render(request, "newsletters/link_invalid.html", {"expired": expired}, status=status)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """A GET only shows the button (mail scanners follow links); the POST confirms."""
    try:
        email, ids = read_confirmation(token)
    except signing.SignatureExpired:
        return invalid_link(request, expired=True)
    except signing.BadSignature:
        return invalid_link(request)
    newsletters = list(Newsletter.objects.filter(pk__in=ids[:100], active=True))
    context = {"email": email, "newsletters": newsletters}
    if request.method != "POST":
        return render(request, "newsletters/confirm.html", context)
    subscriber = subscribe(email, newsletters)
    context["preferences_url"] = subscriber.links()["preferences_url"]
    return render(request, "newsletters/confirmed.html", context)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """RFC 8058: a POST (`List-Unsubscribe=One-Click`, from a mail client, or the page's
    button) unsubscribes at once, with no session and no CSRF token; a GET only asks."""
    subscriber = Subscriber.from_token(token)
    if subscriber is None:
        return invalid_link(request)
    newsletter = None
    if slug := request.GET.get("list"):
        newsletter = Newsletter.objects.filter(slug=slug).first()
    context = {"subscriber": subscriber, "newsletter": newsletter, "token": token}
    if request.method != "POST":
        return render(request, "newsletters/unsubscribe.html", context)
    subscriptions = Subscription.objects.filter(subscriber=subscriber)
    if newsletter is not None:
        subscriptions = subscriptions.filter(newsletter=newsletter)
    subscriptions.delete()
    return render(request, "newsletters/unsubscribed.html", context)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token):
    subscriber = Subscriber.from_token(token)
    if subscriber is None:
        return invalid_link(request)
    offered = list(Newsletter.objects.offered())
    subscribed = set(subscriber.subscriptions.values_list("newsletter_id", flat=True))
    # Newsletters no longer offered stay as they are: the form only shows what it can change.
    form = PreferencesForm(request.POST or None, newsletters=offered, subscribed=subscribed)
    context = {"form": form, "subscriber": subscriber, "token": token, "saved": False}
    if request.method == "POST":
        if "leave_all" in request.POST:
            subscriber.subscriptions.all().delete()
            context["saved"] = "left"
            form = PreferencesForm(newsletters=offered, subscribed=set())
            context["form"] = form
        elif form.is_valid():
            set_subscriptions(subscriber, offered, form.chosen())
            context["saved"] = "saved"
        else:
            return render(request, "newsletters/preferences.html", context, status=400)
    return render(request, "newsletters/preferences.html", context)


@transaction.atomic
def set_subscriptions(subscriber, offered, chosen):
    chosen_ids = {n.pk for n in chosen}
    subscriber.subscriptions.filter(
        newsletter__in=[n for n in offered if n.pk not in chosen_ids]
    ).delete()
    Subscription.objects.bulk_create(
        [Subscription(subscriber=subscriber, newsletter=n) for n in chosen], ignore_conflicts=True
    )


def verified_email(user):
    """The account's primary verified address (or any verified one), else None."""
    addresses = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary")
    found = addresses.values_list("email", flat=True).first()
    return found.lower() if found else None


def profile_context(user, form=None):
    offered = list(Newsletter.objects.offered())
    email = verified_email(user)
    subscribed = set(
        Subscription.objects.filter(subscriber__in=Subscriber.objects.of_user(user)).values_list(
            "newsletter_id", flat=True
        )
    )
    form = form or PreferencesForm(newsletters=offered, subscribed=subscribed)
    return {"newsletter_form": form, "newsletter_email": email, "offered": offered}


@require_POST
@login_required
def profile(request):
    """The profile's section: a verified account address needs no confirmation mail."""
    email = verified_email(request.user)
    if email is None:
        messages.error(request, _("Verify your e-mail address first to receive newsletters."))
        return redirect("accounts:profile")
    offered = list(Newsletter.objects.offered())
    form = PreferencesForm(request.POST, newsletters=offered, subscribed=set())
    if not form.is_valid():
        messages.error(request, _("Choose among the newsletters offered."))
        return redirect("accounts:profile")
    chosen = form.chosen()
    with transaction.atomic():
        for subscriber in Subscriber.objects.of_user(request.user).exclude(email=email):
            set_subscriptions(subscriber, offered, [])
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None and chosen:
            subscriber = subscribe(email, [], user=request.user, via="account")
        if subscriber is not None:
            set_subscriptions(subscriber, offered, chosen)
    messages.success(request, _("Your newsletters have been saved."))
    return redirect("accounts:profile")
