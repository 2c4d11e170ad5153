"""A candle file read through once before anything is written: its layout, its market, its
timeframe, and every record a candle of that one series. What is wrong is said in one line
naming the file and the record."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain, pairwise
from pathlib import Path

from core.candle_import import SpacingProblem, micros, read_pair, timeframe_named, timeframe_of
from core.market import TIMEFRAMES, Candle
from services.candle_imports import Series
from workers.candle_files.layouts import BINANCE_KLINES, Layout, recognise
from workers.candle_files.options import ImportOptions, series_of
from workers.candle_files.records import CandleFileError, Source, open_source, records
from workers.candle_files.rows import RowReader

PROGRESS_EVERY = 10_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CandleFile:
    """A file checked whole: what it holds and how to read it again."""

    source: Source
    layout: Layout
    header: bool
    series: Series
    reader: RowReader
    candles: int  # distinct candles (a row repeated identically counts once)
    first: datetime
    last: datetime
    repeated: frozenset[datetime]  # times written more than once, each time alike

    @property
    def path(self) -> Path:
        return self.source.path


def check(
    path: Path | str, options: ImportOptions, progress: Callable[[int], object] | None = None
) -> CandleFile:
    """Read `path` through; raises CandleFileError with one line on the first thing that makes
    it no series of candles of one market. `progress` is told how many more records were read
    every PROGRESS_EVERY of them."""
    source = open_source(Path(path))
    rows = records(source)
    first = next(rows, None)
    if first is None:
        raise CandleFileError(f"{source.path}: empty; no candles in it")
    recognised = recognise(source, first[1])
    layout = recognised.layout
    data = rows if recognised.header else chain([first], rows)
    head = next(data, None)
    if head is None:
        raise CandleFileError(f"{source.path}: a header and no candles")
    said, said_kind = recognised.pair, recognised.pair is not None
    ticker = head[1][-1].strip() if layout.ticker else None
    if ticker is not None and (said := read_pair(ticker)) is None:
        raise CandleFileError(f"{_at(source, head[0])}: ticker {ticker!r} names no pair")
    exchange, pair = series_of(str(source.path), layout, said, said_kind, options)
    if pair.inverse and layout is BINANCE_KLINES:
        raise CandleFileError(
            f"{source.path}: Binance's klines of an inverse perpetual count contracts, not "
            "coins; only spot and USDⓈ-M klines are read"
        )
    reader = RowReader(layout, options.tz, pair.inverse)
    times, lines, length = _times(source, reader, chain([head], data), ticker, progress)
    stated = options.timeframe
    if length is not None:
        stated = _lasting(source, length, stated)
    in_order = all(a <= b for a, b in pairwise(times))
    distinct, repeated = _distinct(times if in_order else array("q", sorted(times)))
    try:
        timeframe = timeframe_of(distinct, stated)
    except SpacingProblem as problem:
        found = distinct[problem.at]
        line = lines[times.index(found)]
        message = _spacing(source, line, _moment(found), problem, stated, length is not None)
        raise CandleFileError(message) from None
    if repeated:
        _same_each_time(source, reader, repeated)
    return CandleFile(
        source,
        layout,
        recognised.header,
        Series(exchange, pair, timeframe),
        reader,
        len(distinct),
        _moment(distinct[0]),
        _moment(distinct[-1]),
        frozenset(_moment(t) for t in repeated),
    )


def read_candles(file: CandleFile) -> Iterator[Candle]:
    """The file's candles in file order, each repeated one once."""
    rows = records(file.source)
    if file.header:
        next(rows, None)
    given: set[datetime] = set()
    for number, fields in rows:
        try:
            candle = file.reader.candle(fields)
        except ValueError as exc:  # the file changed since it was checked
            raise CandleFileError(f"{_at(file.source, number)}: {exc}") from None
        if candle.ts in file.repeated:
            if candle.ts in given:
                continue
            given.add(candle.ts)
        yield candle


def _times(
    source: Source,
    reader: RowReader,
    data: Iterable[tuple[int, list[str]]],
    ticker: str | None,
    progress: Callable[[int], object] | None,
) -> tuple[array[int], array[int], timedelta | None]:
    """Every record read as a candle: their open times (epoch µs) and record numbers, and how
    long the candles last when each says so (Binance's close times)."""
    times, lines = array("q"), array("q")
    length: timedelta | None = None
    for number, fields in data:
        try:
            candle = reader.candle(fields)
            if ticker is not None and fields[-1].strip() != ticker:
                raise ValueError(f"ticker {fields[-1].strip()!r}, but the file began with {ticker}")
            if reader.layout.closes:
                lasts = reader.length(fields)
                if length is not None and lasts != length:
                    raise ValueError(
                        f"mixed timeframes: a {_span(lasts)} candle (open to close time) in a "
                        f"file of {_span(length)} candles"
                    )
                length = lasts
        except ValueError as exc:
            raise CandleFileError(f"{_at(source, number)}: {exc}") from None
        times.append(micros(candle.ts))
        lines.append(number)
        if progress is not None and len(times) % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None:
        progress(len(times) % PROGRESS_EVERY)
    return times, lines, length


def _lasting(source: Source, length: timedelta, stated: str | None) -> str:
    """The timeframe candles lasting `length` are of, if it is the one stated."""
    named = timeframe_named(length)
    if named is None:
        raise CandleFileError(
            f"{source.path}: the candles last {_span(length)} (open to close time), which is "
            f"no timeframe Pythia keeps ({', '.join(TIMEFRAMES)})"
        )
    if stated is not None and stated != named:
        raise CandleFileError(
            f"{source.path}: --timeframe {stated}, but the candles last {named} (open to close "
            "time)"
        )
    return named


def _distinct(ordered: array[int]) -> tuple[array[int], list[int]]:
    """Sorted times without repeats, and the times repeated."""
    distinct, repeated = array("q"), list[int]()
    for ts in ordered:
        if distinct and distinct[-1] == ts:
            if not repeated or repeated[-1] != ts:
                repeated.append(ts)
            continue
        distinct.append(ts)
    return distinct, repeated


def _same_each_time(source: Source, reader: RowReader, repeated: list[int]) -> None:
    """Refuse a time written twice with different candles; the same candle twice is fine."""
    wanted = set(repeated)
    first: dict[int, tuple[int, Candle]] = {}
    rows = records(source)
    for number, fields in rows:
        try:
            candle = reader.candle(fields)
        except ValueError:
            continue  # the header
        at = micros(candle.ts)
        if at not in wanted:
            continue
        if at not in first:
            first[at] = (number, candle)
        elif first[at][1] != candle:
            raise CandleFileError(
                f"{_at(source, number)}: a second candle at {candle.ts:%Y-%m-%d %H:%M} UTC, "
                f"not the same as on {source.unit} {first[at][0]}"
            )


def _spacing(
    source: Source,
    line: int,
    ts: datetime,
    problem: SpacingProblem,
    stated: str | None,
    lasting: bool,
) -> str:
    """One line for a file whose times make no series (see `timeframe_of`)."""
    step = _span(problem.step) if problem.step is not None else ""
    at, timeframe = _at(source, line), problem.timeframe
    if problem.code == "single":
        return f"{source.path}: one candle only, so its timeframe cannot be told; give --timeframe"
    if problem.code == "not_a_timeframe":
        return (
            f"{source.path}: the candles are mostly {step} apart, which is no timeframe Pythia "
            f"keeps ({', '.join(TIMEFRAMES)})"
        )
    if problem.code == "other_timeframe":
        said = "the candles last" if lasting else "--timeframe"
        return f"{source.path}: {said} {stated}, but they are mostly {step} apart"
    if problem.code == "misaligned":
        return f"{at}: time {ts:%Y-%m-%d %H:%M} UTC is not the start of a {timeframe} candle"
    if problem.code == "mixed":
        return (
            f"{at}: mixed timeframes: this candle opens {step} after the one before it, in a "
            f"file of {timeframe} candles"
        )
    return (
        f"{at}: mixed timeframes: from here the candles are {step} apart, in a file of "
        f"{timeframe} candles"
    )


def _span(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _at(source: Source, number: int) -> str:
    return f"{source.path}:{number}" if not source.json else f"{source.path}: entry {number}"


def _moment(count: int) -> datetime:
    return _EPOCH + timedelta(microseconds=count)
