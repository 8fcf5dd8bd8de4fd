from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """allauth's e-mails name the site by NEWSROOM_SITE_NAME and the host the reader used,
    not by the sites framework's placeholder row ("example.com")."""

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        site = SimpleNamespace(
            name=settings.SITE_NAME, domain=request.get_host() if request else settings.SITE_NAME
        )
        super().send_mail(template_prefix, email, {"current_site": site, **context})
