"""Candle CSV exports (Binance, Yahoo) are read exactly, imported once, and refused clearly."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core.clock import FixedClock
from core.market import Candle
from core.settings import Settings
from db.candles import load_candles, market_ids_for
from services.deps import Deps, build_deps, close_deps
from workers.candle_files import (
    CandleFileError,
    count_rows,
    describe,
    import_files,
    read_batches,
)

ROOT = Path(__file__).resolve().parents[2]
OHLCV = ROOT / "tests" / "fixtures" / "ohlcv"
FILES = sorted(OHLCV.glob("*.csv"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def candle(ts: datetime, *values: str) -> Candle:
    return Candle(ts, *(Decimal(v) for v in values))


# name -> (layout, exchange, asset, quote, timeframe, first candle, last candle), from the files
EXPECTED = {
    "BTCUSDT_1d.csv": (
        "binance",
        "binance",
        "BTC",
        "USDT",
        "1d",
        candle(utc(2017, 8, 17), "4261.48000000", "4485.39000000", "4200.74000000",
               "4285.08000000", "795.15037700"),
        candle(utc(2018, 6, 12), "6872.00000000", "6890.51000000", "6435.00000000",
               "6530.00000000", "36722.21119100"),
    ),
    "ETHUSDT_4h.csv": (
        "binance",
        "binance",
        "ETH",
        "USDT",
        "4h",
        candle(utc(2017, 8, 17, 4), "301.13000000", "307.96000000", "298.00000000",
               "307.96000000", "1561.95305000"),
        candle(utc(2017, 10, 6, 0), "294.78000000", "297.50000000", "293.78000000",
               "295.52000000", "411.40601000"),
    ),
    "BTCUSDT_1h.csv": (
        "binance-ticker",
        "binance",
        "BTC",
        "USDT",
        "1h",
        candle(utc(2021, 4, 4, 20), "57953.86000000", "58051.25000000", "57826.16000000",
               "58025.11000000", "1240.20901600"),
        candle(utc(2021, 4, 17, 7), "62000.75000000", "62305.00000000", "61950.00000000",
               "62114.99000000", "1946.46123300"),
    ),
    "BTC-USD.csv": (
        "yfinance",
        "yahoo",
        "BTC",
        "USD",
        "1d",
        # prices keep every digit of the file's floats; volume 21056800 USD / close, 8 places
        candle(utc(2014, 9, 17), "465.864013671875", "468.17401123046875", "452.4219970703125",
               "457.3340148925781", "46042.49698100"),
        candle(utc(2015, 7, 13), "310.8269958496094", "310.947998046875", "281.010986328125",
               "292.0539855957031", "212474.07349511"),
    ),
}  # fmt: skip


def read_all(path: Path, batch_rows: int = 10_000) -> list[Candle]:
    return [c for batch in read_batches(describe(path), batch_rows) for c in batch]


def test_the_fixtures_are_the_files_expected() -> None:
    assert sorted(p.name for p in FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_layout_is_read_exactly_as_written(name: str) -> None:
    layout, exchange, asset, quote, timeframe, first, last = EXPECTED[name]
    file = describe(OHLCV / name)
    assert (file.layout.name, file.exchange, file.asset, file.quote, file.timeframe) == (
        layout,
        exchange,
        asset,
        quote,
        timeframe,
    )
    candles = read_all(OHLCV / name)
    assert len(candles) == 300 == count_rows(OHLCV / name)
    assert candles[0] == first and candles[-1] == last
    assert str(candles[0].open) == str(first.open)  # digits as written, trailing zeros too


def test_yahoo_volume_is_turned_from_dollars_into_coins() -> None:
    candles = read_all(OHLCV / "BTC-USD.csv")
    # 2014-09-17: 21056800 USD traded at a close of 457.3340148925781
    expected = (Decimal(21056800) / Decimal("457.3340148925781")).quantize(Decimal("1E-8"))
    assert candles[0].volume == expected == Decimal("46042.49698100")
    assert all(c.volume.as_tuple().exponent == -8 for c in candles)


def test_files_stream_in_batches() -> None:
    batches = list(read_batches(describe(OHLCV / "BTCUSDT_1h.csv"), batch_rows=128))
    assert [len(b) for b in batches] == [128, 128, 44]


def test_a_gzipped_file_reads_the_same(tmp_path: Path) -> None:
    import gzip

    packed = tmp_path / "BTCUSDT_1h.csv.gz"
    packed.write_bytes(gzip.compress((OHLCV / "BTCUSDT_1h.csv").read_bytes()))
    assert read_all(packed) == read_all(OHLCV / "BTCUSDT_1h.csv")


def corrupt(tmp_path: Path, source: str, line: int, text: str, name: str | None = None) -> Path:
    """A copy of a fixture with file line `line` (1 = the header) replaced by `text`."""
    lines = (OHLCV / source).read_text().splitlines()
    lines[line - 1] = text
    path = tmp_path / (name or source)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("line", "text", "message"),
    [
        (150, "2017-08-17,1,2,3", "150: 4 fields, expected 6"),
        (150, "2018-01-13,abc,2,1,1,5", "150: 'abc' is not a number"),
        (150, "2018-01-13,nan,2,1,1,5", "150: 'nan' is not a price or volume"),
        (150, "2018-01-13,1,2,1,1,-5", "150: '-5' is not a price or volume"),
        (150, "13/01/2018,1,2,1,1,5", "150: time '13/01/2018' is not YYYY-MM-DD"),
        (150, "2018-01-13 05:00:00,1,2,1,1,5", "150: time 2018-01-13 05:00:00 is not the start"),
        (150, "2018-01-13,1,2,3,1,5", "150: prices out of order"),
    ],
)
def test_a_malformed_row_names_the_file_and_line(
    tmp_path: Path, line: int, text: str, message: str
) -> None:
    path = corrupt(tmp_path, "BTCUSDT_1d.csv", line, text)
    with pytest.raises(CandleFileError) as error:
        read_all(path)
    assert str(error.value).startswith(f"{path}:{message}")
    assert "\n" not in str(error.value)


def test_a_ticker_that_contradicts_the_file_name_is_refused(tmp_path: Path) -> None:
    row = "2021-04-05 00:00:00,1,2,1,1,5,ETHUSDT"
    path = corrupt(tmp_path, "BTCUSDT_1h.csv", 6, row)
    with pytest.raises(CandleFileError, match=r":6: ticker 'ETHUSDT' does not match"):
        read_all(path)


def test_yahoo_zero_close_cannot_convert_volume(tmp_path: Path) -> None:
    row = "2014-10-01 00:00:00+00:00,0,0,0,0,100,0.0,0.0"
    path = corrupt(tmp_path, "BTC-USD.csv", 16, row)
    with pytest.raises(CandleFileError, match=r":16: close is 0"):
        read_all(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("BTCUSDT_1h.csv", "time,o,h,l,c,v\n", "BTCUSDT_1h.csv:1: unknown header 'time,o,h,l,c,v'"),
        ("BTCUSDT_1h.csv", "", "BTCUSDT_1h.csv:1: unknown header ''"),
        ("candles.csv", "timestamp,open,high,low,close,volume\n", "cannot tell the market"),
        ("BTCUSDT_2h.csv", "timestamp,open,high,low,close,volume\n", "timeframe '2h'"),
        ("BTCXYZ_1h.csv", "timestamp,open,high,low,close,volume\n", "quote currency of BTCXYZ"),
        ("BTCUSDT_1h.txt", "timestamp,open,high,low,close,volume\n", "expected a .csv"),
    ],
)
def test_a_file_that_is_no_candle_export_is_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CandleFileError, match=message):
        describe(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CandleFileError, match="no such file"):
        describe(tmp_path / "BTCUSDT_1h.csv")


# --- into the database ---------------------------------------------------------------------


@pytest.fixture
async def deps(engine, db_url: str, tmp_path: Path) -> AsyncIterator[Deps]:
    settings = Settings(_env_file=None, database_url=db_url, data_dir=tmp_path, redis_url=None)
    built = await build_deps(settings, FixedClock(NOW))
    yield built
    await close_deps(built)


async def test_importing_writes_every_candle_once(deps: Deps) -> None:
    first = await import_files(deps, FILES, progress=False, batch_rows=100)
    assert [(f.file.path.name, f.read, f.written) for f in first.files] == [
        (p.name, 300, 300) for p in FILES
    ]
    again = await import_files(deps, FILES, progress=False)
    assert (again.read, again.written) == (1200, 0)
    async with deps.read() as session:
        for done in first.files:
            stored = await load_candles(session, done.market_id, done.file.timeframe)
            assert stored == read_all(done.file.path)
        yahoo, binance = (f.market_id for f in first.files[:2])  # BTC-USD, BTCUSDT_1d
        assert await market_ids_for(session, "BTC", "1d") == [
            (binance, "binance", 300),
            (yahoo, "yahoo", 300),
        ]


async def test_a_bad_row_late_in_a_file_writes_nothing_of_it(deps: Deps, tmp_path: Path) -> None:
    path = corrupt(tmp_path, "BTCUSDT_1h.csv", 290, "2021-04-16 21:00:00,x,1,1,1,1,BTCUSDT")
    with pytest.raises(CandleFileError, match=":290: 'x' is not a number"):
        await import_files(deps, [OHLCV / "BTCUSDT_1d.csv", path], progress=False, batch_rows=50)
    async with deps.read() as session:
        assert await market_ids_for(session, "BTC", "1h") == []
        assert await market_ids_for(session, "BTC", "1d") != []  # the good file went in


async def test_a_bad_file_anywhere_stops_the_import_before_it_starts(
    deps: Deps, tmp_path: Path
) -> None:
    with pytest.raises(CandleFileError, match="no such file"):
        await import_files(deps, [OHLCV / "BTCUSDT_1d.csv", tmp_path / "ETHUSDT_1d.csv"])
    async with deps.read() as session:
        assert await market_ids_for(session, "BTC", "1d") == []


# --- the command line -----------------------------------------------------------------------


def pythia(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pythia", *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return {
        **keep,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
        "DATA_DIR": str(tmp_path),
    }


def test_the_import_candles_command(tmp_path: Path, cli_env: dict[str, str]) -> None:
    not_yet = pythia("import-candles", *FILES, env=cli_env, cwd=tmp_path)
    assert not_yet.returncode == 1 and "pythia migrate" in not_yet.stderr
    assert pythia("migrate", env=cli_env, cwd=tmp_path).returncode == 0
    done = pythia("import-candles", *FILES, env=cli_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{p.name}: {e[1]} {e[2]}/{e[3]} {e[4]}, 300 candles read, 300 written"
        for p, e in ((p, EXPECTED[p.name]) for p in FILES)
    ]
    again = pythia("import-candles", OHLCV / "BTC-USD.csv", env=cli_env, cwd=tmp_path)
    assert again.stdout == "BTC-USD.csv: yahoo BTC/USD 1d, 300 candles read, 0 written\n"


@pytest.mark.parametrize(
    ("make", "message", "imported"),
    [
        (lambda d: d / "ETHUSDT_1h.csv", "ETHUSDT_1h.csv: no such file", ""),
        (lambda d: (d / "BTCUSDT_1h.csv").write_text("a,b\n1,2\n") and d / "BTCUSDT_1h.csv",
         "BTCUSDT_1h.csv:1: unknown header 'a,b'", ""),
        (lambda d: corrupt(d, "ETHUSDT_4h.csv", 200, "2017-09-19 04:00:00,1"),
         "ETHUSDT_4h.csv:200: 2 fields, expected 6",
         "BTCUSDT_1d.csv: binance BTC/USDT 1d, 300 candles read, 300 written\n"),
    ],
)  # fmt: skip
def test_the_import_candles_command_refuses_bad_files(
    tmp_path: Path, cli_env: dict[str, str], make, message: str, imported: str
) -> None:
    assert pythia("migrate", env=cli_env, cwd=tmp_path).returncode == 0
    bad = make(tmp_path)
    result = pythia("import-candles", OHLCV / "BTCUSDT_1d.csv", bad, env=cli_env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == imported  # a file is all or nothing; those before it went in
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("pythia import-candles: ") and message in result.stderr
