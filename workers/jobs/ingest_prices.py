"""Ingest tickers: every source's latest prices into the database, the cache and price events."""

from __future__ import annotations

import asyncio
import logging

from core.market import PriceQuote, Ticker
from db.cache import PRICE_CHANNEL
from db.repos.assets import ensure_market
from db.repos.prices import save_latest
from workers.jobs.base import JobResult, WorkerDeps
from workers.sources.base import MarketSource, SourceError

log = logging.getLogger(__name__)


async def _fetch(source: MarketSource, assets: tuple[str, ...]) -> list[Ticker]:
    try:
        return await source.fetch_tickers(assets)
    except SourceError as exc:  # one exchange failing must not stop the others
        log.warning("tickers from %s failed: %s", source.name, exc)
        return []


def best_quotes(tickers: list[Ticker], source_order: list[str]) -> list[PriceQuote]:
    """One quote per asset: the first source in configured order that quoted it."""
    rank = {name: i for i, name in enumerate(source_order)}
    chosen: dict[str, Ticker] = {}
    for ticker in sorted(tickers, key=lambda t: rank.get(t.exchange, len(rank))):
        chosen.setdefault(ticker.base, ticker)
    return [PriceQuote.from_ticker(t) for t in chosen.values()]


async def run(deps: WorkerDeps) -> JobResult:
    """Fetch tickers of the tracked assets from every source, store and announce them."""
    assets = deps.directory.tracked
    batches = await asyncio.gather(*(_fetch(s, assets) for s in deps.sources))
    tickers = [t for batch in batches for t in batch]
    if not tickers:
        return JobResult(ok=False, summary="no source answered")
    now = deps.clock.now()
    async with deps.sessions.begin() as session:
        rows = []
        for ticker in tickers:
            key = (ticker.exchange, ticker.market)
            if key not in deps.market_ids:
                deps.market_ids[key] = await ensure_market(
                    session, ticker.exchange, ticker.market, ticker.base, ticker.quote, now
                )
            rows.append((deps.market_ids[key], PriceQuote.from_ticker(ticker)))
        await save_latest(session, rows, now)
    quotes = best_quotes(tickers, [s.name for s in deps.sources])
    await deps.cache.set_prices(quotes)
    for quote in quotes:
        await deps.cache.publish(PRICE_CHANNEL, quote.to_json())
    sources = len({t.exchange for t in tickers})
    return JobResult(summary=f"{len(tickers)} tickers from {sources} sources")
