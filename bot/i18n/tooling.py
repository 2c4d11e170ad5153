"""Keeping the catalogues in step with the code: extract every message the code marks
(`t._`, `t.ngettext`, `t.pgettext`, `N_`), write `bot/locale/pythia.pot`, merge it into each
language's `.po` (new messages arrive untranslated, gone ones are dropped), and compile the
`.mo` files. `make catalogues` runs `update`; `make` compiles; the tests check nothing is
missing or stale (`tests/unit/test_catalogues.py`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from bot.i18n.catalogues import (
    DOMAIN,
    LOCALE_DIR,
    TEMPLATE,
    compile_catalogue,
    po_path,
    read_catalogue,
)
from core.people import LANGUAGES

ROOT = LOCALE_DIR.parent.parent  # the repository
SOURCES = ("bot", "services")  # where words live; core and the workers say none
SKIPPED = ("bot/emulator", "bot/locale")  # the emulator speaks for Telegram, not for Pythia
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PROJECT = "Pythia"
HOLDER = "the Pythia authors"
# Spanish: gettext's usual two forms; CLDR's third ("many", for whole millions) reads the same.
PLURAL_FORMS = {"es": "nplurals=2; plural=(n != 1);"}


def _python_files(directory: str) -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / directory).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if not relative.startswith(SKIPPED):
            yield relative, str(path)


def extract() -> Catalog:
    """Every message the code marks, as a template catalogue (with where each is used)."""
    template = Catalog(project=PROJECT, domain=DOMAIN, copyright_holder=HOLDER, fuzzy=False)
    for directory in SOURCES:
        for _filename, lineno, message, comments, context in extract_from_dir(
            ROOT / directory,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        ):
            relative = (Path(directory) / _filename).as_posix()
            if relative.startswith(SKIPPED):
                continue
            template.add(
                message, None, [(relative, lineno)], auto_comments=comments, context=context
            )
    return template


def write_template(template: Catalog) -> None:
    with TEMPLATE.open("wb") as out:
        write_po(out, template, width=100, sort_output=True, include_lineno=False)


def update() -> dict[str, int]:
    """Write the template and merge it into every language; untranslated messages per language."""
    write_template(extract())
    missing = {}
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            catalog = read_catalogue(language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(
                locale=language, project=PROJECT, domain=DOMAIN, copyright_holder=HOLDER,
                fuzzy=False,
            )  # fmt: skip
        if language in PLURAL_FORMS:
            catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[language])]
        # its own copy of every message; a changed message is new, not a fuzzy guess at the old
        catalog.update(extract(), no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()  # a message the code no longer says goes
        if language == "en":  # the source language says every message as written
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        with path.open("wb") as out:
            write_po(out, catalog, width=100, sort_output=True, include_lineno=False)
        missing[language] = sum(1 for m in catalog if m.id and not _translated(m.string))
    return missing


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(bool(s) for s in string)
    return bool(string)


def fill(path: Path) -> dict[str, int]:
    """Put the translations in a JSON file into the catalogues: an object whose keys are
    messages as the code says them (a plural: its singular; with a context: `context\x04message`)
    and whose values map each language to its text (a plural: a list, one per form). Messages
    the code does not say are reported and left out; returns how many were filled per language."""
    wanted = json.loads(path.read_text(encoding="utf-8"))
    filled = {}
    for language in LANGUAGES:
        if language == "en":
            continue
        catalog, count = read_catalogue(language), 0
        for key, by_language in wanted.items():
            context, _, message_id = key.rpartition("\x04")
            message = catalog.get(message_id, context=context or None)
            text = by_language.get(language)
            if message is None:
                print(f"{language}: not in the catalogue (run update first?): {key[:60]!r}")
                continue
            if text is None:
                continue
            message.string = tuple(text) if isinstance(text, list) else text
            message.flags.discard("fuzzy")
            count += 1
        with po_path(language).open("wb") as out:
            write_po(out, catalog, width=100, sort_output=True, include_lineno=False)
        filled[language] = count
    return filled


def compile_all() -> list[Path]:
    return [compile_catalogue(language) for language in LANGUAGES if po_path(language).exists()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Extract, merge and compile Pythia's catalogues.")
    parser.add_argument("action", choices=("update", "compile", "fill"))
    parser.add_argument("files", nargs="*", type=Path, help="fill: JSON files of translations")
    args = parser.parse_args(argv)
    if args.action == "fill":
        update()
        for path in args.files:
            for language, count in fill(path).items():
                print(f"{path.name}: {count} messages filled in {language}")
    if args.action in ("update", "fill"):
        for language, count in update().items():
            print(f"{language}: {count} messages untranslated")
    for path in compile_all():
        print(f"compiled {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
