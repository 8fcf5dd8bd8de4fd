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

A `{% slot "name" id %}` is a live hole that may stand in a loop (a list's cards): all the slots
of one name in a part are filled together after the part is found, by the function an app
registered with `register_slot(name, fill)`: `fill(ids)` answers {id: html} for all of them at
once (one query, or one cached part), so a list of 20 cards costs what a list of one does. What
`fill` depends on, the page depends on, not the part: a comment on one card's article leaves the
list's markup cached.
"""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from newsroom import invalidation

register = template.Library()

_MARKING = "_part_marking_live_holes"

_SLOT = re.compile(r"<!--slot:([\w-]+):(\d+)-->")
_fillers = {}


def register_slot(name, fill):
    """`fill(ids)` -> {id: html} fills every `{% slot name id %}` of a part (see above)."""
    _fillers[name] = fill


def fill_slots(html):
    wanted = {}
    for name, value in _SLOT.findall(html):
        wanted.setdefault(name, {})[int(value)] = None
    if not wanted:
        return html
    filled = {}
    for name, ids in wanted.items():
        fill = _fillers.get(name)
        filled[name] = fill(list(ids)) if fill else {}  # an app not installed: nothing

    def put(match):
        return conditional_escape(filled[match[1]].get(int(match[2]), ""))

    return _SLOT.sub(put, html)


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
        return mark_safe(fill_slots(html))


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


class FillSlotsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return mark_safe(fill_slots(self.nodelist.render(context)))


@register.tag
def fillslots(parser, token):
    """`{% fillslots %}…{% endfillslots %}`: the slots of markup that stands in no part (a page
    of search results), filled as a part's are."""
    nodelist = parser.parse(("endfillslots",))
    parser.delete_first_token()
    return FillSlotsNode(nodelist)


@register.simple_tag
def slot(name, value):
    """`{% slot "comment-count" article.pk %}`: filled per request by the slot's filler."""
    return mark_safe(f"<!--slot:{name}:{int(value)}-->")


@register.simple_tag
def depends(*keys):
    """`{% depends article.cache_key %}`: what is being rendered shows what `keys` name."""
    invalidation.depend(*(key for key in keys if key))
    return ""
