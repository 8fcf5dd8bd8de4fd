import math

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from newsroom import ratelimit as ratelimit_window
from newsroom.pagecache import private

from .forms import DeleteAccountForm, ProfileForm
from .models import Profile, delete_account, personal_data_of

HOUR = 3600


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def profile(request):
    instance = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def take_export_allowance(user_id):
    """0 when the reader may download their data now, otherwise how many seconds until they
    may (NEWSROOM_DATA_EXPORTS_PER_HOUR). The file gathers every row the reader has: many
    downloads at once would be a cheap way to load the database."""
    return ratelimit_window.take(
        f"accounts:exports:{user_id}", settings.NEWSROOM_DATA_EXPORTS_PER_HOUR, HOUR
    )


def too_many(request, message, wait):
    response = render(request, "accounts/wait.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_POST
@login_required
def download_data(request):
    """The reader's own data as a JSON file: a POST (a form on the profile), never stored by
    any cache."""
    if wait := take_export_allowance(request.user.pk):
        minutes = math.ceil(wait / 60)
        message = ngettext(
            "You have downloaded your data several times in the last hour. You can download it "
            "again in %(count)d minute.",
            "You have downloaded your data several times in the last hour. You can download it "
            "again in %(count)d minutes.",
            minutes,
        ) % {"count": minutes}
        return too_many(request, message, wait)
    response = JsonResponse(
        personal_data_of(request.user, request),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    filename = f"newsroom-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    private(response)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def delete(request):
    """Delete my account: what will happen, the password (or e-mail) to confirm, and a POST
    that deletes everything in one transaction, then signs the reader out."""
    user = request.user
    if user.is_staff or user.is_superuser:
        # Staff accounts sign articles and moderation: an administrator removes them.
        return render(request, "accounts/delete.html", {"staff": True})
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST":
        # allauth's limit on confirming one's password again (ACCOUNT_RATE_LIMITS
        # "reauthenticate"): the form must not be a way to guess it.
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            message = _("Too many attempts to confirm your password. Please wait a minute.")
            return too_many(request, message, 60)
        if form.is_valid():
            delete_account(user)
            logout(request)
            return redirect("accounts:deleted")
    return render(request, "accounts/delete.html", {"form": form})


@require_http_methods(["GET", "HEAD"])
def deleted(request):
    return render(request, "accounts/deleted.html")
