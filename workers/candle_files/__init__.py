"""Candle files into the database, each read as what it is: exchange, market (spot or
perpetual), pair and timeframe from the file's content, or from the command line where the
content cannot say — never from the file's name.

Every file is read through and checked before anything is written (`check_files`); then each
goes in as one transaction (`import_checked`), added to what is stored and never changing it
(services.candle_imports). Files stream, so one of any size takes little memory. The layouts
are in `layouts`, the command line's word in `options`, the reading of a record in `rows`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.market import Candle
from services.candle_imports import (
    Imported,
    StoredCandleDiffers,
    StoredMarketDiffers,
    import_series,
)
from services.deps import Deps
from workers.candle_files.checks import CandleFile, check, read_candles
from workers.candle_files.options import ImportOptions, OptionError
from workers.candle_files.records import CandleFileError, count_rows

__all__ = [
    "BATCH_ROWS",
    "CandleFile",
    "CandleFileError",
    "FileImport",
    "ImportOptions",
    "ImportSummary",
    "OptionError",
    "check",
    "check_files",
    "count_rows",
    "import_checked",
    "import_files",
    "read_batches",
]

BATCH_ROWS = 10_000


@dataclass(frozen=True)
class FileImport:
    """What importing one file did; `tracked`: whether the workers follow its coin now."""

    file: CandleFile
    market_id: int
    read: int
    written: int
    tracked: bool


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


def read_batches(file: CandleFile, batch_rows: int = BATCH_ROWS) -> Iterator[list[Candle]]:
    """A checked file's candles in batches of up to `batch_rows`, in file order."""
    batch: list[Candle] = []
    for candle in read_candles(file):
        batch.append(candle)
        if len(batch) >= batch_rows:
            yield batch
            batch = []
    if batch:
        yield batch


def check_files(
    paths: Sequence[Path | str], options: ImportOptions, progress: bool = False
) -> list[CandleFile]:
    """Every file checked, in order; raises CandleFileError on the first that is wrong."""
    checked = []
    for path in paths:
        with _bar(Path(path), f"{Path(path).name} (checking)", progress) as bar:
            checked.append(check(path, options, bar.update))
    return checked


async def import_checked(
    deps: Deps,
    file: CandleFile,
    track: bool = False,
    progress: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> FileImport:
    """Import one checked file, all or nothing; raises CandleFileError when it disagrees with
    the candles stored for its market (then nothing of it was written)."""
    with _bar(file.path, file.path.name, progress) as bar:
        try:
            done: Imported = await import_series(
                deps, file.series, _counted(read_batches(file, batch_rows), bar), track=track
            )
        except StoredCandleDiffers as conflict:
            raise CandleFileError(_differs(file, conflict)) from None
        except StoredMarketDiffers as other:
            raise CandleFileError(
                f"{file.path}: {file.series.exchange} {other.symbol} is stored as a "
                f"{other.stored_kind} market; nothing was imported from this file"
            ) from None
    return FileImport(file, done.market_id, done.read, done.written, done.tracked)


async def import_files(
    deps: Deps,
    paths: Sequence[Path | str],
    options: ImportOptions | None = None,
    progress: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> ImportSummary:
    """Check every file, then import each (one transaction a file). Importing a file again
    writes nothing."""
    options = options or ImportOptions()
    summary = ImportSummary()
    for file in check_files(paths, options, progress):
        summary.files.append(await import_checked(deps, file, options.track, progress, batch_rows))
    return summary


def _differs(file: CandleFile, conflict: StoredCandleDiffers) -> str:
    series = file.series
    values = "; ".join(
        f"{name} {getattr(conflict.stored, name)} stored, {getattr(conflict.given, name)} in "
        "the file"
        for name in conflict.names
    )
    return (
        f"{file.path}: the candle of {conflict.stored.ts:%Y-%m-%d %H:%M} UTC is not the one "
        f"stored for {series.exchange} {series.pair.symbol} {series.timeframe} ({values}); "
        "nothing was imported from this file"
    )


def _bar(path: Path, description: str, shown: bool) -> tqdm:
    return tqdm(
        total=count_rows(path), desc=description, unit=" rows", unit_scale=True, disable=not shown
    )


def _counted(batches: Iterator[list[Candle]], bar: tqdm) -> Iterator[list[Candle]]:
    for batch in batches:
        yield batch
        bar.update(len(batch))
