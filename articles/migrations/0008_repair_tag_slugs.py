"""Tags saved before tag slugs were checked: a name that slugifies to nothing ("!!!", an emoji)
got the slug "" (or "_1", "_2"…), and every article carrying one failed to render."""

from django.db import migrations
from django.db.models import Q

from articles.models import addressable_tag_slug


def repair_tag_slugs(apps, schema_editor):
    Tag = apps.get_model("taggit", "Tag")
    broken = Tag.objects.using(schema_editor.connection.alias).filter(
        Q(slug="") | Q(slug__regex=r"^_[0-9]+$")
    )
    for tag in broken:
        tag.slug = addressable_tag_slug(tag.name, tag.slug)
        tag.save(update_fields=["slug"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_public_listing_indexes"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(repair_tag_slugs, migrations.RunPython.noop)]
