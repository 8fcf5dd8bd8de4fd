from django import template
from django.utils.safestring import mark_safe

from medialibrary.body import render_library_images

register = template.Library()


@register.filter
def library_images(html):
    """`{{ article|labelled_body|library_images }}`: the body's library figures and galleries
    drawn from their records (one query for all of them)."""
    return mark_safe(render_library_images(str(html)))  # sanitized on save, escaped inserts
