"""Prices a day ago, from the stored candles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Candle, Market


async def opens_at(
    session: AsyncSession, markets: Sequence[tuple[str, str]], opens: Mapping[str, datetime]
) -> dict[tuple[str, str], Decimal]:
    """(exchange, market) -> the open price of its stored candle of the first timeframe in
    `opens` (timeframe -> open time) that has one; markets without any are left out."""
    if not markets or not opens:
        return {}
    rows = await session.execute(
        select(Market.exchange, Market.symbol, Candle.timeframe, Candle.open)
        .join(Candle, Candle.market_id == Market.id)
        .where(
            or_(*(and_(Market.exchange == e, Market.symbol == m) for e, m in markets)),
            or_(*(and_(Candle.timeframe == tf, Candle.ts == ts) for tf, ts in opens.items())),
        )
    )
    rank = {tf: i for i, tf in enumerate(opens)}
    best: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for exchange, symbol, timeframe, price in rows:
        key = (exchange, symbol)
        if key not in best or rank[timeframe] < best[key][0]:
            best[key] = (rank[timeframe], price)
    return {key: price for key, (_, price) in best.items()}
