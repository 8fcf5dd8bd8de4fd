from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.signals import personal_data
from newsroom import invalidation

from .models import NEWSLETTERS_KEY, Newsletter, Subscriber
from .personal_data import export


@receiver(personal_data)
def subscriptions_of(sender, user, **kwargs):
    return export(user)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def forget_a_deleted_readers_subscriptions(sender, instance, **kwargs):
    """A deleted account takes its subscriptions along: by account and by its addresses."""
    Subscriber.objects.of_user(instance).delete()


@receiver(post_save, sender=Newsletter)
@receiver(post_delete, sender=Newsletter)
def newsletters_changed(sender, **kwargs):
    """The sign-up page lists the newsletters offered: fresh on the next request."""
    invalidation.changed(NEWSLETTERS_KEY)
