"""Candles as a use case needs them: one asset, one timeframe, from its best-covered market.

A building block, not a use case: it takes the caller's session and opens no transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.market import TIMEFRAMES, Candle, floor_time, resample
from db.candles import load_candles, market_ids_for
from db.models import Market
from services.deps import Deps

# Timeframes stored as such; the others are built from a shorter stored one.
BUILT_FROM = {"4h": "1h"}


@dataclass(frozen=True)
class Series:
    asset: str
    timeframe: str
    exchange: str
    quote: str
    candles: list[Candle]
    stored: int  # candles of the base timeframe held for this market in all

    @property
    def first(self) -> datetime | None:
        return self.candles[0].ts if self.candles else None


async def load_series(
    deps: Deps,
    session: AsyncSession,
    asset: str,
    timeframe: str,
    span: timedelta | None = None,
    limit: int | None = None,
) -> Series | None:
    """The asset's candles over the last `span` (or the latest `limit`), or None if none are
    stored. The market with the most candles wins; ties go to the configured exchange order."""
    base = BUILT_FROM.get(timeframe, timeframe)
    markets = await market_ids_for(session, asset, base)
    if not markets:
        return None
    order = {name: i for i, name in enumerate(deps.settings.exchanges)}
    market_id, exchange, stored = max(markets, key=lambda m: (m[2], -order.get(m[1], len(order))))
    quote = await session.scalar(select(Market.quote).where(Market.id == market_id))
    since = floor_time(deps.clock.now() - span, timeframe) if span is not None else None
    if limit is not None and base != timeframe:
        limit *= int(TIMEFRAMES[timeframe] / TIMEFRAMES[base])
    candles = await load_candles(session, market_id, base, since=since, limit=limit)
    if base != timeframe:
        candles = resample(candles, timeframe)
    return Series(asset, timeframe, exchange, quote or "", candles, stored)


def covered_span(series: Series, now: datetime) -> timedelta:
    return now - series.first if series.first else timedelta(0)
