from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from notices import labelling

register = template.Library()

# A page rendered with a moment under this name in its context (an editor's archived view of a
# page, a preview of an old version) shows the notices and labels of that moment.
AS_OF = "as_of"


@register.inclusion_tag("notices/notices.html", takes_context=True)
def notices(context, placement, article=None):
    """The active notices for a placement (and an article, whose scope they must cover), in
    order: `{% notices "article_end" article %}`. No query once the snapshot is cached."""
    snapshot = labelling.snapshot_for(context.get(AS_OF))
    return {"placement": placement, "notices": snapshot.notices_for(placement, article or None)}


@register.simple_tag(takes_context=True)
def labelled_body(context, article):
    """`{% labelled_body article %}`: the sanitized body with mentions labelled."""
    # Sanitized on save; what labelling inserts is escaped.
    return mark_safe(labelling.labelled_body(article, context.get(AS_OF)))


@register.filter(is_safe=True)
def label_mentions(html):
    """Label mentions in HTML that is already safe, such as a reader's comment after
    `|urlize|linebreaksbr`: `{{ comment.body|urlize|linebreaksbr|label_mentions }}`."""
    html = conditional_escape(html)  # plain text is escaped first, safe HTML kept as is
    return mark_safe(labelling.label_html(str(html), labelling.snapshot().matcher))
