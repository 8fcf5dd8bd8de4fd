from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.forms import TagField
from taggit.models import Tag

from .search import MAX_QUERY_LENGTH

MAX_TAGS_PER_ARTICLE = 50


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "Searches are limited to %(limit_value)d characters; please shorten yours."
            )
        },
    )


class TagListField(TagField):
    """The comma-separated tags of an article, refused with a message (and the text kept in the
    form) when a tag is longer than a tag name can be or there are too many to show."""

    def clean(self, value):
        names = super().clean(value)
        limit = Tag._meta.get_field("name").max_length
        too_long = [name for name in names if len(name) > limit]
        if too_long:
            raise forms.ValidationError(
                _("A tag can be at most %(limit)d characters long; shorten “%(tag)s…”."),
                code="tag_too_long",
                params={"limit": limit, "tag": too_long[0][:40]},
            )
        if len(names) > MAX_TAGS_PER_ARTICLE:
            raise forms.ValidationError(
                ngettext(
                    "An article can have at most %(limit)d tag (this has %(count)d).",
                    "An article can have at most %(limit)d tags (this has %(count)d).",
                    MAX_TAGS_PER_ARTICLE,
                ),
                code="too_many_tags",
                params={"limit": MAX_TAGS_PER_ARTICLE, "count": len(names)},
            )
        return names
