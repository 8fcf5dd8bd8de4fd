"""A reader's subscriptions, for their "download my data" file (accounts.signals)."""

from .models import Subscriber


def export(user):
    subscribers = Subscriber.objects.of_user(user).prefetch_related("subscriptions__newsletter")
    return {
        "subscriptions": [
            {
                "email": subscriber.email,
                "confirmed_at": subscriber.confirmed_at.isoformat(),
                "confirmed_by": subscriber.confirmed_by,
                "newsletter": subscription.newsletter.name,
                "subscribed_at": subscription.created_at.isoformat(),
            }
            for subscriber in subscribers
            for subscription in subscriber.subscriptions.all()
        ]
    }
