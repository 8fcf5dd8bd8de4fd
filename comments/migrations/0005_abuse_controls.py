from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_comments_outlive_their_readers"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="moderationsettings",
            name="duplicate_minutes",
            field=models.PositiveIntegerField(
                default=60,
                help_text="A reader's comment is refused when the same reader posted the same text (whatever the letter case, spacing and punctuation) within this many minutes. 0 turns the check off.",
                verbose_name="minutes before the same text again",
            ),
        ),
        migrations.AddField(
            model_name="moderationsettings",
            name="max_links",
            field=models.PositiveSmallIntegerField(
                blank=True,
                default=3,
                help_text="A comment with more links than this is held for review. 0 holds every comment with a link; empty means no limit.",
                null=True,
                verbose_name="most links",
            ),
        ),
        migrations.AddField(
            model_name="moderationsettings",
            name="suspect_words",
            field=models.TextField(
                blank=True,
                help_text="One word or phrase per line, found the same way as banned words. A comment containing one is held for review instead of appearing.",
                verbose_name="suspect words",
            ),
        ),
        migrations.AlterField(
            model_name="moderationsettings",
            name="banned_words",
            field=models.TextField(
                blank=True,
                help_text="One word or phrase per line. A comment containing one is refused: the reader gets the text back, told which word is not allowed here. Words are found whatever the letter case and accents, through look-alike letters from other scripts, invisible characters, and dots, dashes or spaces between the letters, and in the plural: “scam” also finds “S.C.A.M”, “s c a m” and “scams”, but not “scampi”.",
                verbose_name="banned words",
            ),
        ),
    ]
