"""Parts of a page rendered once per version of what they show, in templates.

    {% load parts %}
    {% part "article" article.pk keys=article_keys %}
      ... expensive markup, the same for every reader ...
      {% live %}{% comment_count article %}{% endlive %}   (rendered per request)
    {% endpart %}

`keys` (a list or a space-separated string) are declared before the part is rendered; tags
inside may declare more (`{% depends key %}`, the notices tags). A `{% live %}` hole is
rendered for every request and put in place after the shared markup is found; it must not stand
inside a loop. Nothing user-specific may stand in a part outside a hole. A page rendered with
`no_shared_parts` in its context (a preview) renders every part afresh and stores none.
"""

from django import template
from django.utils.safestring import mark_safe

from newsroom import invalidation

register = template.Library()

_MARKING = "_part_marking_live_holes"


def _as_keys(value):
    if not value:
        return ()
    if isinstance(value, str):
        return tuple(value.split())
    return tuple(value)


class LiveNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.index = 0

    @property
    def marker(self):
        return f"<!--live:{self.index}-->"

    def render(self, context):
        if context.get(_MARKING):
            return self.marker
        return self.nodelist.render(context)


class PartNode(template.Node):
    def __init__(self, name, vary, keys, timeout, nodelist):
        self.name, self.vary, self.keys, self.timeout = name, vary, keys, timeout
        self.nodelist = nodelist
        self.holes = nodelist.get_nodes_by_type(LiveNode)
        for index, hole in enumerate(self.holes):
            hole.index = index

    def render(self, context):
        name = self.name.resolve(context)
        vary = tuple(value.resolve(context) for value in self.vary)
        keys = _as_keys(self.keys.resolve(context)) if self.keys else ()
        timeout = self.timeout.resolve(context) if self.timeout else invalidation.PART_SECONDS

        def render_shared():
            with context.push({_MARKING: True}):
                return self.nodelist.render(context)

        if context.get("no_shared_parts"):
            # A page that is not the public one (a preview of an unpublished version).
            html = render_shared()
        else:
            html = invalidation.cached_part(name, vary, render_shared, keys=keys, timeout=timeout)
        for hole in self.holes:
            html = html.replace(hole.marker, hole.nodelist.render(context), 1)
        return mark_safe(html)


@register.tag
def part(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% part %} needs a name")
    options = {}
    vary = []
    for bit in bits[1:]:
        name, sep, value = bit.partition("=")
        if sep and name in {"keys", "timeout"}:
            options[name] = parser.compile_filter(value)
        else:
            vary.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endpart",))
    parser.delete_first_token()
    return PartNode(
        parser.compile_filter(bits[0]),
        vary,
        options.get("keys"),
        options.get("timeout"),
        nodelist,
    )


@register.tag
def live(parser, token):
    nodelist = parser.parse(("endlive",))
    parser.delete_first_token()
    return LiveNode(nodelist)


@register.simple_tag
def depends(*keys):
    """`{% depends article.cache_key %}`: what is being rendered shows what `keys` name."""
    invalidation.depend(*(key for key in keys if key))
    return ""
