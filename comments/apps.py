from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("Comments and moderation")

    def ready(self):
        from newsroom.roles import keep_roles
        from newsroom.templatetags.parts import register_slot

        from . import signals  # noqa: F401
        from .roles import ROLES
        from .templatetags.comments import card_comment_counts

        keep_roles(self, ROLES)
        # The count on the lists' cards (templates/includes/article_card.html).
        register_slot("comment-count", card_comment_counts)
