"""A person's trades and daily portfolio snapshots. Every query is scoped to one person (but
`owners` and `snapshotted`, which the snapshot job asks of everyone, and `prune_staged`).

An import's trades are first staged (`stage`, in as many short transactions as the caller
likes), then moved into `trades` by one statement (`record_staged`); no function here that
reads a ledger reads what is staged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import BigInteger, CursorResult, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.portfolio import Trade
from db.models import Asset, PortfolioSnapshot
from db.models import Trade as TradeModel
from db.staging import StagedTrade
from db.types import UTCDateTime
from db.upsert import insert_for

# What changes whenever a person's trades do: their count, the last id, the last recording.
Version = tuple[int, int | None, datetime | None]
NewTrade = tuple[int, str, Decimal, Decimal, Decimal, datetime, str]  # asset id, side … quote


def version_json(version: Version) -> list[Any]:
    """A version as JSON keeps it (in a pending action), comparable with `==` once read back."""
    count, last_id, last_at = version
    return [count, last_id, None if last_at is None else last_at.isoformat()]


def _columns():
    return (
        TradeModel.id,
        Asset.symbol,
        TradeModel.side,
        TradeModel.quantity,
        TradeModel.price,
        TradeModel.fee,
        TradeModel.executed_at,
        TradeModel.quote_currency,
    )


def _trades(rows) -> list[Trade]:
    return [Trade(*row) for row in rows]


async def all_trades(session: AsyncSession, user_id: int) -> list[Trade]:
    """Every trade of the person as stored, oldest first (ties in the order they were recorded)."""
    rows = await session.execute(
        select(*_columns())
        .join(Asset, Asset.id == TradeModel.asset_id)
        .where(TradeModel.user_id == user_id)
        .order_by(TradeModel.executed_at, TradeModel.id)
    )
    return _trades(rows)


async def recorded_after(session: AsyncSession, user_id: int, last_id: int) -> list[Trade]:
    """The person's trades recorded after the one with id `last_id`."""
    rows = await session.execute(
        select(*_columns())
        .join(Asset, Asset.id == TradeModel.asset_id)
        .where(TradeModel.user_id == user_id, TradeModel.id > last_id)
    )
    return _trades(rows)


async def version(session: AsyncSession, user_id: int) -> Version:
    """Changes whenever the person's trades do: one more or one fewer changes the count, and a
    trade recorded in place of one removed has a later id or a later recording time."""
    row = (
        await session.execute(
            select(func.count(), func.max(TradeModel.id), func.max(TradeModel.created_at)).where(
                TradeModel.user_id == user_id
            )
        )
    ).one()
    return row[0], row[1], row[2]


async def page(
    session: AsyncSession, user_id: int, offset: int, limit: int, asset_id: int | None = None
) -> tuple[list[Trade], int]:
    """One page of the person's trades, newest first, and how many there are in all."""
    where = [TradeModel.user_id == user_id]
    if asset_id is not None:
        where.append(TradeModel.asset_id == asset_id)
    total = await session.scalar(select(func.count()).select_from(TradeModel).where(*where)) or 0
    rows = await session.execute(
        select(*_columns())
        .join(Asset, Asset.id == TradeModel.asset_id)
        .where(*where)
        .order_by(TradeModel.executed_at.desc(), TradeModel.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return _trades(rows), total


async def last_recorded(session: AsyncSession, user_id: int) -> Trade | None:
    """The trade the person recorded most recently (what /undo removes)."""
    row = (
        await session.execute(
            select(*_columns())
            .join(Asset, Asset.id == TradeModel.asset_id)
            .where(TradeModel.user_id == user_id)
            .order_by(TradeModel.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else Trade(*row)


async def add(
    session: AsyncSession, user_id: int, rows: Sequence[NewTrade], now: datetime
) -> list[int]:
    """Record trades (asset id, side, quantity, price, fee, executed at, quote); their ids."""
    trades = [
        TradeModel(
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


async def stage(
    session: AsyncSession, batch: str, user_id: int, rows: Sequence[NewTrade], now: datetime
) -> None:
    """Stage trades of an import under `batch`, to be recorded in the order staged."""
    await session.execute(
        insert(StagedTrade),
        [
            {
                "batch": batch,
                "user_id": user_id,
                "asset_id": asset_id,
                "side": side,
                "quantity": quantity,
                "price": price,
                "fee": fee,
                "executed_at": executed_at,
                "quote_currency": quote,
                "staged_at": now,
            }
            for asset_id, side, quantity, price, fee, executed_at, quote in rows
        ],
    )


async def staged_assets(session: AsyncSession, batch: str) -> dict[str, int]:
    """The coins of the person's staged batch: symbol -> asset id."""
    rows = await session.execute(
        select(Asset.symbol, Asset.id).where(
            Asset.id.in_(select(StagedTrade.asset_id).where(StagedTrade.batch == batch))
        )
    )
    return {symbol: asset_id for symbol, asset_id in rows}


async def staged(session: AsyncSession, batch: str, user_id: int) -> list[Trade]:
    """The person's trades staged under `batch`, in the order staged (no ids yet)."""
    rows = await session.execute(
        select(
            literal(None).label("id"),
            Asset.symbol,
            StagedTrade.side,
            StagedTrade.quantity,
            StagedTrade.price,
            StagedTrade.fee,
            StagedTrade.executed_at,
            StagedTrade.quote_currency,
        )
        .join(Asset, Asset.id == StagedTrade.asset_id)
        .where(StagedTrade.batch == batch, StagedTrade.user_id == user_id)
        .order_by(StagedTrade.id)
    )
    return _trades(rows)


async def record_staged(session: AsyncSession, batch: str, user_id: int, now: datetime) -> int:
    """Record the person's trades staged under `batch`, in the order staged, with one
    INSERT … SELECT (no row passes through Python), and unstage them; how many there were."""
    source = (
        select(
            literal(user_id, BigInteger),
            StagedTrade.asset_id,
            StagedTrade.side,
            StagedTrade.quantity,
            StagedTrade.price,
            StagedTrade.fee,
            StagedTrade.quote_currency,
            StagedTrade.executed_at,
            literal(now, UTCDateTime()),
        )
        .where(StagedTrade.batch == batch, StagedTrade.user_id == user_id)
        .order_by(StagedTrade.id)  # ids follow the staging order: ties keep the file's order
    )
    columns = ["user_id", "asset_id", "side", "quantity", "price", "fee", "quote_currency",
               "executed_at", "created_at"]  # fmt: skip
    result = await session.execute(insert(TradeModel).from_select(columns, source))
    await unstage(session, batch)
    return cast(CursorResult[Any], result).rowcount


async def unstage(session: AsyncSession, batch: str) -> None:
    await session.execute(delete(StagedTrade).where(StagedTrade.batch == batch))


async def prune_staged(session: AsyncSession, before: datetime) -> int:
    """Forget the trades staged before `before` (imports never confirmed, or cut short)."""
    result = await session.execute(delete(StagedTrade).where(StagedTrade.staged_at < before))
    return cast(CursorResult[Any], result).rowcount or 0


async def remove(session: AsyncSession, user_id: int, trade_id: int) -> bool:
    """Delete one of the person's trades; False if it is not theirs or not there."""
    result = await session.execute(
        delete(TradeModel).where(TradeModel.id == trade_id, TradeModel.user_id == user_id)
    )
    return bool(cast(CursorResult[Any], result).rowcount)


async def count(session: AsyncSession, user_id: int) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(TradeModel).where(TradeModel.user_id == user_id)
        )
        or 0
    )


async def owners(session: AsyncSession) -> list[int]:
    """Everyone with at least one trade."""
    return list(
        await session.scalars(select(TradeModel.user_id).distinct().order_by(TradeModel.user_id))
    )


async def snapshotted(session: AsyncSession, day: datetime) -> set[int]:
    """The people who have a snapshot of `day`."""
    found = await session.scalars(
        select(PortfolioSnapshot.user_id).where(PortfolioSnapshot.day == day)
    )
    return set(found)


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
    return [(row[0], row[1], row[2]) for row in rows]


async def quotes_used(session: AsyncSession, user_id: int) -> list[str]:
    """The currencies the person's trades are priced in, each once."""
    found = await session.scalars(
        select(TradeModel.quote_currency).distinct().where(TradeModel.user_id == user_id)
    )
    return list(found)
