from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("webhooks")

    def ready(self):
        from newsroom.invalidation import announced

        from . import checks, events  # noqa: F401  (checks registers the deploy check)

        announced.connect(events.on_announced, dispatch_uid="webhooks-domain-events")
