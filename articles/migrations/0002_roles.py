"""The newsroom's roles as groups, so nobody needs to be a superuser to work."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REPORTER = [
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "view_section"),
    ("articles", "view_author"),
    ("articles", "view_correction"),
    ("taggit", "add_tag"),
    ("taggit", "view_tag"),
]

EDITOR = [
    (app, f"{action}_{model}")
    for app, model in [
        ("articles", "article"),
        ("articles", "section"),
        ("articles", "author"),
        ("articles", "correction"),
        ("taggit", "tag"),
        ("flatpages", "flatpage"),
    ]
    for action in ("add", "change", "delete", "view")
] + [("articles", "publish_article")]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to assign them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Reporter", REPORTER), ("Editor", EDITOR)]:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in codenames:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Reporter", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("flatpages", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
