import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from newsroom import translations

# Folders with no strings for people: virtual environment, tests, benchmarks, tooling.
IGNORED = [
    *[".venv", "tests", "bench", "security"],
    *["media", "staticfiles", "node_modules", "*/migrations"],
]


class Command(BaseCommand):
    help = (
        "Translation catalogues. 'compile' writes the .mo files with no gettext tools (run by "
        "make at install); 'update' collects new strings into every .po (needs gettext's "
        "xgettext, for developers) and keeps the English catalogue complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "update"])
        parser.add_argument("--force", action="store_true", help="compile even when up to date")

    def handle(self, action, force=False, **options):
        if action == "update":
            self.update()
            force = True
        written = translations.compile_catalogues(force=force)
        if options["verbosity"]:
            self.stdout.write(f"Compiled {len(written)} catalogue(s).")

    def update(self):
        if shutil.which("xgettext") is None:
            raise CommandError(
                "Collecting strings needs GNU gettext (Debian: apt install gettext). "
                "Compiling the catalogues does not."
            )
        base = Path(settings.BASE_DIR)
        languages = list(translations.CATALOGUE_LANGUAGES)
        options = {"locale": languages, "ignore_patterns": IGNORED, "no_obsolete": True}
        options["verbosity"] = 0
        call_command("makemessages", **options, domain="django")
        call_command("makemessages", **options, domain="djangojs")
        for language, po in translations.catalogue_files():
            translations.set_header(po, language)
            translations.normalise(po, language)
        self.stdout.write(f"Updated the catalogues under {base}.")
