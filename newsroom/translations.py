"""Where the translation catalogues live, and compiling them without gettext's tools.

Each app keeps the strings of its Python code in its own `locale/` folder (so it carries its
translations with it); the project's `locale/` (LOCALE_PATHS) holds the strings of `templates/`.
Catalogues are kept as `.po` files in the repository and compiled to `.mo` at install
(`manage.py catalogues compile`, run by `make`), with Babel, so a fresh machine needs no gettext.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.apps import apps
from django.conf import settings

# Languages whose catalogues the repository keeps complete (tests/test_translations.py).
CATALOGUE_LANGUAGES = ("en", "ru")
DOMAINS = ("django", "djangojs")


def base_dir():
    return Path(settings.BASE_DIR).resolve()


def locale_dirs():
    """The project's own locale folders: LOCALE_PATHS and each project app's `locale/`."""
    base = base_dir()
    found = [Path(path).resolve() for path in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        installed = "site-packages" in path.parts or ".venv" in path.parts
        if path.is_relative_to(base) and not installed and (path / "locale").is_dir():
            found.append(path / "locale")
    return found


def catalogue_files():
    """Every `.po` file of the project: (language, path)."""
    for folder in locale_dirs():
        for language_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
            for domain in DOMAINS:
                po = language_dir / "LC_MESSAGES" / f"{domain}.po"
                if po.is_file():
                    yield language_dir.name, po


PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    # As Django's own Russian catalogue, so the two agree: 1, 2–4, 5–20 and fractions.
    "ru": (
        "nplurals=4; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<12 || n%100>14) ? 1 : n%10==0 || (n%10>=5 && n%10<=9) || "
        "(n%100>=11 && n%100<=14)? 2 : 3);"
    ),
}
HEADER = """# {language} strings of newsroom ({domain}). Collected by `manage.py catalogues update`.
msgid ""
msgstr ""
"Project-Id-Version: newsroom\\n"
"Language: {language}\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: {plural}\\n"
"""


def set_header(po, language):
    """One header for every catalogue: no fuzzy flag, the language and its plural rule."""
    text = po.read_text(encoding="utf-8")
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    header = HEADER.format(language=language, domain=po.stem, plural=PLURAL_FORMS[language])
    po.write_text(header + "\n" + body, encoding="utf-8")


def normalise(po, language):
    """Rewrites a catalogue in one format (so an update changes only what changed), with a
    slot for each plural form of the language. English strings are their own translation: the
    English catalogue is complete, and an editor can reword one in English without the code."""
    catalogue = read_catalogue(po, language)
    for message in catalogue:
        if not message.id:
            continue
        if language == "en":
            message.string = message.id
            message.flags.discard("fuzzy")
        elif message.pluralizable:
            strings = list(message.string) if isinstance(message.string, tuple) else []
            strings += [""] * (catalogue.num_plurals - len(strings))
            message.string = tuple(strings[: catalogue.num_plurals])
    with po.open("wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False)
    set_header(po, language)


def read_catalogue(po, language):
    with po.open("rb") as handle:
        return read_po(handle, locale=language, domain=po.stem)


def compile_catalogues(*, force=False):
    """Writes each `.mo` older than its `.po`; returns the paths written. Fuzzy entries are
    left out, as msgfmt does."""
    written = []
    for language, po in catalogue_files():
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalogue = read_catalogue(po, language)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalogue, use_fuzzy=False)
        tmp.replace(mo)
        written.append(mo)
    return written
