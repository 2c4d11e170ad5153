"""Labelled text files as (texts, labels as written): CSV (any of , ; tab), JSON (a list of
objects, {"data": [...]}, or one object a line) and Financial PhraseBank's `sentence@label`
lines in latin-1. Anything that cannot be read so is a DataFileError saying what and where."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = ("csv", "json", "phrasebank")
TEXT_COLUMNS = ("text", "title", "headline", "sentence")
LABEL_COLUMNS = ("label", "sentiment", "class")


class DataFileError(Exception):
    """A labelled file cannot be read; the message says what was wrong."""


@dataclass(frozen=True, slots=True)
class Labelled:
    texts: list[str]
    labels: list[str]  # as the file writes them; core.sentiment.map_labels makes them ours


def guess_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "json"
    if suffix == ".txt":
        return "phrasebank"
    return "csv"


def read_labelled(
    path: Path, fmt: str | None = None, text: str | None = None, label: str | None = None
) -> Labelled:
    """The texts and labels of `path`; columns `text`/`label` or the usual names."""
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise DataFileError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataFileError(f"{path} is a directory, not a file") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if fmt == "phrasebank":
        got = _phrasebank(raw.decode("latin-1"), path)
    else:
        decoded = _decode(raw)
        rows = _json_rows(decoded, path) if fmt == "json" else _csv_rows(decoded, path)
        got = _columns(rows, path, text, label)
    if not got.texts:
        raise DataFileError(f"{path} has no labelled rows")
    return got


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # the other encoding labelled sets come in; never fails


def _phrasebank(content: str, path: Path) -> Labelled:
    texts, labels = [], []
    for number, line in enumerate(content.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        sentence, at, label = line.rpartition("@")
        if not at or not sentence.strip():
            raise DataFileError(f"{path} line {number}: expected sentence@label")
        texts.append(sentence.strip())
        labels.append(label.strip())
    return Labelled(texts, labels)


def _csv_rows(content: str, path: Path) -> list[dict[str, Any]]:
    if not content.strip():
        raise DataFileError(f"{path} is empty")
    try:  # only the delimiter is guessed: the sniffer's quoting guesses go wrong on tweets
        delimiter = csv.Sniffer().sniff(content[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        return list(csv.DictReader(io.StringIO(content), delimiter=delimiter))
    except csv.Error as exc:
        raise DataFileError(f"{path} is not readable as CSV ({exc})") from None


def _json_rows(content: str, path: Path) -> list[dict[str, Any]]:
    if not content.strip():
        raise DataFileError(f"{path} is empty")
    try:
        document: Any = json.loads(content)
    except json.JSONDecodeError:
        try:  # JSON Lines: one object a line
            document = [json.loads(line) for line in content.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        document = document["data"]
    if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
        raise DataFileError(f"{path}: expected a list of objects, each with a text and a label")
    return document


def _columns(
    rows: list[dict[str, Any]], path: Path, text: str | None, label: str | None
) -> Labelled:
    if not rows:
        raise DataFileError(f"{path} has no labelled rows")
    names = list(dict.fromkeys(name for row in rows for name in row if name is not None))
    text = _column(names, text, TEXT_COLUMNS, "--text", path)
    label = _column(names, label, LABEL_COLUMNS, "--label", path)
    texts = ["" if row.get(text) is None else str(row[text]) for row in rows]
    labels = ["" if row.get(label) is None else str(row[label]) for row in rows]
    return Labelled(texts, labels)


def _column(
    names: list[str], given: str | None, usual: tuple[str, ...], option: str, path: Path
) -> str:
    shown = ", ".join(names[:12]) or "none"
    if given is not None:
        if given not in names:
            raise DataFileError(f"{path} has no column {given!r} (its columns: {shown})")
        return given
    by_case = {name.casefold(): name for name in names}
    for name in usual:
        if name in by_case:
            return by_case[name]
    raise DataFileError(f"{path}: which column? name it with {option} (its columns: {shown})")
