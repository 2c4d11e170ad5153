"""Ingest tickers: every source's latest prices into the database, the cache and price events."""

from __future__ import annotations

import asyncio
import logging

from core.market import Ticker
from services.ingest import record_tickers
from workers.jobs.base import JobResult, WorkerDeps
from workers.sources.base import MarketSource, SourceError
from workers.sources.guarded import SourceCoolingDown

log = logging.getLogger(__name__)


async def _fetch(source: MarketSource, assets: tuple[str, ...], budget: float) -> list[Ticker]:
    try:
        async with asyncio.timeout(budget):
            return await source.fetch_tickers(assets)
    except TimeoutError:
        # Its requests queue behind candle pages in ccxt's per-exchange throttle: skip it this
        # round rather than make every exchange's prices late.
        log.info("tickers from %s took over %.1f s; skipped this round", source.name, budget)
        return []
    except SourceCoolingDown:
        return []  # already logged when it failed
    except SourceError as exc:  # one exchange failing must not stop the others
        log.warning("tickers from %s failed: %s", source.name, exc)
        return []


async def run(deps: WorkerDeps) -> JobResult:
    """Fetch tickers of the tracked assets from every source; store each exchange's quote and
    publish the cross-exchange price."""
    assets = (await deps.current_directory()).tracked
    budget = max(0.8 * deps.settings.ticker_interval, 1.0)
    batches = await asyncio.gather(*(_fetch(s, assets, budget) for s in deps.sources))
    tickers = [t for batch in batches for t in batch]
    if not tickers:
        return JobResult(ok=False, summary="no source answered")
    await record_tickers(deps, tickers, deps.market_ids)
    sources = len({t.exchange for t in tickers})
    return JobResult(summary=f"{len(tickers)} tickers from {sources} sources")
