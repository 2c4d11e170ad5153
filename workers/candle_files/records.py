"""A candle file's records as lists of texts, each with the number a person finds it by.

CSV (plain, gzipped, or the single CSV in a zip as data.binance.vision serves them): a record
is a line, numbered from 1 with the header. JSON (an exchange API's answer, saved): a record is
an entry of its candle list, numbered from 1; the answer's other fields are `meta`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SUFFIXES = (".csv", ".csv.gz", ".zip", ".json", ".json.gz")


class CandleFileError(ValueError):
    """A file (or an option) that cannot be imported; the message is one line naming it."""


@dataclass(frozen=True)
class Source:
    """A file, opened as records: `json` files say `entry` where CSV files say `line`."""

    path: Path
    json: bool
    meta: dict[str, Any] = field(default_factory=dict)  # a JSON answer's fields but its list

    @property
    def unit(self) -> str:
        return "entry" if self.json else "line"


def open_source(path: Path) -> Source:
    """`path` as a Source; raises CandleFileError when it is missing or of no known kind."""
    if not path.is_file():
        raise CandleFileError(f"{path}: no such file")
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        raise CandleFileError(f"{path}: expected a {', '.join(SUFFIXES)} file")
    if not name.endswith((".json", ".json.gz")):
        return Source(path, json=False)
    answer = _json(path)
    if isinstance(answer, dict) and str(answer.get("retCode", "0")) != "0":
        raise CandleFileError(
            f"{path}: the answer is an error (retCode {answer['retCode']}: "
            f"{answer.get('retMsg', '')})"
        )
    meta = answer.get("result", answer) if isinstance(answer, dict) else {}
    meta = {k: v for k, v in meta.items() if k != "list"} if isinstance(meta, dict) else {}
    return Source(path, json=True, meta=meta)


def records(source: Source) -> Iterator[tuple[int, list[str]]]:
    """(number, fields) of every record, blank lines left out; the first is the header when
    the file has one. Raises CandleFileError when the file cannot be read."""
    if source.json:
        yield from _json_records(source.path)
        return
    try:
        with _text(source.path) as handle:
            reader = csv.reader(handle)
            for row in reader:
                if len(row) > 1 or (row and row[0].strip()):  # not a blank line
                    yield reader.line_num, row
    except (OSError, UnicodeDecodeError, csv.Error, zipfile.BadZipFile) as exc:
        raise CandleFileError(f"{source.path}: cannot be read ({exc})") from None


def count_rows(path: Path) -> int | None:
    """Lines in a plain CSV (a progress bar's total; a header counts too), cheaply; None for
    packed and JSON files (and missing ones: checking says so)."""
    if not path.name.lower().endswith(".csv") or not path.is_file():
        return None
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _json_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    answer = _json(path)
    rows = answer
    if isinstance(rows, dict):
        rows = rows.get("result", rows)
    if isinstance(rows, dict):
        rows = rows.get("list")
    if not isinstance(rows, list):
        raise CandleFileError(f"{path}: no list of candles in it (expected a list, or a 'list')")
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            raise CandleFileError(f"{path}: entry {number} is not a list of values")
        yield number, [str(value) for value in row]


def _json(path: Path) -> Any:
    try:
        with _text(path) as handle:
            # Numbers as written: a price's digits must not pass through a float.
            return json.load(handle, parse_float=str, parse_int=str)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CandleFileError(f"{path}: not JSON ({exc})") from None


@contextmanager
def _text(path: Path) -> Iterator[IO[str]]:
    name = path.name.lower()
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
            yield handle
    elif name.endswith(".zip"):
        # data.binance.vision's kline files are zips of one CSV each
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise CandleFileError(f"{path}: expected one file in the zip, found {len(members)}")
            with archive.open(members[0]) as packed:
                yield io.TextIOWrapper(packed, encoding="utf-8-sig", newline="")
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield handle
