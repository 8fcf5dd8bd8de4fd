from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from newsroom.text import fold

# A name's folded form is longer than the name at worst a few times ("m" folds to "rn").
NAME_KEY_LENGTH = 255


def name_key(name):
    """What two display names are compared by: equal keys look the same to a reader."""
    return fold(name)[:NAME_KEY_LENGTH]


class ProfileQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        for profile in objs:
            profile.name_key = name_key(profile.display_name)
        return super().bulk_create(objs, *args, **kwargs)

    def with_name_like(self, name):
        """Profiles whose display name a reader could not tell from `name`."""
        return self.filter(name_key=name_key(name))


class Profile(models.Model):
    """What a reader shows of themselves: the name on their comments, never their e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    display_name = models.CharField(
        _("display name"), max_length=60, help_text=_("Shown with the reader's comments.")
    )
    name_key = models.CharField(max_length=NAME_KEY_LENGTH, db_index=True, editable=False)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("reader profile")
        verbose_name_plural = _("reader profiles")

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.name_key = name_key(self.display_name)
        if kwargs.get("update_fields") is not None and "display_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)


def display_name(user):
    """The name shown for a user wherever readers can see it. A user without a profile (staff
    made in the admin) shows a neutral word, never the username or any part of the e-mail
    address, which are sign-in secrets. Reading user.profile costs no query when it was
    select_related."""
    try:
        name = user.profile.display_name
    except Profile.DoesNotExist:
        name = ""
    return name or gettext("Reader")
