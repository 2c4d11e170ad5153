"""How fresh what Pythia holds is: the newest price, candle and feed fetch of each source.
Each is an index-backed aggregate over a few rows (one per market or feed), cheap enough to
read at every metrics scrape. (The outbox's backlog is db.repos.status.outbox_backlog.)"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Candle, LatestPrice, Market
from db.news import NewsFeed


async def last_prices(session: AsyncSession) -> dict[str, datetime]:
    """When each exchange's latest price was last stored."""
    rows = await session.execute(
        select(Market.exchange, func.max(LatestPrice.updated_at))
        .join(LatestPrice, LatestPrice.market_id == Market.id)
        .group_by(Market.exchange)
    )
    return {exchange: at for exchange, at in rows if at is not None}


async def last_candles(
    session: AsyncSession, timeframes: Collection[str]
) -> dict[tuple[str, str], datetime]:
    """The newest candle's open time of each exchange and timeframe: per market the index's
    last entry (never a scan of the candles), then the newest over the exchange's markets."""
    found: dict[tuple[str, str], datetime] = {}
    for timeframe in timeframes:
        newest = (
            select(func.max(Candle.ts))
            .where(and_(Candle.market_id == Market.id, Candle.timeframe == timeframe))
            .scalar_subquery()
        )
        per_market = select(Market.exchange.label("exchange"), newest.label("ts")).subquery()
        rows = await session.execute(
            select(per_market.c.exchange, func.max(per_market.c.ts)).group_by(per_market.c.exchange)
        )
        found.update({(exchange, timeframe): at for exchange, at in rows if at is not None})
    return found


async def feeds_fetched(session: AsyncSession, urls: Collection[str]) -> dict[str, datetime]:
    """When each of these feeds (by URL) was last fetched without error, by publisher."""
    rows = await session.execute(
        select(NewsFeed.publisher, func.max(NewsFeed.last_ok_at))
        .where(NewsFeed.url.in_(list(urls)), NewsFeed.last_ok_at.is_not(None))
        .group_by(NewsFeed.publisher)
    )
    return {publisher: at for publisher, at in rows if at is not None}
