from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def profile_newsletters(context):
    """The profile's newsletter section: what is offered and what the reader receives."""
    from newsletters.views import profile_context

    return profile_context(context["request"].user)
