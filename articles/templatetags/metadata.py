import json

from django import template
from django.core.exceptions import DisallowedHost
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from newsroom.richtext import xml_text

register = template.Library()

# Inside <script> only these could end the element or start markup; JSON allows \u escapes.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """`data` as a <script type="application/ld+json"> element, safe whatever the text holds."""
    text = json.dumps(data, ensure_ascii=False).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def xml(text):
    """Text for an XML template: escaped by the template, minus what XML cannot hold."""
    return xml_text(str(text))


def _absolute(context, url):
    """`url` made absolute on the request's host; empty where there is no trustworthy host
    (the 500 page renders without a request, the 400 page for a host not allowed)."""
    request = context.get("request")
    if request is None:
        return ""
    try:
        return request.build_absolute_uri(url)
    except DisallowedHost:
        return ""


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    return _absolute(context, url)


@register.simple_tag(takes_context=True)
def absolute_static(context, path):
    return _absolute(context, static(path))


@register.simple_tag(takes_context=True)
def page_url(context):
    """The absolute URL of this page (of a list): its canonical URL."""
    request = context.get("request")
    number = getattr(context.get("page_obj"), "number", 1)
    path = request.path if request else ""
    return _absolute(context, path + (f"?page={number}" if number > 1 else ""))
