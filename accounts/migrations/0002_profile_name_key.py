from django.db import migrations, models

from newsroom.text import fold


def fill_name_keys(apps, schema_editor):
    Profile = apps.get_model("accounts", "Profile")
    profiles = list(Profile.objects.only("pk", "display_name"))
    for profile in profiles:
        profile.name_key = fold(profile.display_name)[:255]
    Profile.objects.bulk_update(profiles, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="profile",
            name="name_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=255),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
    ]
