from django.conf import settings
from django.db import migrations, models

# taggit's table has an index on tag_id alone; the tag page and "related articles" read the
# articles of a tag (or of a few tags) from this one without visiting the table.
TAGGED_ITEM_INDEX = (
    "CREATE INDEX IF NOT EXISTS articles_taggeditem_tag_object_idx "
    "ON taggit_taggeditem (tag_id, content_type_id, object_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_history_image_uploads"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["section", "status", "-published_at"], name="article_section_public_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["-updated_at"], name="article_updated_idx"),
        ),
        migrations.RunSQL(
            TAGGED_ITEM_INDEX,
            "DROP INDEX IF EXISTS articles_taggeditem_tag_object_idx",
        ),
    ]
