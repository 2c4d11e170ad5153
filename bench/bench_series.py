"""Reading the series a command believes, on SQLite and Postgres: what `/ta` and `/chart` pay
for choosing among an asset's markets (fresh first, spot, coverage, exchange order) and for
building a timeframe where it is not stored, against the rule it replaced.

    .venv/bin/python bench/bench_series.py [--stack sqlite|postgres|both] [--runs N]

ETH has one market, as in the sandbox: Binance ETH/USDT 1h and 1d for the last 120 days.
BTC has four: Binance BTC/USDT spot 1h and 1d for the last 2 years (live), Binance BTC/USDT 4h
for 8 years up to a week ago (an imported dump: its last week is built from the 1h candles),
OKX BTC/USDT:USDT perp 1h for 2 years, and Yahoo BTC-USD 1d for 10 years ending 15 months ago.
For each ask it prints p50/p99 of `services.series.series_of` (one read transaction: the
holdings, the choice, the candles), the candles and market it gives, and p50, candles and
market of the former rule (the market with the most candles of the stored timeframe however
old, 4h always built from 1h), reimplemented here as `former_series`.
Postgres uses its own database `pythia_bench_series`, created and dropped here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import select, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncSession  # noqa: E402

from core.clock import FixedClock  # noqa: E402
from core.market import TIMEFRAMES, Candle, floor_time, resample  # noqa: E402
from core.settings import Settings  # noqa: E402
from db.candles import candle_market, load_candles, market_ids_for, save_candles  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Market  # noqa: E402
from services.deps import Deps, build_deps, close_deps  # noqa: E402
from services.series import series_of  # noqa: E402

SERVER = os.environ.get("PYTHIA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "pythia_bench_series"
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
DAY = timedelta(days=1)
ASKS = [  # (what a command asks, timeframe, span, limit)
    ("/ta ETH 1h", "1h", None, 500),
    ("/chart ETH 4h 30d", "4h", 30 * DAY, None),
    ("/ta BTC 1h", "1h", None, 500),
    ("/ta BTC 4h", "4h", None, 500),
    ("/ta BTC 1d", "1d", None, 500),
    ("/chart BTC 4h 30d", "4h", 30 * DAY, None),
    ("/chart BTC 1d 1y", "1d", 365 * DAY, None),
]


def walk(start: datetime, end: datetime, timeframe: str, price: int) -> list[Candle]:
    step, candles, cents = TIMEFRAMES[timeframe], [], price * 100
    at = floor_time(start, timeframe)
    i = 0
    while at <= end:
        close = max(cents + (i * 7919) % 2001 - 1000, 100)
        high, low = max(cents, close) + 500, min(cents, close) - 500
        open_, high_, low_, close_ = (Decimal(v).scaleb(-2) for v in (cents, high, low, close))
        candles.append(Candle(at, open_, high_, low_, close_, Decimal("12.5")))
        at, cents, i = at + step, close, i + 1
    return candles


async def seed(deps: Deps) -> int:
    """Store the markets' candles; how many."""
    years = 365 * DAY
    series = [
        ("binance", "ETH/USDT", "spot", "1h", NOW - 120 * DAY, NOW),
        ("binance", "ETH/USDT", "spot", "1d", NOW - 120 * DAY, NOW),
        ("binance", "BTC/USDT", "spot", "1h", NOW - 2 * years, NOW),
        ("binance", "BTC/USDT", "spot", "1d", NOW - 2 * years, NOW),
        ("binance", "BTC/USDT", "spot", "4h", NOW - 8 * years, NOW - 7 * DAY),
        ("okx", "BTC/USDT:USDT", "perp", "1h", NOW - 2 * years, NOW),
        ("yahoo", "BTC/USD", "spot", "1d", NOW - 10 * years - 456 * DAY, NOW - 456 * DAY),
    ]
    stored = 0
    for exchange, pair, kind, timeframe, start, end in series:
        asset, quote = pair.split("/")
        candles = walk(start, end, timeframe, 60_000)
        async with deps.sessions.begin() as session:
            market = await candle_market(session, exchange, pair, asset, quote.split(":")[0], NOW)
            if kind == "perp":
                await session.execute(update(Market).where(Market.id == market).values(kind=kind))
            for first in range(0, len(candles), 20_000):
                stored += await save_candles(
                    session, market, timeframe, candles[first : first + 20_000]
                )
    return stored


async def timed(action: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    await action()  # warm: statement caches, the page cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


async def former_series(
    session: AsyncSession, asset: str, timeframe: str, span: timedelta | None, limit: int | None
) -> tuple[str, list[Candle]]:
    """The rule this replaced: the market with the most candles of the stored timeframe."""
    base = "1h" if timeframe == "4h" else timeframe
    market_id, exchange, _ = (await market_ids_for(session, asset, base))[0]
    await session.scalar(select(Market.quote).where(Market.id == market_id))
    since = floor_time(NOW - span, timeframe) if span is not None else None
    if limit is not None and base != timeframe:
        limit *= 4
    candles = await load_candles(session, market_id, base, since=since, limit=limit)
    return exchange, resample(candles, timeframe) if base != timeframe else candles


async def former_read(
    deps: Deps, asset: str, timeframe: str, span: timedelta | None, limit: int | None
) -> tuple[str, list[Candle]]:
    async with deps.sessions() as session:
        return await former_series(session, asset, timeframe, span, limit)


async def measure(name: str, url: str, runs: int) -> None:
    await asyncio.to_thread(upgrade, url)
    settings = Settings(database_url=url, symbols=["BTC", "ETH"], exchanges=["binance", "okx"])
    deps = await build_deps(settings, FixedClock(NOW))
    try:
        started = time.perf_counter()
        stored = await seed(deps)
        print(f"\n{name}: {stored:,} candles stored in {time.perf_counter() - started:.1f} s")
        print(
            f"{'ask':<18} {'p50 ms':>7} {'p99 ms':>7} {'candles':>7}  {'market':<27}"
            f"{'before':>7} {'candles':>7}  market"
        )
        for ask, timeframe, span, limit in ASKS:
            asset = ask.split()[1]

            now = partial(series_of, deps, asset, timeframe, span=span, limit=limit)
            before = partial(former_read, deps, asset, timeframe, span, limit)
            found, (former, old) = await now(), await before()
            assert found is not None
            took, took_before = await timed(now, runs), await timed(before, runs)
            p99 = took[min(len(took) - 1, round(0.99 * (len(took) - 1)))]
            origin = found.origin
            said = f"{origin.exchange} {origin.pair} {origin.kind}"
            said += "" if origin.fresh else " STALE"
            print(
                f"{ask:<18} {statistics.median(took):7.1f} {p99:7.1f} {len(found.candles):7,}  "
                f"{said:<27}{statistics.median(took_before):7.1f} {len(old):7,}  {former}"
            )
    finally:
        await close_deps(deps)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if args.stack in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{directory}/series.sqlite3"
            await measure("SQLite", url, args.runs)
    if args.stack in ("postgres", "both"):
        admin = await asyncpg.connect(SERVER + "/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
            url = SERVER.replace("postgresql://", "postgresql+asyncpg://") + "/" + DATABASE
            await measure("Postgres", url, args.runs)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
