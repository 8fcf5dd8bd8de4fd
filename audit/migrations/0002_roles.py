"""Editors and moderators may read the audit log."""

from django.db import migrations

from audit.roles import ROLES
from newsroom.roles import ensure_roles


def give_view_permission(apps, schema_editor):
    ensure_roles(ROLES, apps)


def take_view_permission(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="audit", codename="view_auditentry"
    )
    for group in Group.objects.filter(name__in=list(ROLES)):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("articles", "0002_roles"),
        ("comments", "0002_moderator_group"),
    ]

    operations = [migrations.RunPython(give_view_permission, take_view_permission)]
