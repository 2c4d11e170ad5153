"""A person's trades and daily portfolio snapshots. Every query is scoped to one person."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Asset, PortfolioSnapshot, Trade
from db.upsert import insert_for

TradeRow = tuple[int, str, str, Decimal, Decimal, Decimal, datetime, str]  # id … quote


def _columns():
    return (
        Trade.id,
        Asset.symbol,
        Trade.side,
        Trade.quantity,
        Trade.price,
        Trade.fee,
        Trade.executed_at,
        Trade.quote_currency,
    )


async def all_trades(session: AsyncSession, user_id: int) -> list[TradeRow]:
    """Every trade of the person, oldest first (ties in the order they were recorded)."""
    rows = await session.execute(
        select(*_columns())
        .join(Asset, Asset.id == Trade.asset_id)
        .where(Trade.user_id == user_id)
        .order_by(Trade.executed_at, Trade.id)
    )
    return [tuple(row) for row in rows]


async def page(
    session: AsyncSession, user_id: int, offset: int, limit: int, asset_id: int | None = None
) -> tuple[list[TradeRow], int]:
    """One page of the person's trades, newest first, and how many there are in all."""
    where = [Trade.user_id == user_id]
    if asset_id is not None:
        where.append(Trade.asset_id == asset_id)
    total = await session.scalar(select(func.count()).select_from(Trade).where(*where)) or 0
    rows = await session.execute(
        select(*_columns())
        .join(Asset, Asset.id == Trade.asset_id)
        .where(*where)
        .order_by(Trade.executed_at.desc(), Trade.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [tuple(row) for row in rows], total


async def last_recorded(session: AsyncSession, user_id: int) -> TradeRow | None:
    """The trade the person recorded most recently (what /undo removes)."""
    row = (
        await session.execute(
            select(*_columns())
            .join(Asset, Asset.id == Trade.asset_id)
            .where(Trade.user_id == user_id)
            .order_by(Trade.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else tuple(row)


async def add(
    session: AsyncSession,
    user_id: int,
    rows: Sequence[tuple[int, str, Decimal, Decimal, Decimal, datetime, str]],
    now: datetime,
) -> list[int]:
    """Record trades (asset id, side, quantity, price, fee, executed at, quote); their ids."""
    trades = [
        Trade(
            user_id=user_id,
            asset_id=asset_id,
            side=side,
            quantity=quantity,
            price=price,
            fee=fee,
            executed_at=executed_at,
            quote_currency=quote,
            created_at=now,
        )
        for asset_id, side, quantity, price, fee, executed_at, quote in rows
    ]
    session.add_all(trades)
    await session.flush()
    return [t.id for t in trades]


async def remove(session: AsyncSession, user_id: int, trade_id: int) -> bool:
    """Delete one of the person's trades; False if it is not theirs or not there."""
    result = await session.execute(
        delete(Trade).where(Trade.id == trade_id, Trade.user_id == user_id)
    )
    return bool(result.rowcount)


async def count(session: AsyncSession, user_id: int) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(Trade).where(Trade.user_id == user_id)
        )
        or 0
    )


async def owners(session: AsyncSession) -> list[tuple[int, str]]:
    """(user id, quote currency) of everyone with at least one trade."""
    rows = await session.execute(
        select(Trade.user_id, Trade.quote_currency).distinct().order_by(Trade.user_id)
    )
    return [tuple(row) for row in rows]


async def save_snapshot(
    session: AsyncSession,
    user_id: int,
    day: datetime,
    value: Decimal,
    invested: Decimal,
    quote: str,
) -> None:
    values = {"value": value, "invested": invested, "quote_currency": quote}
    stmt = insert_for(session, PortfolioSnapshot).values(user_id=user_id, day=day, **values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[PortfolioSnapshot.user_id, PortfolioSnapshot.day], set_=values
        )
    )


async def snapshots(
    session: AsyncSession, user_id: int, since: datetime | None = None
) -> list[tuple[datetime, Decimal, Decimal]]:
    query = select(PortfolioSnapshot.day, PortfolioSnapshot.value, PortfolioSnapshot.invested)
    query = query.where(PortfolioSnapshot.user_id == user_id)
    if since is not None:
        query = query.where(PortfolioSnapshot.day >= since)
    rows = await session.execute(query.order_by(PortfolioSnapshot.day))
    return [tuple(row) for row in rows]


async def quotes_used(session: AsyncSession, user_id: int) -> list[str]:
    """The currencies the person's trades are priced in, each once."""
    found = await session.scalars(
        select(Trade.quote_currency).distinct().where(Trade.user_id == user_id)
    )
    return list(found)
