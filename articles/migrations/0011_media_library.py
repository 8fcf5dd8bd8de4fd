"""Article images become media-library records.

Every article image (with its description, caption and credit) becomes one library image,
keeping its file where it is; earlier versions in the history point to the same record. The
renditions of the library (cropped around the focal point) are made afterwards by
`manage.py generateimages` (imagekit), or when an image is next saved."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import newsroom.richtext


def images_to_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    Image = apps.get_model("media", "Image")
    by_file = {}
    for article in Article.objects.exclude(image="").order_by("pk").iterator():
        image = by_file.get(article.image.name)
        if image is None:
            image = Image.objects.create(
                file=article.image.name,
                title=article.title[:200],
                width=article.image_width,
                height=article.image_height,
                alt_text=article.image_alt,
                caption=article.image_caption,
                credit=article.image_credit,
                credit_url=article.image_credit_url,
                uploaded_by_id=article.created_by_id,
                uploaded_at=article.created_at,
            )
            by_file[article.image.name] = image
        Article.objects.filter(pk=article.pk).update(library_image=image)
    for name, image in by_file.items():
        HistoricalArticle.objects.filter(image=name).update(library_image=image)


def library_to_images(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(library_image=None).select_related("library_image"):
        image = article.library_image
        Article.objects.filter(pk=article.pk).update(
            image=image.file.name,
            image_width=image.width,
            image_height=image.height,
            image_alt=image.alt_text,
            image_caption=image.caption,
            image_credit=image.credit,
            image_credit_url=image.credit_url,
        )


IMAGE_HELP = (
    "Shown under the lead and on the article's cards, cropped around its focal point. "
    "Choose one from the media library, or upload a new one with “+”."
)
BODY_HELP = (
    "The article text. Pasted formatting is cleaned when you save. To show an image from the "
    "library, use the image button, then “Browse…”; images placed one right after another are "
    "shown together as a gallery."
)
OLD_COLUMNS = [
    "image",
    "image_alt",
    "image_caption",
    "image_credit",
    "image_credit_url",
    "image_width",
    "image_height",
]


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_tombstone"),
        ("media", "0001_image_library"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="library_image",
            field=models.ForeignKey(
                blank=True,
                help_text=IMAGE_HELP,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lead_articles",
                to="media.image",
                verbose_name="image",
            ),
        ),
        migrations.AddField(
            model_name="historicalarticle",
            name="library_image",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=IMAGE_HELP,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="media.image",
                verbose_name="image",
            ),
        ),
        migrations.RunPython(images_to_library, library_to_images),
        *(migrations.RemoveField(model_name="article", name=name) for name in OLD_COLUMNS),
        *(
            migrations.RemoveField(model_name="historicalarticle", name=name)
            for name in OLD_COLUMNS
        ),
        migrations.RenameField(model_name="article", old_name="library_image", new_name="image"),
        migrations.RenameField(
            model_name="historicalarticle", old_name="library_image", new_name="image"
        ),
        migrations.CreateModel(
            name="BodyImage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
                (
                    "image",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="media.image",
                    ),
                ),
            ],
            options={
                "verbose_name": "image in the text",
                "verbose_name_plural": "images in the text",
                "constraints": [
                    models.UniqueConstraint(fields=("article", "image"), name="body_image_once")
                ],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="body_images",
            field=models.ManyToManyField(
                blank=True,
                editable=False,
                related_name="body_articles",
                through="articles.BodyImage",
                to="media.image",
                verbose_name="images in the text",
            ),
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name="body",
                field=models.TextField(
                    help_text=BODY_HELP,
                    validators=[newsroom.richtext.validate_html_limits],
                    verbose_name="body",
                ),
            )
            for model in ("article", "historicalarticle")
        ),
    ]
