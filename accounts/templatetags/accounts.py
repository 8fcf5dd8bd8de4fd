from django import template

from accounts import models

register = template.Library()


@register.filter
def display_name(user):
    """`{{ comment.user|display_name }}`: the name readers see, never the sign-in name."""
    return models.display_name(user)
