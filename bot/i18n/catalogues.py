"""The gettext catalogues: `bot/locale/<language>/LC_MESSAGES/pythia.po`, compiled to `.mo`.

`make` compiles them (`pythia.mo` beside each `.po`, see `pythia catalogues`). A catalogue whose
`.mo` is missing or older than its `.po` is compiled in memory instead, so a fresh checkout
still speaks every language.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "pythia"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def read_catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def compile_catalogue(language: str) -> Path:
    """Write `pythia.mo` from `pythia.po` for `language`; returns the `.mo` path."""
    target = mo_path(language)
    with target.open("wb") as out:
        write_mo(out, read_catalogue(language), use_fuzzy=False)
    return target


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language`; every message as written when it has none."""
    po, mo = po_path(language), mo_path(language)
    if not po.exists():
        return NullTranslations()
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as compiled:
            return Translations(fp=compiled, domain=DOMAIN)
    log.info("catalogue %s is not compiled (make compiles it); compiling it in memory", language)
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(language), use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)
