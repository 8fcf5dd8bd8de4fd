import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile

# Bidirectional controls (right-to-left override and friends) and invisible characters let a
# name pose as another ("Anna" shown for a name written backwards, or next to a moderator's).
_DECEPTIVE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00-\x1f\x7f]")


def clean_name(value):
    name = value.strip()
    if not name:
        raise forms.ValidationError(_("Please enter a display name."))
    if _DECEPTIVE.search(name):
        raise forms.ValidationError(
            _("A display name cannot contain invisible or text-direction characters.")
        )
    return name


class SignupForm(forms.Form):
    """allauth's sign-up form, plus the name shown on the reader's comments."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        help_text=_("Shown with your comments. Your e-mail address is never shown."),
        error_messages={"required": _("Please enter a display name.")},
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def clean_display_name(self):
        return clean_name(self.cleaned_data["display_name"])

    def signup(self, request, user):
        Profile.objects.update_or_create(
            user=user, defaults={"display_name": self.cleaned_data["display_name"]}
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name"]
        help_texts = {
            "display_name": _("Shown with your comments. Your e-mail address is never shown.")
        }

    def clean_display_name(self):
        return clean_name(self.cleaned_data["display_name"])
