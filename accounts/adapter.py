from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme


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
