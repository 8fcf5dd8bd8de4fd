import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from newsroom.text import fold, has_invisible, normalize

from .models import Profile

NAME_MAX_LENGTH = 60
# dir="auto": a right-to-left name is typed and shown in its own direction.
NAME_INPUT_ATTRS = {"autocomplete": "nickname", "dir": "auto"}

# Words that would make a reader look like the site itself or its staff, alone or in a name
# ("Admin", "Newsroom Moderator"), however they are spelt ("ΑDMIN" in Greek letters, "a d m i n").
RESERVED_NAMES = [
    "admin",
    "administrator",
    "editor",
    "editors",
    "moderator",
    "moderators",
    "reporter",
    "staff",
    "newsroom",
    "official",
    "root",
    "support",
    "system",
    "webmaster",
]


def _words(name):
    return re.findall(r"[^\W_]+", fold(name))


def is_reserved(name):
    reserved = {"".join(_words(word)) for word in [*RESERVED_NAMES, settings.SITE_NAME]}
    words = _words(name)
    return "".join(words) in reserved or any(word in reserved for word in words)


def clean_name(value, *, profile=None):
    """The display name as stored (NFKC, white space collapsed), or a form error: a name
    must be visible as written, not pose as the site or its staff, and not look like another
    reader's name."""
    if has_invisible(value):
        raise forms.ValidationError(
            _("A display name cannot contain invisible or text-direction characters.")
        )
    name = normalize(value)
    if not name:
        raise forms.ValidationError(_("Please enter a display name."))
    if len(name) > NAME_MAX_LENGTH:
        raise forms.ValidationError(
            _("A display name can be at most %(limit)d characters long."),
            params={"limit": NAME_MAX_LENGTH},
        )
    if is_reserved(name):
        raise forms.ValidationError(
            _("This name is kept for the site and its staff. Please choose another.")
        )
    others = Profile.objects.with_name_like(name)
    if profile is not None and profile.pk:
        others = others.exclude(pk=profile.pk)
    if others.exists():
        raise forms.ValidationError(
            _("Another reader already uses this name, or one that looks like it.")
        )
    return name


class SignupForm(forms.Form):
    """allauth's sign-up form, plus the name shown on the reader's comments."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Shown with your comments. Your e-mail address is never shown."),
        error_messages={"required": _("Please enter a display name.")},
        widget=forms.TextInput(attrs=NAME_INPUT_ATTRS),
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
        widgets = {"display_name": forms.TextInput(attrs=NAME_INPUT_ATTRS)}
        help_texts = {
            "display_name": _("Shown with your comments. Your e-mail address is never shown.")
        }

    def clean_display_name(self):
        return clean_name(self.cleaned_data["display_name"], profile=self.instance)


class DeleteAccountForm(forms.Form):
    """The reader confirms that the account is theirs to delete: with its password, or, for an
    account that has none it can use, by typing its e-mail address."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please enter your password.")},
    )
    email = forms.CharField(
        label=_("Your e-mail address"),
        help_text=_("Your account has no password: type its e-mail address to confirm."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Please type your account's e-mail address.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        del self.fields["email" if user.has_usable_password() else "password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password. Nothing was deleted."))
        return password

    def clean_email(self):
        from allauth.account.models import EmailAddress

        typed = self.cleaned_data["email"].strip().casefold()
        addresses = {
            self.user.email,
            *EmailAddress.objects.filter(user=self.user).values_list("email", flat=True),
        }
        if typed not in {address.casefold() for address in addresses if address}:
            raise forms.ValidationError(
                _("This is not your account's e-mail address. Nothing was deleted.")
            )
        return typed
