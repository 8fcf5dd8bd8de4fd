"""The stored full-text document of articles, and on PostgreSQL its GIN index and first fill.

SQLite (development, tests) keeps the column empty: its search matches words in the text.
"""

import django.contrib.postgres.search
from django.db import migrations

from articles.search import document


def index_and_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX article_search_idx ON articles_article USING gin (search_vector)"
    )
    Article = apps.get_model("articles", "Article")
    Article.objects.using(schema_editor.connection.alias).update(
        search_vector=document(apps.get_model("taggit", "TaggedItem"))
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_image_uploads"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_fill, drop_index),
    ]
