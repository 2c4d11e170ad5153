"""Ingest candles: each market's 1m, 1h and 1d candles, resuming from the last one stored,
and refetching holes left by outages (ours, not the exchange's)."""

from __future__ import annotations

import asyncio

from core.market import floor_time
from services import ingest
from workers.jobs.base import JobResult, WorkerDeps
from workers.sources.base import MarketSource, SourceError
from workers.sources.guarded import SourceCoolingDown

PAGE = 1000  # candles asked per request; exchanges that give fewer are paged on
MAX_PAGES = 20  # per market and run, so one long catch-up cannot starve the others


async def _market_id(deps: WorkerDeps, source: MarketSource, asset: str) -> int | None:
    found = source.market_for(asset)
    if found is None:
        return None
    market, quote = found
    key = (source.name, market)
    if key not in deps.market_ids:
        deps.market_ids[key] = await ingest.register_market(deps, source.name, market, asset, quote)
    return deps.market_ids[key]


async def catch_up(
    deps: WorkerDeps, source: MarketSource, asset: str, market_id: int, timeframe: str
) -> int:
    """Fetch from the last stored candle up to now; returns rows written."""
    since = await ingest.resume_point(deps, market_id, timeframe)
    current = floor_time(deps.clock.now(), timeframe)
    written = 0
    for _ in range(MAX_PAGES):
        candles = [
            c for c in await source.fetch_candles(asset, timeframe, since, PAGE) if c.ts >= since
        ]
        if candles:
            written += await ingest.store_candles(deps, market_id, timeframe, candles)
        if not candles or candles[-1].ts >= current or candles[-1].ts <= since:
            break  # caught up, nothing more, or no progress
        since = candles[-1].ts
    return written


async def fill_gaps(
    deps: WorkerDeps, source: MarketSource, asset: str, market_id: int, timeframe: str
) -> int:
    """Refetch holes in the recent stored series; each is tried at most every few hours."""
    written = 0
    for gap in await ingest.holes(deps, market_id, timeframe):
        candles = await source.fetch_candles(asset, timeframe, gap.start, gap.missing + 1)
        written += await ingest.fill_hole(deps, market_id, timeframe, gap, candles)
    return written


async def sync_source(deps: WorkerDeps, source: MarketSource) -> tuple[int, str | None]:
    """Every tracked asset and timeframe of one exchange; stops at its first failure."""
    written = 0
    try:
        for asset in (await deps.current_directory()).tracked:
            market_id = await _market_id(deps, source, asset)
            if market_id is None:
                continue
            for timeframe in deps.settings.candle_timeframes:
                written += await catch_up(deps, source, asset, market_id, timeframe)
                written += await fill_gaps(deps, source, asset, market_id, timeframe)
    except SourceCoolingDown:
        return written, None
    except SourceError as exc:  # backed off by the source's guard; the others carry on
        return written, f"{source.name}: {exc}"
    return written, None


async def run(deps: WorkerDeps) -> JobResult:
    """Bring every market's candles up to date, exchanges side by side."""
    results = await asyncio.gather(*(sync_source(deps, s) for s in deps.sources))
    written = sum(count for count, _ in results)
    errors = [error for _, error in results if error]
    summary = f"{written} candles written" + (f"; failed: {'; '.join(errors)}" if errors else "")
    return JobResult(ok=not errors, summary=summary[:500])
