"""Asking before acting: an action is kept pending under a random token until its owner
answers it, once. Use cases that ask (`/buy`, `/undo`, an import) store it with `ask`; the use
case that acts takes it with `take`, in the transaction that acts."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.refusal import Refusal
from db.repos import pending

PENDING_FOR = timedelta(minutes=10)  # to make up one's mind


async def ask(
    session: AsyncSession, user_id: int, kind: str, payload: dict[str, Any], now: datetime
) -> str:
    """Keep an action pending for `user_id`; returns the token its buttons carry."""
    token = secrets.token_urlsafe(12)
    await pending.add(session, token, user_id, kind, payload, now, now + PENDING_FOR)
    return token


async def take(
    session: AsyncSession, token: str, user_id: int, now: datetime
) -> tuple[str, dict[str, Any]]:
    """The pending action's kind and payload, now answered; or Refusal `confirm.not_yours`,
    `confirm.answered` or `confirm.expired` (nothing changes then)."""
    taken = await pending.take(session, token, user_id, now)
    if taken is not None:
        return taken
    row = await pending.find(session, token)
    if row is None or row.expires_at <= now:
        raise Refusal("confirm.expired")
    if row.user_id != user_id:
        raise Refusal("confirm.not_yours")
    raise Refusal("confirm.answered")
