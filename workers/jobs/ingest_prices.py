"""Ingest tickers: every source's latest prices into the database, the cache and price events.

An exchange whose ticker stream is live (workers/sources/streaming.py) is not polled: its
tickers come as they happen. Polling is the fallback for the others and while a stream is down.
"""

from __future__ import annotations

import asyncio
import logging

from core.market import Ticker
from services.day_change import rolling_day
from workers.jobs.base import JobResult, WorkerDeps
from workers.latest import record
from workers.sources.base import MarketSource, SourceError
from workers.sources.guarded import SourceCoolingDown
from workers.sources.lanes import ticker_lane

log = logging.getLogger(__name__)


async def _fetch(source: MarketSource, assets: tuple[str, ...], budget: float) -> list[Ticker]:
    try:
        async with asyncio.timeout(budget):
            with ticker_lane():  # ahead of any candle page waiting for the same exchange
                return await source.fetch_tickers(assets)
    except TimeoutError:
        log.info("tickers from %s took over %.1f s; skipped this round", source.name, budget)
        return []
    except SourceCoolingDown:
        return []  # already logged when it failed
    except SourceError as exc:  # one exchange failing must not stop the others
        log.warning("tickers from %s failed: %s", source.name, exc)
        return []


def polled(deps: WorkerDeps) -> list[MarketSource]:
    """The sources whose tickers are polled now: those without a live stream."""
    return [s for s in deps.sources if s.name not in deps.streams or not deps.streams[s.name].live]


async def run(deps: WorkerDeps) -> JobResult:
    """Fetch tickers of the tracked assets from every source not streaming; store each
    exchange's quote and publish the cross-exchange price."""
    sources = polled(deps)
    if not sources:
        return JobResult(summary=f"all {len(deps.sources)} sources streaming")
    assets = (await deps.current_directory()).tracked
    budget = max(0.8 * deps.settings.ticker_interval, 1.0)
    batches = await asyncio.gather(*(_fetch(s, assets, budget) for s in sources))
    tickers = [t for batch in batches for t in batch]
    if not tickers:
        return JobResult(ok=False, summary="no source answered")
    tickers = await rolling_day(deps, tickers)
    await record(deps, deps.latest, deps.market_ids, tickers)
    answered = len({t.exchange for t in tickers})
    streaming = len(deps.sources) - len(sources)
    also = f"; {streaming} streaming" if streaming else ""
    return JobResult(summary=f"{len(tickers)} tickers from {answered} sources{also}")
