from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from notices import labelling

register = template.Library()


@register.inclusion_tag("notices/notices.html")
def notices(placement, article=None):
    """The active notices for a placement (and an article, whose scope they must cover), in
    order: `{% notices "article_end" article %}`. No query once the snapshot is cached."""
    return {
        "placement": placement,
        "notices": labelling.snapshot().notices_for(placement, article or None),
    }


@register.filter
def labelled_body(article):
    """`{{ article|labelled_body }}`: the sanitized body with mentions labelled."""
    return mark_safe(labelling.labelled_body(article))  # sanitized on save, escaped inserts


@register.filter(is_safe=True)
def label_mentions(html):
    """Label mentions in HTML that is already safe, such as a reader's comment after
    `|urlize|linebreaksbr`: `{{ comment.body|urlize|linebreaksbr|label_mentions }}`."""
    html = conditional_escape(html)  # plain text is escaped first, safe HTML kept as is
    return mark_safe(labelling.label_html(str(html), labelling.snapshot().matcher))
