"""The candle job: first history, resuming from the last stored candle, filling holes we left,
leaving the exchange's own holes alone after one try."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from core.gaps import find_gaps
from core.market import Candle
from core.settings import Settings
from db.candles import load_candles, market_ids_for
from db.models import Candle as CandleRow
from services.deps import Deps, build_deps, close_deps
from workers.jobs import ingest_candles
from workers.jobs.base import WorkerDeps
from workers.sources.guarded import GuardedSource
from workers.sources.replay import ReplaySource, load_series, replay_clock

HOUR = timedelta(hours=1)
OUTAGE_START = datetime(2023, 10, 10, 3, tzinfo=UTC)  # bundled-data time, before the replay starts
OUTAGE_HOURS = 4
SHIFT = timedelta(days=1122)  # what replay_clock maps the data by for the start below


def with_outage(series: dict) -> dict:
    """The bundled BTC data with four hours missing, as an exchange's maintenance leaves it."""
    btc = series["BTC"]
    keep = [
        i
        for i, t in enumerate(btc.times)
        if not OUTAGE_START <= t < OUTAGE_START + OUTAGE_HOURS * HOUR
    ]
    hole = type(btc)([btc.times[i] for i in keep], [btc.candles[i] for i in keep], btc.places)
    return {**series, "BTC": hole}


class CountingReplay(ReplaySource):
    """The replay as an exchange that counts the candle requests it gets."""

    asked = 0

    async def fetch_candles(self, *args, **kwargs):
        self.asked += 1
        return await super().fetch_candles(*args, **kwargs)


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    series = with_outage(load_series())
    # the market stands still unless a test moves it
    started = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)
    clock = replay_clock(series, speed=1.0, started=started, wall=lambda: 0.0)
    settings = Settings(
        database_url=db_url, symbols=["BTC", "ETH"], candle_timeframes=["1h", "1d"], keep_1m_days=7
    )
    base: Deps = await build_deps(settings, clock)
    worker = WorkerDeps.of(base, sources=[GuardedSource(CountingReplay(clock, series))])
    await worker.sources[0].start()
    yield worker
    await close_deps(base)


async def hours(deps: WorkerDeps, asset: str = "BTC") -> list[Candle]:
    async with deps.read() as session:
        (market_id, _, _), *_ = await market_ids_for(session, asset, "1h")
        return await load_candles(session, market_id, "1h")


async def test_first_run_stores_the_history_the_exchange_has(deps: WorkerDeps) -> None:
    result = await ingest_candles.run(deps)
    assert result.ok, result.summary
    candles = await hours(deps)
    # the replay holds 60 days before its start; the last candle is the one forming now
    assert candles[-1].ts == datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert candles[0].ts <= datetime(2026, 9, 28, tzinfo=UTC)
    assert len(candles) > 1400
    again = await ingest_candles.run(deps)
    assert again.summary == "0 candles written"  # nothing moved: the clock stood still


async def test_a_missing_tail_is_fetched_from_the_last_stored_candle(deps: WorkerDeps) -> None:
    await ingest_candles.run(deps)
    before = await hours(deps)
    async with deps.write() as session:
        await session.execute(
            delete(CandleRow).where(CandleRow.ts > before[-11].ts, CandleRow.timeframe == "1h")
        )
    result = await ingest_candles.run(deps)
    assert result.ok
    assert await hours(deps) == before


async def test_a_hole_we_left_is_filled(deps: WorkerDeps) -> None:
    await ingest_candles.run(deps)
    before = await hours(deps)
    hole = before[-200].ts
    async with deps.write() as session:
        await session.execute(
            delete(CandleRow).where(
                CandleRow.ts >= hole, CandleRow.ts < hole + 6 * HOUR, CandleRow.timeframe == "1h"
            )
        )
    assert len(await hours(deps)) == len(before) - 6
    await ingest_candles.run(deps)
    assert await hours(deps) == before


async def test_the_exchanges_own_holes_are_tried_once(deps: WorkerDeps) -> None:
    await ingest_candles.run(deps)
    times = [c.ts for c in await hours(deps)]
    (gap,) = find_gaps(times, "1h")  # the exchange's outage is the only hole
    assert (gap.start, gap.missing) == (OUTAGE_START + SHIFT, OUTAGE_HOURS)
    async with deps.read() as session:
        (market_id, _, _), *_ = await market_ids_for(session, "BTC", "1h")
    assert await deps.cache.get(f"gap:{market_id}:1h:{gap.start.isoformat()}") == "tried"
    source = deps.sources[0].source
    asked = source.asked
    await ingest_candles.run(deps)
    assert source.asked == asked + 4  # only the forming candles (BTC, ETH × 1h, 1d): no refetch
