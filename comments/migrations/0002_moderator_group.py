"""The Moderator group, and the one row of moderation settings."""

from django.db import migrations

from comments.roles import ROLES
from newsroom.roles import ensure_roles


def create_moderators(apps, schema_editor):
    ensure_roles(ROLES, apps)
    apps.get_model("comments", "ModerationSettings").objects.get_or_create(pk=1)


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
