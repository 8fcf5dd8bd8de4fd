from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from accounts.signals import personal_data

from .models import Subscriber
from .personal_data import export


@receiver(personal_data)
def subscriptions_of(sender, user, **kwargs):
    return export(user)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def forget_a_deleted_readers_subscriptions(sender, instance, **kwargs):
    """A deleted account takes its subscriptions along: by account and by its addresses."""
    Subscriber.objects.of_user(instance).delete()
