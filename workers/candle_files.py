"""Candle CSV exports into the database: Binance dumps and yfinance (Yahoo) downloads.

The layout comes from the header, the market from the file name:
`BTCUSDT_1h.csv` is binance BTC/USDT 1h, `BTC-USD.csv` is yahoo BTC/USD 1d. Files stream in
batches, so a file of any size takes little memory. Every time in these files is a candle's
open time in UTC.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from tqdm import tqdm

from core.currencies import TICKER_QUOTES
from core.dates import parse_iso
from core.market import TIMEFRAMES, Candle
from core.refusal import BadArgument
from services.deps import Deps
from services.ingest import import_candles

BATCH_ROWS = 10_000
VOLUME_QUANTUM = Decimal("1E-8")  # base-asset volumes to 8 places, as Binance gives them

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WIDE = Context(prec=60)  # room for any volume / price before quantising
_BINANCE_NAME = re.compile(r"^(?P<symbol>[A-Za-z0-9]+)_(?P<timeframe>[0-9]+[A-Za-z])$")
_YAHOO_NAME = re.compile(r"^(?P<asset>[A-Za-z0-9]+)-(?P<quote>[A-Za-z]{3,5})$")


class CandleFileError(ValueError):
    """A file that cannot be imported; the message is one line naming the file (and line)."""


@dataclass(frozen=True)
class Layout:
    """The columns of one export format, in file order."""

    name: str
    header: tuple[str, ...]
    quote_volume: bool = False  # volume is in the quote currency, not the base asset
    ticker_column: bool = False  # a last column repeating the symbol, e.g. BTCUSDT


LAYOUTS = (
    Layout("binance", ("timestamp", "open", "high", "low", "close", "volume")),
    Layout(
        "binance-ticker",
        ("date", "open", "high", "low", "close", "volume", "ticker"),
        ticker_column=True,
    ),
    Layout(
        "yfinance",
        ("date", "open", "high", "low", "close", "volume", "dividends", "stock splits"),
        quote_volume=True,
    ),
)


@dataclass(frozen=True)
class CandleFile:
    """A candle file, recognised: what it holds and how to read it."""

    path: Path
    layout: Layout
    exchange: str
    asset: str
    quote: str
    timeframe: str

    @property
    def market(self) -> str:
        return f"{self.asset}/{self.quote}"


def describe(path: Path | str) -> CandleFile:
    """Recognise `path` from its name and header; raises CandleFileError if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise CandleFileError(f"{path}: no such file")
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        raise CandleFileError(f"{path}: expected a .csv (or .csv.gz) file")
    stem = path.name[: -len(".csv.gz") if path.name.lower().endswith(".gz") else -len(".csv")]
    exchange, asset, quote, timeframe = _market_from_name(path, stem)
    try:
        with _open(path) as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CandleFileError(f"{path}: cannot be read ({exc})") from None
    columns = tuple(column.strip().lower() for column in header)
    for layout in LAYOUTS:
        if columns == layout.header:
            return CandleFile(path, layout, exchange, asset, quote, timeframe)
    expected = " or ".join(",".join(layout.header) for layout in LAYOUTS)
    raise CandleFileError(f"{path}:1: unknown header {','.join(header)!r}; expected {expected}")


def read_batches(file: CandleFile, batch_rows: int = BATCH_ROWS) -> Iterator[list[Candle]]:
    """The file's candles, in batches of up to `batch_rows`; raises CandleFileError naming the
    line of the first row that is not a valid candle."""
    step = TIMEFRAMES[file.timeframe]
    symbol = file.asset + file.quote
    width = len(file.layout.header)
    batch: list[Candle] = []
    with _open(file.path) as handle:
        reader = csv.reader(handle)
        next(reader, None)
        try:
            for row in reader:
                if not row:
                    continue  # a blank line, typically the last
                if len(row) != width:
                    raise ValueError(f"{len(row)} fields, expected {width}")
                if file.layout.ticker_column and row[-1] != symbol:
                    raise ValueError(f"ticker {row[-1]!r} does not match the file name ({symbol})")
                batch.append(_candle(row, step, file.layout.quote_volume))
                if len(batch) >= batch_rows:
                    yield batch
                    batch = []
        except (ValueError, ArithmeticError, csv.Error) as exc:
            raise CandleFileError(f"{file.path}:{reader.line_num}: {_reason(exc)}") from None
    if batch:
        yield batch


def count_rows(path: Path) -> int | None:
    """Data rows in a plain CSV (lines after the header), for a progress bar; cheap."""
    if path.name.lower().endswith(".gz"):
        return None
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines + (last != b"\n") - 1, 0)


@dataclass(frozen=True)
class FileImport:
    """What importing one file did."""

    file: CandleFile
    market_id: int
    read: int
    written: int


@dataclass
class ImportSummary:
    """What importing some files did, file by file."""

    files: list[FileImport] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def written(self) -> int:
        return sum(f.written for f in self.files)


async def import_files(
    deps: Deps, paths: Sequence[Path | str], progress: bool = True, batch_rows: int = BATCH_ROWS
) -> ImportSummary:
    """Import candle files; each is all or nothing (one transaction), and every file is
    recognised before anything is written. Re-importing a file writes 0 rows."""
    files = [describe(path) for path in paths]
    summary = ImportSummary()
    for file in files:
        bar = tqdm(
            total=count_rows(file.path),
            desc=file.path.name,
            unit=" rows",
            unit_scale=True,
            disable=not progress,
        )
        with bar:
            done = await import_candles(
                deps,
                file.exchange,
                file.market,
                file.asset,
                file.quote,
                file.timeframe,
                _counted(read_batches(file, batch_rows), bar),
            )
        summary.files.append(FileImport(file, done.market_id, done.read, done.written))
    return summary


def _counted(batches: Iterator[list[Candle]], bar: tqdm) -> Iterator[list[Candle]]:
    for batch in batches:
        yield batch
        bar.update(len(batch))


# --- parsing -------------------------------------------------------------------------------


def _market_from_name(path: Path, stem: str) -> tuple[str, str, str, str]:
    """(exchange, asset, quote, timeframe) from a file name."""
    if found := _BINANCE_NAME.match(stem):
        symbol, timeframe = found["symbol"].upper(), found["timeframe"]
        if timeframe not in TIMEFRAMES:  # case matters: 1M would be a month
            raise CandleFileError(
                f"{path}: timeframe {timeframe!r} in the name is not one of {', '.join(TIMEFRAMES)}"
            )
        quote = next((q for q in TICKER_QUOTES if symbol.endswith(q) and symbol != q), None)
        if quote is None:
            raise CandleFileError(
                f"{path}: cannot tell the quote currency of {symbol}; "
                f"expected it to end with one of {', '.join(TICKER_QUOTES)}"
            )
        return "binance", symbol.removesuffix(quote), quote, timeframe
    if found := _YAHOO_NAME.match(stem):  # yfinance downloads daily candles by default
        return "yahoo", found["asset"].upper(), found["quote"].upper(), "1d"
    raise CandleFileError(
        f"{path}: cannot tell the market from the name; "
        "expected SYMBOL_TIMEFRAME.csv (BTCUSDT_1h.csv) or ASSET-QUOTE.csv (BTC-USD.csv)"
    )


def _candle(row: list[str], step: timedelta, quote_volume: bool) -> Candle:
    ts = _open_time(row[0])
    if (ts - _EPOCH) % step:
        raise ValueError(f"time {row[0]} is not the start of a {_name_of(step)} candle")
    open_, high, low, close, volume = (_number(text) for text in row[1:6])
    if quote_volume:
        # yfinance gives volume in the quote currency (USD): in base-asset units it is
        # volume / close, to 8 places like Binance's, so every source's volume means the same.
        if not close:
            raise ValueError("close is 0, so the USD volume cannot be turned into units")
        volume = _WIDE.divide(volume, close).quantize(VOLUME_QUANTUM, ROUND_HALF_EVEN, _WIDE)
    if not low <= min(open_, close) <= max(open_, close) <= high:
        raise ValueError(f"prices out of order: open {open_} high {high} low {low} close {close}")
    return Candle(ts, open_, high, low, close, volume)


def _open_time(text: str) -> datetime:
    try:
        return parse_iso(text, naive=UTC)
    except BadArgument:
        raise ValueError(f"time {text!r} is not YYYY-MM-DD[ HH:MM:SS[+00:00]]") from None


def _number(text: str) -> Decimal:
    """The exact decimal written in the file (a float's digits are kept as written)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{text!r} is not a price or volume")
    return value


def _name_of(step: timedelta) -> str:
    return next(name for name, length in TIMEFRAMES.items() if length == step)


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ValueError) else f"{type(exc).__name__}: {exc}"


def _open(path: Path) -> IO[str]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")
