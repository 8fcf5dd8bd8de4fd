"""The Moderator group, and the one row of moderation settings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR = [
    ("comments", "view_comment"),
    ("comments", "change_comment"),
    ("comments", "view_report"),
    ("comments", "change_report"),
    ("comments", "view_commentban"),
    ("comments", "add_commentban"),
    ("comments", "change_commentban"),
    ("comments", "delete_commentban"),
    ("comments", "view_moderationsettings"),
    ("comments", "change_moderationsettings"),
    ("articles", "view_article"),
]


def create_moderators(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Moderator")
    for app_label, codename in MODERATOR:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    apps.get_model("comments", "ModerationSettings").objects.get_or_create(pk=1)


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderator").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
