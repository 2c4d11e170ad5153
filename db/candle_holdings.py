"""What an asset's markets hold of candles, without reading the candles: per market and
timeframe, the newest open time, and how many there are since a moment. Reads only; which
series to believe is `core.series_choice`'s rule."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Asset, Market
from db.models import Candle as CandleRow


@dataclass(frozen=True, slots=True)
class Holding:
    """One market's candles of one timeframe: the newest, and those since the moment asked."""

    market_id: int
    exchange: str
    pair: str  # the market's symbol, "BTC/USDT"
    quote: str
    kind: str  # "spot" or "perp"
    timeframe: str
    newest: datetime
    count: int  # since the moment asked (0 when not counted)
    first: datetime | None  # the first since the moment asked (None when not counted)


async def candle_holdings(
    session: AsyncSession,
    asset: str,
    timeframes: Sequence[str],
    since: datetime | None,
    counted: Collection[str] | None = None,
) -> list[Holding]:
    """A Holding for each market of `asset` and each of `timeframes` it has candles of; the
    candles since `since` are counted for the `counted` timeframes only (default: all).

    One statement over the asset's markets, with index look-ups per market: the newest open
    time a seek, the count a range scan of the span only (years of history before `since`
    are not read). Counting is what costs (SQLite: about a microsecond a candle), so finer
    timeframes are better measured with `candle_range`.
    """
    if not timeframes:
        return []
    counted = timeframes if counted is None else counted
    columns = []
    for timeframe in timeframes:
        of = (CandleRow.market_id == Market.id, CandleRow.timeframe == timeframe)
        span = (*of, CandleRow.ts >= since) if since is not None else of
        columns.append(_seek(of, newest=True))
        if timeframe in counted:
            counting = select(func.count()).select_from(CandleRow).where(*span)
            columns += [counting.scalar_subquery(), _seek(span, newest=False)]
    rows = await session.execute(
        select(Market.id, Market.exchange, Market.symbol, Market.quote, Market.kind, *columns)
        .join(Asset, Asset.id == Market.asset_id)
        .where(Asset.symbol == asset)
        .order_by(Market.id)
    )
    held = []
    for market_id, exchange, pair, quote, kind, *values in rows:
        for timeframe in timeframes:
            newest = values.pop(0)
            count, first = (values.pop(0), values.pop(0)) if timeframe in counted else (0, None)
            if newest is not None:
                held.append(
                    Holding(market_id, exchange, pair, quote, kind, timeframe, newest, count, first)
                )
    return held


async def candle_range(
    session: AsyncSession,
    market_id: int,
    timeframe: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[datetime, datetime] | None:
    """The first and last open time of one market's candles of `timeframe` in [since, until),
    or None when it has none there: two index seeks, however many candles lie between."""
    span = _span(market_id, timeframe, since, until)
    first = _seek(span, newest=False)
    last = _seek(span, newest=True)
    row = (await session.execute(select(first, last))).one()
    return None if row[0] is None else (row[0], row[1])


def _of(market_id: int, timeframe: str) -> tuple[Any, ...]:
    return CandleRow.market_id == market_id, CandleRow.timeframe == timeframe


def _span(
    market_id: int, timeframe: str, since: datetime | None, until: datetime | None = None
) -> tuple[Any, ...]:
    span = _of(market_id, timeframe)
    if since is not None:
        span = (*span, CandleRow.ts >= since)
    if until is not None:
        span = (*span, CandleRow.ts < until)
    return span


def _seek(where: tuple[Any, ...], *, newest: bool) -> Any:
    """The first (or newest) open time where `where` holds. ORDER BY … LIMIT 1 rather than
    min()/max(): SQLite reads the index's end for those only at a query's top level, and as a
    subquery scanned all of a market's candles."""
    order = CandleRow.ts.desc() if newest else CandleRow.ts
    return select(CandleRow.ts).where(*where).order_by(order).limit(1).scalar_subquery()
