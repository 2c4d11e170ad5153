"""Backfill pages through a source into the database once, stops, and refuses bad requests."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.clock import FixedClock, ReplayClock
from core.market import Candle, Ticker
from core.settings import Settings
from db.candles import load_candles, market_ids_for
from services.deps import Deps, build_deps, close_deps
from workers.backfill import backfill
from workers.sources.replay import ReplaySource, load_series

ROOT = Path(__file__).resolve().parents[2]
HOUR = timedelta(hours=1)
DATA_START = datetime(2023, 11, 1, 12, tzinfo=UTC)  # the data moment that plays at STARTED
STARTED = datetime(2026, 11, 1, 12, tzinfo=UTC)
SHIFT = STARTED - DATA_START  # whole days, so candles keep their hours


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture(scope="module")
def series():
    return load_series()


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def replay(series, wall: Wall) -> tuple[ReplayClock, ReplaySource]:
    clock = ReplayClock(data_start=DATA_START, speed=60.0, started=STARTED, wall=wall)
    return clock, ReplaySource(clock, series)


def play(wall: Wall, clock: ReplayClock, market_time: timedelta) -> None:
    wall.seconds += market_time.total_seconds() / clock.speed


async def make_deps(db_url: str, tmp_path: Path, clock) -> Deps:
    settings = Settings(_env_file=None, database_url=db_url, data_dir=tmp_path, redis_url=None)
    return await build_deps(settings, clock)


@pytest.fixture
async def deps(engine, db_url: str, tmp_path: Path, replay) -> AsyncIterator[Deps]:
    built = await make_deps(db_url, tmp_path, replay[0])
    yield built
    await close_deps(built)


async def stored(deps: Deps, asset: str, exchange: str, timeframe: str = "1h") -> list[Candle]:
    async with deps.read() as session:
        markets = [
            m for m, ex, _ in await market_ids_for(session, asset, timeframe) if ex == exchange
        ]
        if not markets:
            return []
        return await load_candles(session, markets[0], timeframe)


async def test_backfill_from_the_replay_fills_each_hour_once(
    deps: Deps, replay, wall, series
) -> None:
    clock, source = replay
    play(wall, clock, timedelta(minutes=30))  # 12:30: the 12:00 candle is forming
    since = STARTED - 48 * HOUR
    summary = await backfill(deps, source, ["BTC", "ETH"], "1h", since, progress=False)
    assert [(a.asset, a.fetched, a.written) for a in summary.assets] == [
        ("BTC", 49, 49),
        ("ETH", 49, 49),
    ]
    assert summary.assets[0].first == since and summary.assets[0].last == STARTED
    for asset in ("BTC", "ETH"):
        candles = await stored(deps, asset, "replay")
        assert [c.ts for c in candles] == [since + i * HOUR for i in range(49)]
        # the closed hours are the bundled candles themselves, moved onto the clock
        data = {c.ts + SHIFT: c for c in series[asset].candles}
        assert [c.close for c in candles[:-1]] == [data[c.ts].close for c in candles[:-1]]

    again = await backfill(deps, source, ["BTC", "ETH"], "1h", since, progress=False)
    assert (again.fetched, again.written) == (98, 0)


async def test_a_later_backfill_adds_the_new_hours_and_closes_the_forming_one(
    deps: Deps, replay, wall
) -> None:
    clock, source = replay
    play(wall, clock, timedelta(minutes=30))
    since = STARTED - 24 * HOUR
    await backfill(deps, source, ["SOL"], "1h", since, progress=False)
    forming = (await stored(deps, "SOL", "replay"))[-1]
    play(wall, clock, 3 * HOUR)  # 15:30
    later = await backfill(deps, source, ["SOL"], "1h", since, progress=False)
    assert later.written == 4  # 13:00, 14:00, 15:00 and the 12:00 candle now closed
    candles = await stored(deps, "SOL", "replay")
    assert candles[-1].ts == STARTED + 3 * HOUR and len(candles) == 28
    closed = candles[24]
    assert closed.ts == forming.ts and closed != forming


async def test_until_is_exclusive_and_daily_candles_work(deps: Deps, replay, wall) -> None:
    clock, source = replay
    play(wall, clock, 2 * HOUR)
    summary = await backfill(
        deps, source, ["BTC"], "4h", STARTED - 24 * HOUR, until=STARTED, progress=False
    )
    assert summary.written == 6
    assert [c.ts for c in await stored(deps, "BTC", "replay", "4h")] == [
        STARTED - 24 * HOUR + i * 4 * HOUR for i in range(6)
    ]
    daily = await backfill(deps, source, ["BTC"], "1d", STARTED - 72 * HOUR, progress=False)
    assert daily.written == 4  # three whole days and today's, forming


async def test_an_asset_the_source_does_not_list_stops_it_before_anything(
    deps: Deps, replay
) -> None:
    _, source = replay
    with pytest.raises(LookupError, match="replay does not list NOPE"):
        await backfill(deps, source, ["BTC", "NOPE"], "1h", STARTED - 5 * HOUR, progress=False)
    assert await stored(deps, "BTC", "replay") == []


async def test_bad_arguments_are_refused(deps: Deps, replay) -> None:
    _, source = replay
    with pytest.raises(ValueError, match="timeframe"):
        await backfill(deps, source, ["BTC"], "2h", STARTED - 5 * HOUR, progress=False)
    with pytest.raises(ValueError, match="aware"):
        await backfill(deps, source, ["BTC"], "1h", datetime(2026, 10, 1), progress=False)  # noqa: DTZ001
    with pytest.raises(ValueError, match="nothing to backfill"):
        await backfill(deps, source, ["BTC"], "1h", STARTED + 5 * HOUR, progress=False)


async def test_backfill_pages_through_the_replay(deps: Deps, replay, wall) -> None:
    clock, source = replay
    play(wall, clock, timedelta(minutes=30))
    summary = await backfill(
        deps, source, ["BTC"], "1h", STARTED - 48 * HOUR, progress=False, page=10
    )
    assert summary.written == 49


# --- paging, with a source that pages the way ccxt does ------------------------------------


class ListSource:
    """A MarketSource over a list of candles: the first `limit` from `since`, like ccxt."""

    name = "listed"

    def __init__(self, candles: list[Candle], ignore_since: bool = False) -> None:
        self.candles = candles
        self.ignore_since = ignore_since
        self.calls: list[datetime | None] = []

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def market_for(self, asset: str) -> tuple[str, str] | None:
        return (f"{asset}/USDT", "USDT")

    async def fetch_tickers(self, assets: Sequence[str]) -> list[Ticker]:
        return []

    async def fetch_candles(
        self, asset: str, timeframe: str, since: datetime | None = None, limit: int = 500
    ) -> list[Candle]:
        self.calls.append(since)
        if self.ignore_since:  # like Kraken: the latest candles, whatever was asked
            return self.candles[-limit:]
        return [c for c in self.candles if since is None or c.ts >= since][:limit]


@pytest.fixture
async def fixed_deps(engine, db_url: str, tmp_path: Path) -> AsyncIterator[Deps]:
    built = await make_deps(db_url, tmp_path, FixedClock(DATA_START + 10 * HOUR))
    yield built
    await close_deps(built)


def real_hours(series, count: int) -> list[Candle]:
    """`count` bundled BTC candles ending before DATA_START, with the data's real gaps."""
    btc = series["BTC"]
    end = btc.index_at(DATA_START)
    return btc.candles[end - count : end]


async def test_backfill_pages_until_the_source_has_no_more(fixed_deps: Deps, series) -> None:
    candles = real_hours(series, 100)
    source = ListSource(candles)
    summary = await backfill(
        fixed_deps, source, ["BTC"], "1h", candles[0].ts, progress=False, page=7
    )
    (done,) = summary.assets
    assert (done.fetched, done.written, done.pages) == (100, 100, 16)  # 15 full pages, 1 empty
    assert source.calls[1] == candles[6].ts + HOUR  # a page starts after the last received
    assert await stored(fixed_deps, "BTC", "listed") == candles
    again = await backfill(fixed_deps, source, ["BTC"], "1h", candles[0].ts, progress=False)
    assert again.written == 0


async def test_a_source_that_ignores_since_cannot_loop_for_ever(fixed_deps: Deps, series) -> None:
    candles = real_hours(series, 30)
    source = ListSource(candles, ignore_since=True)
    summary = await backfill(
        fixed_deps, source, ["BTC"], "1h", candles[0].ts - 200 * HOUR, progress=False, page=10
    )
    assert len(source.calls) == 2  # the same page again holds nothing new: stop
    assert summary.written == 10


async def test_nothing_in_the_period_writes_nothing(fixed_deps: Deps, series) -> None:
    candles = real_hours(series, 10)
    source = ListSource(candles)
    summary = await backfill(
        fixed_deps, source, ["BTC"], "1h", DATA_START - 500 * HOUR, until=candles[0].ts,
        progress=False,
    )  # fmt: skip
    assert (summary.assets[0].fetched, summary.written, summary.assets[0].first) == (0, 0, None)


# --- the command line -----------------------------------------------------------------------


def pythia(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pythia", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database `pythia migrate` made, copied by each command-line test."""
    path = tmp_path_factory.mktemp("cli") / "template.sqlite3"
    env = {**base_env(), "DATABASE_URL": f"sqlite+aiosqlite:///{path}"}
    assert pythia("migrate", env=env, cwd=path.parent).returncode == 0
    return path


def base_env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {**keep, "PYTHONPATH": str(ROOT), "MARKET_SOURCE": "replay"}


@pytest.fixture
def cli_env(tmp_path: Path, migrated_sqlite: Path) -> dict[str, str]:
    shutil.copy(migrated_sqlite, tmp_path / "cli.sqlite3")
    return {
        **base_env(),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
        "DATA_DIR": str(tmp_path),
    }


def test_the_backfill_command_on_the_replay(tmp_path: Path, cli_env: dict[str, str]) -> None:
    since = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%d")
    first = pythia("backfill", "btc", "ETH", "--since", since, env=cli_env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["replay BTC/USDT 1h", "replay ETH/USDT 1h"]
    assert all(line.endswith(" written") and " 0 written" not in line for line in lines)
    assert "candles" in sqlite_tables_with_rows(tmp_path / "cli.sqlite3")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            "BTC --since 2024-01-01 --timeframe 2h",
            "--timeframe '2h' is not a timeframe; use one of 1m, 5m, 15m, 1h, 4h, 1d",
        ),
        ("BTC --since 2024-01", "--since '2024-01' is not a date; expected YYYY-MM-DD"),
        ("BTC --since 2999-01-01", "--since 2999-01-01 00:00 UTC is in the future"),
        (
            "BTC --since 2024-01-01 --until 2999-01-01",
            "--until 2999-01-01 00:00 UTC is in the future",
        ),
        ("BTC --since 2024-02-01 --until 2024-01-01", "--until must be after --since"),
        ("BTC NOPE --since 2024-01-01", "replay does not list NOPE"),
        ("BTC --since 2024-01-01 --exchange binance", "--exchange needs MARKET_SOURCE=ccxt"),
    ],
)
def test_the_backfill_command_refuses_bad_input_in_one_line(
    tmp_path: Path, cli_env: dict[str, str], args: str, message: str
) -> None:
    result = pythia("backfill", *args.split(), env=cli_env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"pythia backfill: {message}")
    assert sqlite_tables_with_rows(tmp_path / "cli.sqlite3") == {"alembic_version"}


def test_an_unknown_exchange_is_bad_input(tmp_path: Path, cli_env: dict[str, str]) -> None:
    env = {**cli_env, "MARKET_SOURCE": "ccxt"}
    args = ["BTC", "--since", "2024-01-01", "--exchange", "nosuch"]
    result = pythia("backfill", *args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["pythia backfill: unknown ccxt exchange id: 'nosuch'"]


def sqlite_tables_with_rows(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n for n in names if db.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone()}
