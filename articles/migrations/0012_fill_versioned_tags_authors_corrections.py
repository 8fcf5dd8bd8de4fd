"""Versions saved before tags and authors were versioned: each is filled with the article's
tags and authors of today, the best there is (what they were then was not kept). Corrections
written before they had history get one version, dated when the correction was written, so
that "the page as it was" shows them from then on."""

from django.db import migrations


def fill_versions(apps, schema_editor):
    db = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    Correction = apps.get_model("articles", "Correction")
    HistoricalCorrection = apps.get_model("articles", "HistoricalCorrection")
    ContentType = apps.get_model("contenttypes", "ContentType")
    TaggedItem = apps.get_model("taggit", "TaggedItem")

    article_type = ContentType.objects.using(db).filter(app_label="articles", model="article")
    tags = {}
    for object_id, name in (
        TaggedItem.objects.using(db)
        .filter(content_type__in=article_type)
        .values_list("object_id", "tag__name")
    ):
        tags.setdefault(object_id, []).append(name)
    for article in Article.objects.using(db).prefetch_related("authors").iterator(chunk_size=500):
        authors = sorted(article.authors.all(), key=lambda author: (author.name, author.pk))
        HistoricalArticle.objects.using(db).filter(id=article.pk).update(
            version_tags=sorted(tags.get(article.pk, [])),
            version_authors=[{"id": a.pk, "name": a.name, "slug": a.slug} for a in authors],
        )

    versioned = set(HistoricalCorrection.objects.using(db).values_list("id", flat=True))
    HistoricalCorrection.objects.using(db).bulk_create(
        [
            HistoricalCorrection(
                id=correction.pk,
                article_id=correction.article_id,
                kind=correction.kind,
                created_at=correction.created_at,
                text=correction.text,
                history_date=correction.created_at,
                history_type="+",
                history_change_reason="Recorded when corrections got a history",
            )
            for correction in Correction.objects.using(db).iterator(chunk_size=500)
            if correction.pk not in versioned
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_versioned_tags_authors_corrections"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(fill_versions, migrations.RunPython.noop)]
