"""The newsroom's roles as groups, so nobody needs to be a superuser to work.

Each app names its roles (`articles/roles.py`, `comments/roles.py`, `notices/roles.py`); they
are created by data migrations, and again (idempotently) after every migrate or flush, so a
database that lost them, such as a test database between browser tests, gets them back.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models.signals import post_migrate


def ensure_roles(roles, apps=global_apps):
    """Create each group with at least its permissions (an administrator may add more);
    safe to run any number of times."""
    # Permissions are normally created after all migrations; create them now to assign them.
    # A migration's historical app configs carry no models module, so lend them one meanwhile.
    for app_config in apps.get_app_configs():
        historical = getattr(app_config, "models_module", None) is None
        if historical:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if historical:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codenames
            if not _later_model(apps, app_label, codename)
        ]
        group.permissions.add(*permissions)


def _later_model(apps, app_label, codename):
    """A role may name a model added by a later migration than the one that creates the role;
    in that migration's historical state the permission cannot exist yet. keep_roles grants it
    after the migrate that adds the model."""
    if apps is global_apps:
        return False
    model_name = codename.split("_", 1)[1]
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return True
    return False


def keep_roles(app_config, roles):
    """Give `roles` their permissions again after every migrate or flush of `app_config`."""

    def restore(sender, **kwargs):
        ensure_roles(roles)

    post_migrate.connect(
        restore, sender=app_config, weak=False, dispatch_uid=f"roles-{app_config.label}"
    )
