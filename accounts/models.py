from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("reader profile")
        verbose_name_plural = _("reader profiles")

    def __str__(self):
        return self.display_name


def display_name(user):
    """The name shown for a user; a user without a profile (staff made in the admin) shows the
    username. Reading user.profile costs no query when it was select_related."""
    try:
        return user.profile.display_name
    except Profile.DoesNotExist:
        return user.get_username()
