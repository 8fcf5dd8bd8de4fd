"""Share links for the article page: plain links to each service's own share address, built
once into the cached page. No script from elsewhere, no tracking parameter, nothing fetched
before the reader clicks."""

from urllib.parse import quote, urlencode

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _query(**params):
    return urlencode(params, quote_via=quote)


def share_links(title, url):
    """[(service, name shown, href)] in the order shown: the icon's name in
    static/img/icons.svg, the link's text, and the address with the headline and URL."""
    text = f"{title} {url}"
    return [
        ("mail", _("E-mail"), "mailto:?" + _query(subject=title, body=url)),
        ("telegram", "Telegram", "https://t.me/share/url?" + _query(url=url, text=title)),
        ("whatsapp", "WhatsApp", "https://wa.me/?" + _query(text=text)),
        ("vk", "VK", "https://vk.com/share.php?" + _query(url=url, title=title)),
        ("x", "X", "https://x.com/intent/post?" + _query(text=title, url=url)),
        ("facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + _query(u=url)),
    ]


@register.inclusion_tag("articles/share.html")
def share(title, url):
    """`{% share article.title canonical_url %}`: the share block."""
    return {"links": share_links(title, url), "url": url}
