"""Alerts rows: what a person set, what the workers match, what fired. Repositories never
commit and never decide; `core.alerts.storage` maps rows to specs and back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Alert, Asset, Chat, User
from db.repos.chats import POSTABLE

LIVE = ("active", "paused")  # what a new alert may not duplicate
SHOWN = ("active", "paused", "fired", "expired")  # what /alerts lists

# What matching needs of an alert row (with its coin's symbol).
MATCHED = (
    Alert.id,
    Asset.symbol,
    Alert.status,
    Alert.kind,
    Alert.direction,
    Alert.threshold,
    Alert.timeframe,
    Alert.window_seconds,
    Alert.params,
    Alert.recurring,
    Alert.cooldown_seconds,
    Alert.expires_at,
    Alert.last_fired_at,
    Alert.created_at,
    Alert.updated_at,
)
# And firing: whose, where it goes, how often it fired, the person's quiet hours.
FIRING = (
    Alert.user_id,
    Alert.chat_id,
    Alert.thread_id,
    Alert.fire_count,
    User.timezone,
    User.quiet_start,
    User.quiet_end,
)


# ---- a chat's alerts -----------------------------------------------------------------------------
# A private chat's alerts are its person's (its id is theirs); a group's are those that post to it,
# whichever of its admins set them.


def _in(chat_id: int) -> list[Any]:
    """Alerts that post to `chat_id` (a private chat's: by `user_id` too, which is indexed)."""
    where = [Alert.chat_id == chat_id]
    if chat_id > 0:  # a private chat: its id is its person's
        where.append(Alert.user_id == chat_id)
    return where


async def live_on(session: AsyncSession, chat_id: int, asset_id: int) -> list[Alert]:
    """The chat's active and paused alerts on one coin."""
    rows = await session.scalars(
        select(Alert).where(*_in(chat_id), Alert.asset_id == asset_id, Alert.status.in_(LIVE))
    )
    return list(rows)


async def count_active(session: AsyncSession, chat_id: int) -> int:
    query = select(func.count()).where(*_in(chat_id), Alert.status == "active")
    return await session.scalar(query) or 0


async def add(
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    asset_id: int,
    columns: dict[str, Any],
    now: datetime,
    thread_id: int | None = None,
) -> int:
    """A new active alert (`columns` from `core.alerts.storage.columns_of`), posting into forum
    topic `thread_id` of its chat if given; its id."""
    row = Alert(
        user_id=user_id,
        chat_id=chat_id,
        thread_id=thread_id,
        asset_id=asset_id,
        status="active",
        fire_count=0,
        created_at=now,
        updated_at=now,
        **columns,
    )
    session.add(row)
    await session.flush()
    return row.id


async def find(session: AsyncSession, chat_id: int, alert_id: int) -> Alert | None:
    """The chat's alert by id; None if it posts elsewhere, was deleted or never was."""
    return await session.scalar(
        select(Alert).where(Alert.id == alert_id, *_in(chat_id), Alert.status != "deleted")
    )


async def shown(session: AsyncSession, chat_id: int) -> list[tuple[Alert, str]]:
    """The chat's alerts /alerts lists, each with its coin's symbol."""
    rows = await session.execute(
        select(Alert, Asset.symbol)
        .join(Asset, Asset.id == Alert.asset_id)
        .where(*_in(chat_id), Alert.status.in_(SHOWN))
        .execution_options(populate_existing=True)  # as changed earlier in the transaction
    )
    return [(alert, symbol) for alert, symbol in rows.tuples()]


async def set_status(
    session: AsyncSession,
    chat_id: int,
    alert_id: int,
    status: str,
    allowed_from: Sequence[str],
    now: datetime,
) -> bool:
    """Move one of the chat's alerts to `status` if it is in one of `allowed_from`."""
    result = await session.execute(
        update(Alert)
        .where(Alert.id == alert_id, *_in(chat_id), Alert.status.in_(allowed_from))
        .values(status=status, updated_at=now)
    )
    return bool(cast(CursorResult[Any], result).rowcount)


async def pause_all_for_user(session: AsyncSession, user_id: int, now: datetime) -> list[int]:
    """Pause every active alert of a person's private chat (they blocked the bot); the ids
    paused. Those they set for a group post there still: they are the group's."""
    result = await session.execute(
        update(Alert)
        .where(*_in(user_id), Alert.status == "active")
        .values(status="paused", updated_at=now)
        .returning(Alert.id)
    )
    return sorted(result.scalars())


async def expire_due(session: AsyncSession, now: datetime) -> list[int]:
    """Active and paused alerts whose end has come become 'expired'; their ids."""
    result = await session.execute(
        update(Alert)
        .where(
            Alert.status.in_(("active", "paused")),
            Alert.expires_at.is_not(None),
            Alert.expires_at <= now,
        )
        .values(status="expired", updated_at=now)
        .returning(Alert.id)
    )
    return list(result.scalars())


# ---- matching and firing -------------------------------------------------------------------------


# An active alert in a chat Pythia may not post in now (the bot removed from the group, a
# channel unlinked, a group become a supergroup) reads as HELD: not matched, not fired.
HELD = "held"
_STATUS = case((POSTABLE, Alert.status), else_=literal(HELD)).label("status")
_MATCHED_HELD = tuple(_STATUS if column is Alert.status else column for column in MATCHED)


def _matched() -> Any:
    return (
        select(*_MATCHED_HELD)
        .join(Asset, Asset.id == Alert.asset_id)
        .join(Chat, Chat.id == Alert.chat_id)
    )


async def active(session: AsyncSession) -> list[Any]:
    """Every active alert of a chat Pythia posts in, as `MATCHED` rows."""
    query = _matched().where(Alert.status == "active", POSTABLE)
    return list(await session.execute(query))


async def changed_since(session: AsyncSession, since: datetime) -> list[Any]:
    """Alerts of any status changed at or after `since` (by `updated_at`)."""
    return list(await session.execute(_matched().where(Alert.updated_at >= since)))


async def newest_change(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(func.max(Alert.updated_at)))


async def for_firing(session: AsyncSession, ids: Sequence[int]) -> dict[int, Any]:
    """`MATCHED` and `FIRING` columns of these alerts, by id."""
    rows = await session.execute(
        select(*_MATCHED_HELD, *FIRING)
        .join(Asset, Asset.id == Alert.asset_id)
        .join(Chat, Chat.id == Alert.chat_id)
        .join(User, User.id == Alert.user_id)
        .where(Alert.id.in_(ids))
    )
    return {row.id: row for row in rows}


async def mark_fired(
    session: AsyncSession, alert_id: int, fire_count: int, done: bool, at: datetime, now: datetime
) -> bool:
    """Fired on an event at `at`: if still active with the `fire_count` it was read with (else
    another process fired it, or it changed, since), counted, and 'fired' when `done`."""
    marked = await session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.status == "active", Alert.fire_count == fire_count)
        .values(
            status="fired" if done else "active",
            last_fired_at=at,
            fire_count=fire_count + 1,
            updated_at=now,
        )
    )
    return cast(CursorResult[Any], marked).rowcount == 1
