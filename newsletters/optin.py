"""Double opt-in: the confirmation mail and its signed link. The link carries the address and
the newsletters chosen; nothing is stored before its owner follows it."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

SALT = "newsletters.confirm"


def confirmation_token(email, newsletters):
    return signing.dumps({"e": email, "n": [n.pk for n in newsletters]}, salt=SALT, compress=True)


def read_confirmation(token):
    """(email, newsletter ids). Raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(
        token, salt=SALT, max_age=settings.NEWSROOM_NEWSLETTER_CONFIRM_DAYS * 24 * 3600
    )
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise signing.BadSignature("unexpected content")
    ids = [pk for pk in data.get("n", []) if isinstance(pk, int)]
    return data["e"], ids


def send_confirmation(email, newsletters):
    url = settings.SITE_URL + reverse(
        "newsletters:confirm", args=[confirmation_token(email, newsletters)]
    )
    context = {
        "url": url,
        "newsletters": newsletters,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL + "/",
        "days": settings.NEWSROOM_NEWSLETTER_CONFIRM_DAYS,
    }
    message = EmailMultiAlternatives(
        subject=_("Confirm your subscription to %(site)s") % {"site": settings.SITE_NAME},
        body=render_to_string("newsletters/mail/confirm.txt", context),
        to=[email],
    )
    html = render_to_string("newsletters/mail/confirm.html", context)
    message.attach_alternative(html, "text/html")
    message.send()
