"""The forms on a page that came back with errors, for base.html's one error pattern: the title
starts with "Error:" and a summary that takes focus links to each field (includes/
error_summary.html). Fields themselves get aria-invalid and aria-describedby from Django's form
rendering (FORM_RENDERER): each field's message has the id its field points at."""

from django import template
from django.forms import BaseForm

register = template.Library()


@register.simple_tag(takes_context=True)
def failed_forms(context):
    """Every bound form in the context with an error, whatever the view called it."""
    # type(), not isinstance(): isinstance would evaluate the lazy `user` and the rest.
    forms = [
        value
        for value in context.flatten().values()
        if issubclass(type(value), BaseForm) and value.is_bound and value.errors
    ]
    return list({id(form): form for form in forms}.values())  # one form under two names
