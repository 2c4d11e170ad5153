"""Backfill: an exchange's past candles of some assets, fetched page by page into the database.

Each page is saved in its own transaction, so an interrupted backfill keeps what it fetched
and running it again writes only what is missing or changed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tqdm import tqdm

from core.market import TIMEFRAMES, floor_time
from services.deps import Deps
from services.ingest import register_market, store_candles
from workers.sources.base import MarketSource

PAGE = 1000  # candles asked per request: Binance's maximum; others send fewer and are paged on


@dataclass(frozen=True)
class AssetBackfill:
    """What the backfill of one asset fetched and wrote; `first`/`last` are the open times of
    the oldest and newest candle received (None when the exchange had none)."""

    asset: str
    market: str
    market_id: int
    fetched: int
    written: int
    pages: int
    first: datetime | None
    last: datetime | None


@dataclass
class BackfillSummary:
    exchange: str
    timeframe: str
    assets: list[AssetBackfill] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return sum(a.fetched for a in self.assets)

    @property
    def written(self) -> int:
        return sum(a.written for a in self.assets)


async def backfill(
    deps: Deps,
    source: MarketSource,
    assets: Sequence[str],
    timeframe: str,
    since: datetime,
    until: datetime | None = None,
    progress: bool = True,
    *,
    page: int = PAGE,
) -> BackfillSummary:
    """Candles of `assets` from `since` up to `until` (exclusive; default now, the forming
    candle included) from a started `source`. Every asset is checked before anything is
    written: one the source does not list raises LookupError."""
    if timeframe not in TIMEFRAMES:
        raise ValueError(
            f"unknown timeframe {timeframe!r}; expected one of {', '.join(TIMEFRAMES)}"
        )
    if since.tzinfo is None or (until is not None and until.tzinfo is None):
        raise ValueError("since and until must be aware datetimes (UTC)")
    now = deps.clock.now()
    end = now if until is None else min(until, now)
    start = floor_time(since, timeframe)  # the candle `since` falls in counts too
    if start >= end:
        raise ValueError(
            f"nothing to backfill: since {since:%Y-%m-%d %H:%M} is not before {end:%Y-%m-%d %H:%M}"
        )
    markets = {asset: source.market_for(asset) for asset in dict.fromkeys(assets)}
    unlisted = [asset for asset, found in markets.items() if found is None]
    if unlisted:
        raise LookupError(f"{source.name} does not list {', '.join(unlisted)}")
    summary = BackfillSummary(source.name, timeframe)
    for asset, found in markets.items():
        assert found is not None
        market, quote = found
        market_id = await register_market(deps, source.name, market, asset, quote)
        summary.assets.append(
            await _backfill_market(
                deps, source, asset, market, market_id, timeframe, start, end, progress, page
            )
        )
    return summary


async def _backfill_market(
    deps: Deps,
    source: MarketSource,
    asset: str,
    market: str,
    market_id: int,
    timeframe: str,
    start: datetime,
    end: datetime,
    progress: bool,
    page: int,
) -> AssetBackfill:
    """Page forward from `start`. The cursor moves past the newest candle of each page, so it
    only ever grows; an empty page (nothing more, or nothing new) ends the loop."""
    step = TIMEFRAMES[timeframe]
    cursor = start
    fetched = written = pages = 0
    first = last = None
    with tqdm(
        total=math.ceil((end - start) / step),
        desc=f"{source.name} {asset} {timeframe}",
        unit=f" × {timeframe}",
        disable=not progress,
    ) as bar:
        while cursor < end:
            received = await source.fetch_candles(asset, timeframe, since=cursor, limit=page)
            pages += 1
            fresh = [c for c in received if cursor <= c.ts < end]
            if not fresh:
                break
            written += await store_candles(deps, market_id, timeframe, fresh)
            fetched += len(fresh)
            newest = max(c.ts for c in fresh)
            first = first or min(c.ts for c in fresh)
            last = newest
            advanced = min(newest + step, end)
            bar.update(math.ceil((advanced - cursor) / step))
            cursor = newest + step
    return AssetBackfill(asset, market, market_id, fetched, written, pages, first, last)
