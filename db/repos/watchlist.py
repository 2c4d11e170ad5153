"""A person's watchlist: the coins /prices shows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Asset, WatchlistItem
from db.upsert import insert_for


async def watched(session: AsyncSession, user_id: int) -> list[str]:
    """The person's coins in the order they added them."""
    rows = await session.scalars(
        select(Asset.symbol)
        .join(WatchlistItem, WatchlistItem.asset_id == Asset.id)
        .where(WatchlistItem.user_id == user_id)
        .order_by(WatchlistItem.created_at, Asset.symbol)
    )
    return list(rows)


async def count(session: AsyncSession, user_id: int) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(WatchlistItem).where(WatchlistItem.user_id == user_id)
        )
        or 0
    )


async def add(session: AsyncSession, user_id: int, asset_ids: Sequence[int], now: datetime) -> None:
    for asset_id in asset_ids:
        stmt = insert_for(session, WatchlistItem).values(
            user_id=user_id, asset_id=asset_id, created_at=now
        )
        await session.execute(stmt.on_conflict_do_nothing())


async def remove(session: AsyncSession, user_id: int, asset_ids: Sequence[int]) -> int:
    result = await session.execute(
        delete(WatchlistItem).where(
            WatchlistItem.user_id == user_id, WatchlistItem.asset_id.in_(asset_ids)
        )
    )
    return cast(CursorResult[Any], result).rowcount or 0  # a DELETE's result has a row count
