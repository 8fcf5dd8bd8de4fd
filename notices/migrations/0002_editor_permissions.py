"""Editors maintain notices and labels (and see their history)."""

from django.db import migrations

from newsroom.roles import ensure_roles
from notices.roles import ROLES


def grant(apps, schema_editor):
    ensure_roles(ROLES, apps)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Editor"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="notices"))


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
