"""Candle files into the database: each series where it belongs (a perpetual is its own
market), added to what is stored and never changing it, without following the coin live unless
asked; and the `pythia import-candles` command that says so in one line a file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.market import Candle
from core.settings import Settings
from db.candles import load_candles
from db.models import Market
from db.repos.assets import ensure_market
from services.deps import Deps, build_deps, close_deps
from workers.candle_files import (
    CandleFileError,
    ImportOptions,
    check,
    import_files,
    read_batches,
)

ROOT = Path(__file__).resolve().parents[2]
OHLCV = ROOT / "tests" / "fixtures" / "ohlcv"
LAYOUTS = OHLCV / "layouts"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
SPOT_ARGS = {"exchange": "binance", "market": "spot", "tz": "UTC"}
BINANCE_SPOT = ImportOptions.given(**SPOT_ARGS)
SPOT_KLINES = LAYOUTS / "binance_vision_spot_klines.csv"  # BTC 1h, 2021-04-04 20:00 on
BYBIT_PERP = LAYOUTS / "bybit_v5_kline_linear.json"  # the same 48 hours, as Bybit's answer


def candles_of(path: Path, options: ImportOptions) -> list[Candle]:
    return sorted((c for b in read_batches(check(path, options)) for c in b), key=lambda c: c.ts)


async def build(db_url: str, tmp_path: Path, now: datetime = NOW) -> Deps:
    settings = Settings(
        _env_file=None, database_url=db_url, data_dir=tmp_path, redis_url=None, symbols=["BTC"]
    )
    return await build_deps(settings, FixedClock(now))


@pytest.fixture
async def deps(engine, db_url: str, tmp_path: Path) -> AsyncIterator[Deps]:
    built = await build(db_url, tmp_path)
    yield built
    await close_deps(built)


async def stored(deps: Deps, market_id: int, timeframe: str) -> list[Candle]:
    async with deps.read() as session:
        return await load_candles(session, market_id, timeframe)


async def markets(deps: Deps) -> list[tuple[str, str, str]]:
    async with deps.read() as session:
        rows = await session.execute(
            select(Market.exchange, Market.symbol, Market.kind).order_by(Market.id)
        )
        return [tuple(row) for row in rows]


async def test_every_layout_goes_in_once_and_again_writes_nothing(deps: Deps) -> None:
    files = [
        (OHLCV / "BTCUSDT_1d.csv", ImportOptions.given(**{**SPOT_ARGS, "pair": "BTC/USDT"})),
        (OHLCV / "BTC-USD.csv", ImportOptions.given(pair="BTC/USD")),
        (SPOT_KLINES, ImportOptions.given(pair="BTC/USDT", market="spot")),
        (BYBIT_PERP, ImportOptions()),
        (LAYOUTS / "binance_vision_usdm_klines.csv",
         ImportOptions.given(pair="ETH/USDT", market="perp")),
        (LAYOUTS / "generic_epoch_seconds.csv",
         ImportOptions.given(**{**SPOT_ARGS, "pair": "SOL/USDT"})),
    ]  # fmt: skip
    for path, options in files:
        first = await import_files(deps, [path], options, batch_rows=20)
        assert first.written == first.read == first.files[0].file.candles
        again = await import_files(deps, [path], options)
        assert (again.read, again.written) == (first.read, 0)
        done = first.files[0]
        expected = candles_of(path, options)
        assert await stored(deps, done.market_id, done.file.series.timeframe) == expected
    assert await markets(deps) == [
        ("binance", "BTC/USDT", "spot"),
        ("yahoo", "BTC/USD", "spot"),
        ("bybit", "BTC/USDT:USDT", "perp"),
        ("binance", "ETH/USDT:USDT", "perp"),
        ("binance", "SOL/USDT", "spot"),
    ]


async def test_a_bybit_perpetual_never_lands_on_binance_spot(deps: Deps) -> None:
    spot = await import_files(deps, [SPOT_KLINES], ImportOptions.given(pair="BTC/USDT",
                                                                       market="spot"))  # fmt: skip
    before = await stored(deps, spot.files[0].market_id, "1h")
    perp = await import_files(deps, [BYBIT_PERP])
    assert perp.files[0].market_id != spot.files[0].market_id and perp.written == 48
    assert await stored(deps, spot.files[0].market_id, "1h") == before
    assert await markets(deps) == [
        ("binance", "BTC/USDT", "spot"),
        ("bybit", "BTC/USDT:USDT", "perp"),
    ]


def altered(tmp_path: Path, changes: dict[int, str]) -> Path:
    """The Binance spot klines fixture with some lines (1 = the first) replaced."""
    lines = SPOT_KLINES.read_text().splitlines()
    for line, text in changes.items():
        lines[line - 1] = text
    path = tmp_path / "altered.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


KLINES = ImportOptions.given(pair="BTC/USDT", market="spot")


async def test_a_file_that_contradicts_the_stored_candles_is_refused_whole(
    deps: Deps, tmp_path: Path
) -> None:
    first = await import_files(deps, [OHLCV / "BTCUSDT_1h.csv"], BINANCE_SPOT)
    market_id = first.files[0].market_id
    before = await stored(deps, market_id, "1h")
    # 2021-04-05 06:00 and 03:00 differ: the earlier is named, whatever the order in the file
    path = altered(tmp_path, {
        11: "1617602400000,56897.45,57316.74,56790.57,57200.00,2600,1617605999999,0,0,0,0,0",
        8: "1617591600000,57595.44000000,57723.64000000,57320.00000000,57500.00,1655.241274,"
           "1617595199999,0,0,0,0,0",
    })  # fmt: skip
    text = path.read_text().splitlines()
    path.write_text("\n".join([*text[40:], *text[:40]]) + "\n")  # not in time order
    with pytest.raises(CandleFileError) as error:
        await import_files(deps, [path], KLINES, batch_rows=10)
    message = str(error.value)
    assert message == (
        f"{path}: the candle of 2021-04-05 03:00 UTC is not the one stored for binance "
        "BTC/USDT 1h (close 57467.12000000 stored, 57500.00 in the file); nothing was imported "
        "from this file"
    )
    assert await stored(deps, market_id, "1h") == before


async def test_a_float_written_another_way_is_the_same_candle(deps: Deps, tmp_path: Path) -> None:
    await import_files(deps, [OHLCV / "BTCUSDT_1h.csv"], BINANCE_SPOT)
    # 57953.86 as a float32 prints 57953.859375; a volume's trailing zeros dropped
    path = altered(tmp_path, {
        1: "1617566400000,57953.859375,58051.25,57826.16,58025.11,1240.209016,1617569999999,0,0,0,"
           "0,0",
    })  # fmt: skip
    done = await import_files(deps, [path], KLINES)
    assert (done.read, done.written) == (48, 0)


async def test_the_newest_periods_may_differ_as_the_workers_stored_them_forming(
    engine, db_url: str, tmp_path: Path
) -> None:
    last = datetime(2021, 4, 6, 19, tzinfo=UTC)  # the fixture's newest candle
    deps = await build(db_url, tmp_path, now=last + timedelta(minutes=30))
    try:
        first = await import_files(deps, [SPOT_KLINES], KLINES)
        path = altered(tmp_path, {
            48: "1617735600000,58238.78,58300.00,57996.00,58290.00,1700,1617739199999,0,0,0,0,0",
        })  # fmt: skip
        done = await import_files(deps, [path], KLINES)
        assert done.written == 1
        newest = (await stored(deps, first.files[0].market_id, "1h"))[-1]
        assert (newest.ts, str(newest.close)) == (last, "58290.00")
    finally:
        await close_deps(deps)


async def test_importing_a_coin_does_not_follow_it_live_unless_asked(deps: Deps) -> None:
    sol = LAYOUTS / "generic_epoch_seconds.csv"
    done = await import_files(deps, [sol], ImportOptions.given(**SPOT_ARGS, pair="SOL/USDT"))
    assert not done.files[0].tracked
    assert "SOL" not in (await deps.current_directory()).tracked  # the workers poll these
    assert ("binance", "SOL/USDT") in (await deps.current_directory()).markets
    btc = await import_files(deps, [SPOT_KLINES], KLINES)
    assert btc.files[0].tracked  # BTC was followed before: it still is
    tracked = ImportOptions.given(**SPOT_ARGS, pair="SOL/USDT", track=True)
    assert (await import_files(deps, [sol], tracked)).files[0].tracked
    assert "SOL" in (await deps.current_directory()).tracked


async def test_a_market_stored_as_the_other_kind_is_not_written_into(deps: Deps) -> None:
    async with deps.write() as session:
        await ensure_market(session, "binance", "BTC/USDT", "BTC", "USDT", NOW, kind="perp")
    with pytest.raises(CandleFileError, match="binance BTC/USDT is stored as a perp market"):
        await import_files(deps, [SPOT_KLINES], KLINES)
    async with deps.read() as session:
        assert await session.scalar(select(func.count()).select_from(Market)) == 1


async def test_a_bad_file_anywhere_stops_the_import_before_anything_is_written(
    deps: Deps, tmp_path: Path
) -> None:
    bad = altered(tmp_path, {47: "1617732000000,x,1,1,1,1,1617735599999,0,0,0,0,0"})
    with pytest.raises(CandleFileError, match=":47: 'x' is not a price or volume"):
        await import_files(deps, [LAYOUTS / "binance_vision_spot_klines.csv", bad], KLINES)
    assert await markets(deps) == []


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
        "SYMBOLS": "BTC",
    }


def test_the_import_candles_command(tmp_path: Path, cli_env: dict[str, str]) -> None:
    klines = ("--pair", "BTC/USDT", "--market", "spot")
    not_yet = pythia("import-candles", SPOT_KLINES, *klines, env=cli_env, cwd=tmp_path)
    assert not_yet.returncode == 1 and "pythia migrate" in not_yet.stderr
    assert pythia("migrate", env=cli_env, cwd=tmp_path).returncode == 0
    done = pythia("import-candles", SPOT_KLINES, *klines, env=cli_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "binance_vision_spot_klines.csv: binance BTC/USDT spot 1h, 48 candles read, 48 written; "
        "BTC followed live\n"
    )
    perp = pythia("import-candles", BYBIT_PERP, OHLCV / "BTC-USD.csv", "--pair", "BTC/USD",
                  env=cli_env, cwd=tmp_path)  # fmt: skip
    assert perp.returncode == 2  # the options are every file's: this pair is not Bybit's
    assert perp.stdout == "" and "--pair BTC/USD, but the file is of BTC/USDT:USDT" in perp.stderr
    sol = pythia("import-candles", LAYOUTS / "generic_epoch_seconds.csv", "--exchange", "binance",
                 "--pair", "SOLUSDT", "--market", "spot", env=cli_env, cwd=tmp_path)  # fmt: skip
    assert sol.stdout == (
        "generic_epoch_seconds.csv: binance SOL/USDT spot 1h, 30 candles read, 30 written; "
        "SOL not followed live (--track follows it)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((OHLCV / "BTCUSDT_1d.csv",), "BTCUSDT_1d.csv: the file does not say its exchange, pair "
                                      "and market; give --exchange, --pair and --market"),
        ((OHLCV / "BTCUSDT_1d.csv", "--exchange", "binance", "--pair", "BTC/USDT", "--market",
          "spot"), "BTCUSDT_1d.csv:2: time '2017-08-17' has no UTC offset; give --tz"),
        ((SPOT_KLINES, "--pair", "BTC/USDT", "--market", "futures"),
         "--market 'futures': expected spot or perp"),
        ((SPOT_KLINES, Path("missing.csv"), "--pair", "BTC/USDT", "--market", "spot"),
         "missing.csv: no such file"),
    ],
)  # fmt: skip
def test_the_command_refuses_in_one_line_and_writes_nothing(
    tmp_path: Path, cli_env: dict[str, str], args: tuple[str | Path, ...], message: str
) -> None:
    assert pythia("migrate", env=cli_env, cwd=tmp_path).returncode == 0
    result = pythia("import-candles", *args, env=cli_env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""  # every file is checked before any is written
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("pythia import-candles: ") and message in result.stderr


def test_the_command_refuses_a_file_that_contradicts_the_database(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    assert pythia("migrate", env=cli_env, cwd=tmp_path).returncode == 0
    spot = ("--exchange", "binance", "--market", "spot", "--tz", "UTC")
    assert pythia("import-candles", OHLCV / "BTCUSDT_1h.csv", *spot, env=cli_env,
                  cwd=tmp_path).returncode == 0  # fmt: skip
    path = altered(tmp_path, {2: "1617570000000,58025.11,58184,57976.73,58150,987.374632,"
                                 "1617573599999,0,0,0,0,0"})  # fmt: skip
    result = pythia("import-candles", path, "--pair", "BTC/USDT", "--market", "spot",
                    env=cli_env, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"pythia import-candles: {path}: the candle of 2021-04-04 21:00 UTC is not the one "
        "stored for binance BTC/USDT 1h (close 58116.69000000 stored, 58150 in the file); "
        "nothing was imported from this file\n"
    )
