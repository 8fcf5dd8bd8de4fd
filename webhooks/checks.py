"""A deployment check: webhooks on private addresses are for tests and deliberate set-ups."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def webhooks_stay_outside(app_configs, **kwargs):
    if not settings.NEWSROOM_WEBHOOKS_ALLOW_PRIVATE:
        return []
    return [
        checks.Warning(
            "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE is on: whoever registers a webhook endpoint can "
            "make the site POST to the internal network (databases, metadata services).",
            hint="Leave it off in production unless a receiver inside the network is intended.",
            id="webhooks.W001",
        )
    ]
