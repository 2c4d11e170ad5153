"""Candle storage throughput on Postgres.

    .venv/bin/python bench/bench_candles.py            # 1,000,000 candles, batches of 100,000
    .venv/bin/python bench/bench_candles.py --rows 200000 --batch 50000

(a) candles per second through `store_candles` (the ingest service: `save_candles`' COPY
    path), for synthetic candles shaped like real ones (a random walk in cents, volumes to 8
    places, 1m candles of 10 markets), one transaction per batch. Their ranges hold no
    candles yet, as in a backfill or an import, so the COPY goes straight into `candles`. Then
    the same candles saved again: their ranges are taken, so they are copied into the staging
    table and upserted, and nothing changes. Against plain SQLAlchemy ORM inserts
    (`session.add_all` + flush) of a 50,000-candle sample as the baseline.
    The target for the COPY figure: at least 200,000 candles/s.
(b) importing every file in /work/shared/data/ohlcv/ with `import_files` (each checked whole
    first, then compared with what is stored as it goes in), and again.

For scale it also times the simplest insert there is on this server (1,000,000 integers into a
one-column primary-key table) — the ceiling no candle writer here can pass.
A summary at the end repeats the figures that matter. Client and server share the machine's
cores (and other people's work on them), so run it a few times and take the median.
Uses its own database `pythia_bench_candles`, created and dropped by this script.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from core.clock import FixedClock  # noqa: E402
from core.market import Candle  # noqa: E402
from core.settings import Settings  # noqa: E402
from db import models  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from services.deps import Deps, build_deps, close_deps  # noqa: E402
from services.ingest import register_market, store_candles  # noqa: E402
from workers.candle_files import ImportOptions, ImportSummary, import_files  # noqa: E402

SERVER = os.environ.get("PYTHIA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("PYTHIA_BENCH_DATABASE", "pythia_bench_candles")
URL = SERVER.replace("postgresql://", "postgresql+asyncpg://") + "/" + DATABASE
OHLCV = Path("/work/shared/data/ohlcv")
MARKETS = 10
ORM_SAMPLE = 50_000
START = datetime(2022, 1, 1, tzinfo=UTC)
TARGET = 200_000  # candles/s through COPY, the figure promised for bulk ingestion
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def synthetic(count: int, seed: int) -> list[Candle]:
    """1m candles of one market: a random walk in cents from a random price, volumes to 8 places."""
    rng = random.Random(seed)
    cents = rng.randrange(50, 5_000_000)
    minute = timedelta(minutes=1)
    candles = []
    for i in range(count):
        close = max(cents + round(rng.gauss(0, cents * 0.0008)), 1)
        high = max(cents, close) + rng.randrange(0, max(cents // 1000, 2))
        low = max(min(cents, close) - rng.randrange(0, max(cents // 1000, 2)), 1)
        candles.append(
            Candle(
                ts=START + i * minute,
                open=Decimal(cents).scaleb(-2),
                high=Decimal(high).scaleb(-2),
                low=Decimal(low).scaleb(-2),
                close=Decimal(close).scaleb(-2),
                volume=Decimal(rng.randrange(1, 10**12)).scaleb(-8),
            )
        )
        cents = close
    return candles


def shared_files() -> list[Path]:
    return sorted(OHLCV.glob("*/*.csv"))


def options_for(path: Path) -> ImportOptions:
    """What the shared data set's README says of each folder's files (their content does not
    say it all): Binance spot with naive UTC times, or yfinance downloads of COIN-USD."""
    if path.parent.name == "yahoo_1d":
        return ImportOptions.given(pair=path.stem.replace("-", "/"))
    return ImportOptions.given(
        exchange="binance", market="spot", tz="UTC", pair=path.stem.split("_")[0]
    )


async def import_all(deps: Deps, files: list[Path]) -> ImportSummary:
    summary = ImportSummary()
    for path in files:
        summary.files += (await import_files(deps, [path], options_for(path))).files
    return summary


async def reset_database(create: bool) -> None:
    admin = await asyncpg.connect(SERVER + "/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if create:
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()


async def server_ceiling() -> float:
    """Seconds to insert 1,000,000 integers into a one-column primary-key table."""
    connection = await asyncpg.connect(SERVER + "/" + DATABASE)
    try:
        await connection.execute("CREATE TABLE ceiling (i integer PRIMARY KEY)")
        started = time.perf_counter()
        await connection.execute("INSERT INTO ceiling SELECT generate_series(1, 1000000)")
        elapsed = time.perf_counter() - started
        await connection.execute("DROP TABLE ceiling")
        return elapsed
    finally:
        await connection.close()


async def bench(rows: int, batch: int, ceiling: float) -> None:
    settings = Settings(_env_file=None, database_url=URL, data_dir=ROOT / "var", redis_url=None)
    deps = await build_deps(settings, FixedClock(NOW))
    try:
        per_market = rows // MARKETS
        print(f"building {rows:,} synthetic candles ({MARKETS} markets × {per_market:,} 1m) …")
        series = [synthetic(per_market, seed) for seed in range(MARKETS)]
        ids = [
            await register_market(deps, "bench", f"C{i}/USDT", f"C{i}", "USDT")
            for i in range(MARKETS + 1)
        ]

        async def save_all() -> tuple[float, int]:
            written = 0
            started = time.perf_counter()
            for market_id, candles in zip(ids, series, strict=False):
                for first in range(0, len(candles), batch):
                    written += await store_candles(
                        deps, market_id, "1m", candles[first : first + batch]
                    )
            return time.perf_counter() - started, written

        copy_seconds, written = await save_all()
        copy_rate = written / copy_seconds
        print(
            f"(a) store_candles into empty ranges (COPY straight into candles): {written:,} "
            f"candles in {copy_seconds:.2f} s = {copy_rate:,.0f} candles/s "
            f"(batches of {min(batch, per_market):,}, a transaction each)"
        )
        again_seconds, rewritten = await save_all()
        print(
            f"    the same candles again (COPY into staging, upsert): {rewritten:,} written, "
            f"{again_seconds:.2f} s = {rows / again_seconds:,.0f} candles/s checked"
        )

        sample = synthetic(ORM_SAMPLE, seed=99)
        orm_market = ids[MARKETS]
        started = time.perf_counter()
        async with deps.write() as session:
            session.add_all(
                models.Candle(
                    market_id=orm_market,
                    timeframe="1m",
                    ts=c.ts,
                    open=c.open,
                    high=c.high,
                    low=c.low,
                    close=c.close,
                    volume=c.volume,
                )
                for c in sample
            )
            await session.flush()
        orm_rate = ORM_SAMPLE / (time.perf_counter() - started)
        print(f"    ORM add_all + flush baseline: {orm_rate:,.0f} candles/s ({ORM_SAMPLE:,} rows)")

        files = shared_files()
        started = time.perf_counter()
        imported = await import_all(deps, files)
        import_seconds = time.perf_counter() - started
        print(
            f"(b) import_files, {len(files)} files of {OHLCV}: {imported.read:,} rows, "
            f"{imported.written:,} written in {import_seconds:.2f} s "
            f"= {imported.read / import_seconds:,.0f} rows/s"
        )
        started = time.perf_counter()
        again = await import_all(deps, files)
        print(f"    again: {again.written:,} written in {time.perf_counter() - started:.2f} s")

        met = "met" if copy_rate >= TARGET else "NOT met"
        figures = [
            (
                "COPY ingestion (store_candles)",
                f"{copy_rate:,.0f} candles/s (target {TARGET:,}: {met})",
            ),
            ("ORM baseline (add_all + flush)", f"{orm_rate:,.0f} candles/s"),
            ("COPY / ORM", f"{copy_rate / orm_rate:.1f}×"),
            (
                f"importing all {len(files)} files",
                f"{import_seconds:.2f} s ({imported.read:,} rows)",
            ),
            ("plain-integer ceiling", f"{1_000_000 / ceiling:,.0f} rows/s"),
        ]
        print("summary")
        for label, figure in figures:
            print(f"  {label + ':':32} {figure}")
    finally:
        await close_deps(deps)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic candles")
    parser.add_argument("--batch", type=int, default=100_000, help="candles per store_candles")
    args = parser.parse_args()
    await reset_database(create=True)
    try:
        await asyncio.to_thread(upgrade, URL)
        ceiling = await server_ceiling()
        print(
            f"server ceiling: 1,000,000 integers into a primary-key table in {ceiling:.2f} s "
            f"= {1_000_000 / ceiling:,.0f} rows/s ({os.cpu_count()} CPUs here)"
        )
        await bench(args.rows, args.batch, ceiling)
    finally:
        await reset_database(create=False)


if __name__ == "__main__":
    asyncio.run(main())
