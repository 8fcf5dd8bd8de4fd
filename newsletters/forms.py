from django import forms
from django.utils.translation import gettext_lazy as _


class NewsletterChoiceField(forms.MultipleChoiceField):
    """Checkboxes of the newsletters offered; values checked in Python against the few on
    offer, never as one query per value."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, newsletters, **kwargs):
        self.newsletters = {str(n.pk): n for n in newsletters}
        super().__init__(choices=[(str(n.pk), n.name) for n in newsletters], **kwargs)

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        unknown = set(value) - self.newsletters.keys()
        if unknown:
            raise forms.ValidationError(
                _("Choose among the newsletters offered."), code="invalid_choice"
            )

    def chosen(self, value):
        return [self.newsletters[v] for v in dict.fromkeys(value)]


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        error_messages={"required": _("Enter your e-mail address.")},
    )
    # Present in the full form (with checkboxes); the short form sends the address alone and
    # means the default newsletters.
    choose = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, newsletters, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = list(newsletters)
        self.fields["newsletters"] = NewsletterChoiceField(
            self.offered,
            label=_("Newsletters"),
            required=False,
            initial=[str(n.pk) for n in self.offered if n.default],
        )

    def clean(self):
        data = super().clean()
        field = self.fields["newsletters"]
        if data.get("choose"):
            chosen = field.chosen(data.get("newsletters") or [])
            if not chosen and "newsletters" not in self.errors:
                self.add_error("newsletters", _("Choose at least one newsletter."))
        else:
            chosen = [n for n in self.offered if n.default] or self.offered[:1]
        data["chosen"] = chosen
        return data


class PreferencesForm(forms.Form):
    def __init__(self, *args, newsletters, subscribed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"] = NewsletterChoiceField(
            list(newsletters),
            label=_("Newsletters you receive"),
            required=False,
            initial=[str(pk) for pk in subscribed],
        )

    def chosen(self):
        return self.fields["newsletters"].chosen(self.cleaned_data["newsletters"])
