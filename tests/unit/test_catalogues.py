"""Every word a person reads comes from the catalogues, and every catalogue says every word.

- The template (`bot/locale/pythia.pot`) holds exactly what the code marks: run
  `make catalogues` after changing a message.
- English, Spanish and Russian translate every message (each plural form), keep its
  placeholders and its HTML tags, and compile.
- No user-facing text bypasses the catalogues: string literals in the bot's code that read as
  words must be marked (`t._`, `t.ngettext`, `t.pgettext`, `N_`), be a docstring, a log or
  exception message, or be listed in ALLOWED with the reason.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.i18n import texts_for
from bot.i18n.catalogues import TEMPLATE, read_catalogue
from bot.i18n.tooling import ROOT, extract
from core.people import LANGUAGES

PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TAG = re.compile(r"</?([a-z]+)(?:\s[^>]*)?>")


def _ids(catalog) -> set[tuple[object, object]]:
    return {(m.id, m.context) for m in catalog if m.id}


def test_the_template_holds_exactly_what_the_code_marks() -> None:
    from babel.messages.pofile import read_po

    with TEMPLATE.open("rb") as source:
        stored = read_po(source)
    assert _ids(stored) == _ids(extract()), "run `make catalogues` to update bot/locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders_and_tags(language: str) -> None:
    template = _ids(extract())
    catalog = read_catalogue(language)
    assert _ids(catalog) == template, f"run `make catalogues`; then translate {language}"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if "fuzzy" in message.flags or not all(strings):
            problems.append(f"untranslated: {ids[0][:60]!r}")
            continue
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        tags = Counter(TAG.findall(ids[0]))
        for string in strings:
            if not set(PLACEHOLDER.findall(string)) <= wanted:
                problems.append(f"placeholders differ: {ids[0][:60]!r} → {string[:60]!r}")
            if Counter(TAG.findall(string)) != tags:
                problems.append(f"HTML tags differ: {ids[0][:60]!r} → {string[:60]!r}")
        if len(ids) == 1 and set(PLACEHOLDER.findall(strings[0])) != wanted:
            problems.append(f"placeholders differ: {ids[0][:60]!r} → {strings[0][:60]!r}")
    assert not problems, "\n".join(problems)


def test_each_language_speaks_its_own_words() -> None:
    english = texts_for("en")._("Send /help to see everything I can do.")
    assert english == "Send /help to see everything I can do."
    assert texts_for("es")._("Send /help to see everything I can do.") != english
    russian = texts_for("ru")._("Send /help to see everything I can do.")
    assert re.search("[а-яА-Я]", russian)


def test_russian_has_three_plural_forms_and_spanish_two() -> None:
    assert read_catalogue("ru").num_plurals == 3
    assert read_catalogue("es").num_plurals == 2


# ---- nothing bypasses the catalogues -----------------------------------------------------------

SCANNED = ("bot", "core", "services")  # core and the services return codes, never words
NOT_SCANNED = (
    "bot/emulator/",  # speaks for Telegram, not for Pythia
    "bot/i18n/",
    "bot/chat.py",  # the sandbox's terminal, for whoever runs it
    "bot/sandbox.py",
    "core/settings.py",  # start-up errors, for whoever deploys Pythia
    "core/assets.py",  # coins' own names (Bitcoin, Shiba Inu): proper names, said as they are
    "core/exchanges.py",  # exchanges' own names (Binance, OKX): proper names, as they are
    "core/predict/features.py",  # features described for developers; bot/views/drivers.py says them
    "core/news/feeds.py",  # publishers' own names (Bitcoin Magazine, The Block)
    "core/news/tagging.py",  # words looked for in headlines ("bitcoin cash"), never said
    "services/metrics.py",  # metric help texts, for operators reading Prometheus, not people
)
MARKERS = {"_", "N_", "ngettext", "pgettext"}
QUIET_CALLS = {  # their strings are for logs and developers, never for people
    "debug", "info", "warning", "error", "exception", "critical",
    "ValueError", "RuntimeError", "TypeError", "KeyError", "AssertionError", "NotImplementedError",
    # bot/request.py's own errors: what went wrong on the wire, for the sender's log
    "UnreadableAnswer", "ConnectTimedOut", "ReadTimedOut",
    "LookupError", "BundleError",  # a model registry's row or file that is not what it should be
}  # fmt: skip
# Literals that read as words but are not said to people, each with why.
ALLOWED = {
    "not modified",  # Telegram's error text, matched to ignore a repeated edit
    "HTML",  # parse mode
    "upper left",  # matplotlib's name for where a legend goes
    "offset points",  # matplotlib's name for a coordinate system
    "a side call",  # names a call nobody could name in a log line (bot/side_calls.py)
    "message thread not found",  # Telegram's error text for a deleted forum topic
}
SENTENCE = re.compile(r"[A-Za-zА-Яа-яЁё]{2,}\s+[A-Za-zА-Яа-яЁё]{2,}|[А-Яа-яЁё]{3,}")
LABEL = re.compile(r"\b[A-Z][a-z]{2,}\b")  # "⏸ Pause", "Refresh": a button's one word


def _reads_as_words(text: str, labels: bool) -> bool:
    """Two words, or Cyrillic; in the bot also one capitalised word (a button's label)."""
    text = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>|\{[^{}]*\}|/\w+|https?://\S+", " ", text)
    if text.strip() in ALLOWED:
        return False
    return bool(SENTENCE.search(text) or (labels and LABEL.search(text)))


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def unmarked_words(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    labels = path.relative_to(ROOT).parts[0] == "bot"
    exempt: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            exempt.add(id(body[0].value))  # docstrings (and bare expressions)
        if isinstance(node, ast.Call) and _call_name(node) in MARKERS | QUIET_CALLS:
            for arg in node.args:
                for inner in ast.walk(arg):
                    exempt.add(id(inner))
        if isinstance(node, ast.Assert):
            for inner in ast.walk(node):
                exempt.add(id(inner))
    found = []
    for node in ast.walk(tree):
        if id(node) in exempt:
            continue
        text = _literal(node)
        if text is not None and _reads_as_words(text, labels):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:70]!r}")
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    exempt.add(id(inner))
    return found


def _scanned_files() -> list[Path]:
    files = []
    for directory in SCANNED:
        for path in sorted((ROOT / directory).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(NOT_SCANNED):
                files.append(path)
    return files


def test_no_user_facing_words_bypass_the_catalogues() -> None:
    found = [line for path in _scanned_files() for line in unmarked_words(path)]
    assert not found, "mark these for translation (or explain them in ALLOWED):\n" + "\n".join(
        found
    )


def test_the_scan_finds_an_unmarked_sentence(tmp_path: Path) -> None:
    sample = ROOT / "bot" / "__scan_sample__.py"
    sample.write_text(
        'def view(t):\n    """A docstring is fine."""\n'
        '    ok = t._("Hello there, {name}!", name="x")\n'
        '    return f"Your {ok} is private"\n'
    )
    try:
        assert [line.split(": ", 1)[1] for line in unmarked_words(sample)] == [
            "'Your {} is private'"
        ]
    finally:
        sample.unlink()
