from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import audit
from audit.models import AuditEntry
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


def personal_data_of(user, request=None):
    """Everything the site holds of a reader, as the JSON of "download my data": the account
    here, and each app's sections gathered through `accounts.signals.personal_data` (comments,
    reports, subscriptions...). `request` makes the apps' links absolute."""
    from allauth.account.models import EmailAddress

    from .signals import personal_data

    profile = Profile.objects.filter(user=user).first()
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    data = {
        "account": {
            "display_name": profile.display_name if profile else "",
            "email_addresses": [
                {"email": address.email, "primary": address.primary, "verified": address.verified}
                for address in addresses
            ],
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
    }
    for _receiver, sections in personal_data.send(sender=type(user), user=user, request=request):
        data.update(sections or {})
    data["exported_at"] = timezone.now().isoformat()
    return data


# Who the audit log says deleted an account: its reader, named by no personal detail.
ACCOUNT_HOLDER = "the reader (own account)"


@transaction.atomic
def delete_account(user):
    """A reader deletes their account: the account, its profile and e-mail addresses go, and
    each app takes its own rows along in its `pre_delete` receiver for the user model (comments
    leave placeholders that keep other readers' replies). The audit log keeps that it happened,
    not who it was: no name, e-mail or username, only the account's number. The sign-in
    records kept by django-axes name the account's username and addresses: they go too."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    audit.record(
        AuditEntry.Action.DELETE,
        user,
        by=ACCOUNT_HOLDER,
        target_repr=f"reader account #{user.pk}",
    )
    username = user.get_username()
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=username).delete()
    user.delete()
