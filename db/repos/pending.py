"""Actions waiting for their owner's Confirm. Taking one is a conditional update: of two
presses (or two processes) exactly one finds it unanswered."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import PendingAction


async def add(
    session: AsyncSession,
    token: str,
    user_id: int,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        PendingAction(
            token=token,
            user_id=user_id,
            kind=kind,
            payload=payload,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def take(
    session: AsyncSession, token: str, user_id: int, now: datetime
) -> tuple[str, dict[str, Any]] | None:
    """Mark the person's pending action answered and return its kind and payload; None if it
    is not theirs, has expired, was answered already, or never was."""
    row = (
        await session.execute(
            update(PendingAction)
            .where(
                PendingAction.token == token,
                PendingAction.user_id == user_id,
                PendingAction.answered_at.is_(None),
                PendingAction.expires_at > now,
            )
            .values(answered_at=now)
            .returning(PendingAction.kind, PendingAction.payload)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def find(session: AsyncSession, token: str) -> PendingAction | None:
    return await session.scalar(select(PendingAction).where(PendingAction.token == token))


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget actions that expired before `before`."""
    result = await session.execute(delete(PendingAction).where(PendingAction.expires_at < before))
    return cast(CursorResult[Any], result).rowcount or 0
