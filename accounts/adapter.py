from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme

# An address an account signed in from this recently is its owner's (SigninLockout).
KNOWN_ADDRESS_AGE = timedelta(days=90)


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails name the site by NEWSROOM_SITE_NAME and the host the reader used,
    not by the sites framework's placeholder row ("example.com"); its redirects never leave
    https."""

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        site = SimpleNamespace(
            name=settings.SITE_NAME, domain=request.get_host() if request else settings.SITE_NAME
        )
        super().send_mail(template_prefix, email, {"current_site": site, **context})

    def send_account_already_exists_mail(self, email):
        """Sign-up with a taken address: hash a password as a new account would, so that
        the answer takes as long as for a free address (account enumeration by the clock)."""
        get_user_model()().set_password(get_random_string(20))
        super().send_account_already_exists_mail(email)

    def is_safe_url(self, url):
        """allauth judges the host; over https the address must stay on https too, as Django's
        own sign-in and sign-out views require (a same-host http address is a downgrade)."""
        request = allauth_context.request
        if not super().is_safe_url(url):
            return False
        if request is None or not request.is_secure():
            return True
        host = urlsplit(url.replace("\\", "/")).netloc
        return url_has_allowed_host_and_scheme(url, allowed_hosts={host}, require_https=True)


def signin_username(request, credentials):
    """The account a sign-in attempt is for, as django-axes counts failures (settings
    AXES_USERNAME_CALLABLE). The admin sends a username, allauth an e-mail address; axes alone
    would see no username at all for allauth and lock everybody behind the attacker's address.
    An address is counted under its account's username, so a success clears the failures and
    the address's case changes nothing; an unknown address is counted under itself."""
    credentials = credentials or {}
    data = request.POST if request is not None and hasattr(request, "POST") else {}
    name = (
        credentials.get("username")
        or credentials.get("email")
        or data.get("username")
        or data.get("login")
        or ""
    )
    name = str(name).strip()
    if "@" not in name:
        return name
    account = get_user_model().objects.filter(email__iexact=name).values_list("username", flat=True)
    return account.first() or name.lower()


class SigninLockout(AxesDatabaseHandler):
    """django-axes, plus a limit per account across all addresses (settings AXES_HANDLER).

    axes locks an account from one address after AXES_FAILURE_LIMIT failures, which leaves
    guessing from many addresses unlimited. Here an account also locks after
    NEWSROOM_SIGNIN_ACCOUNT_FAILURE_LIMIT failures from anywhere within the cool-off, but only
    for addresses it has not signed in from lately: its owner, at home or at the office, is
    not locked out by a stranger, and an attacker cannot lock every account for everybody.
    """

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.is_account_locked(
            request, credentials
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes answers "too many attempts" only for its own limit; say it for this one too.
        if request is not None and self.is_account_locked(request, credentials):
            request.axes_locked_out = True

    def is_account_locked(self, request, credentials=None):
        username = get_client_username(request, credentials)
        if not settings.AXES_LOCK_OUT_AT_FAILURE or not username:
            return False
        failures = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(failures=Sum("failures_since_start"))["failures"]
        if (failures or 0) < settings.NEWSROOM_SIGNIN_ACCOUNT_FAILURE_LIMIT:
            return False
        signed_in_here = AccessLog.objects.filter(
            username=username,
            ip_address=request.axes_ip_address,
            attempt_time__gte=timezone.now() - KNOWN_ADDRESS_AGE,
        )
        return not signed_in_here.exists()
