"""Latest prices in the database: written by ingestion, read when the cache has nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.market import PriceQuote, Ticker
from db.models import Asset, LatestPrice, Market
from db.upsert import insert_for


async def save_latest(
    session: AsyncSession, rows: Sequence[tuple[int, PriceQuote]], now: datetime
) -> None:
    """Upsert the latest quote of each market id."""
    for market_id, quote in rows:
        values = {
            "price": quote.price,
            "change_24h_pct": quote.change_24h_pct,
            "volume_24h": quote.volume_24h,
            "ts": quote.ts,
            "updated_at": now,
        }
        stmt = insert_for(session, LatestPrice).values(market_id=market_id, **values)
        await session.execute(
            stmt.on_conflict_do_update(index_elements=[LatestPrice.market_id], set_=values)
        )


async def latest_for_assets(session: AsyncSession, assets: Sequence[str]) -> dict[str, PriceQuote]:
    """The freshest stored quote of each asset over all its markets."""
    rows = (
        await session.execute(
            select(Asset.symbol, Market.exchange, Market.quote, LatestPrice)
            .join(Market, Market.asset_id == Asset.id)
            .join(LatestPrice, LatestPrice.market_id == Market.id)
            .where(Asset.symbol.in_(assets))
        )
    ).all()
    found: dict[str, PriceQuote] = {}
    for symbol, exchange, quote_ccy, latest in rows:
        quote = PriceQuote(
            asset=symbol,
            price=latest.price,
            quote=quote_ccy,
            exchange=exchange,
            ts=latest.ts,
            change_24h_pct=latest.change_24h_pct,
            volume_24h=latest.volume_24h,
        )
        if symbol not in found or quote.ts > found[symbol].ts:
            found[symbol] = quote
    return found


async def latest_tickers(session: AsyncSession, assets: Sequence[str]) -> list[Ticker]:
    """The last stored quote of every market of `assets`, as the exchange's ticker."""
    rows = (
        await session.execute(
            select(
                Asset.symbol, Market.exchange, Market.symbol, Market.quote, Market.kind, LatestPrice
            )
            .join(Market, Market.asset_id == Asset.id)
            .join(LatestPrice, LatestPrice.market_id == Market.id)
            .where(Asset.symbol.in_(assets))
        )
    ).all()
    return [
        Ticker(
            exchange=exchange,
            market=market,
            base=asset,
            quote=quote,
            last=latest.price,
            ts=latest.ts,
            change_24h_pct=latest.change_24h_pct,
            base_volume_24h=latest.volume_24h,
            kind=kind,
        )
        for asset, exchange, market, quote, kind, latest in rows
    ]
