import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command
from django.utils.translation import gettext as _  # argparse takes no lazy string

from newsroom import translations

# Folders with no strings for people: virtual environment, tests, benchmarks, tooling.
# makemessages leaves MEDIA_ROOT and STATIC_ROOT out itself; a pattern "media" would also
# leave out templates/media/ (the image captions), as a pattern matches a folder at any depth.
IGNORED = [".venv", "tests", "bench", "security", "node_modules", "*/migrations"]


class Command(BaseCommand):
    # It runs before anything else (make), so the check that the catalogues are compiled
    # would only warn about what it is about to do.
    requires_system_checks = []
    help = _(
        "Translation catalogues. 'compile' writes the .mo files with no gettext tools (run by "
        "make at install); 'update' collects new strings into every .po (needs gettext's "
        "xgettext, for developers) and keeps the English catalogue complete."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["compile", "update"])
        parser.add_argument("--force", action="store_true", help=_("compile even when up to date"))

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
        # Templates of mails (.txt) and the feed page's stylesheet (.xsl) hold strings too.
        call_command(
            "makemessages", **options, domain="django", extensions=["html", "txt", "py", "xsl"]
        )
        call_command("makemessages", **options, domain="djangojs")
        for language, po in translations.catalogue_files():
            translations.set_header(po, language)
            translations.normalise(po, language)
        self.stdout.write(f"Updated the catalogues under {base}.")
