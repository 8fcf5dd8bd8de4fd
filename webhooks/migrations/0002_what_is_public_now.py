"""What is public when webhooks are installed counts as announced: the first edit of an article
published long ago is `article.updated`, not `article.published`."""

from django.db import migrations
from django.utils import timezone


def record_what_is_public(apps, schema_editor):
    Appearance = apps.get_model("webhooks", "Appearance")
    Article = apps.get_model("articles", "Article")
    Comment = apps.get_model("comments", "Comment")
    public = Article.objects.filter(status="published", published_at__lte=timezone.now())
    for kind, ids in [
        ("article", public.values_list("pk", flat=True)),
        ("comment", Comment.objects.filter(status="visible").values_list("pk", flat=True)),
    ]:
        rows = (Appearance(kind=kind, object_id=pk, live=True) for pk in ids.iterator())
        Appearance.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("articles", "0017_article_views"),
        ("comments", "0007_reply_notifications"),
    ]

    operations = [migrations.RunPython(record_what_is_public, migrations.RunPython.noop)]
