"""Digest subscriptions: a chat's (and topic's) scheduled digests, their next run time, and the
claim of what is due. Every query of one digest is scoped to its chat. Repositories never
commit.

The claim takes the due rows of postable chats, oldest first; on Postgres it locks them with
`FOR UPDATE SKIP LOCKED`, so two workers never take one row (SQLite has one writer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.digest.schedule import next_runs
from db.models import Chat, DigestSubscription
from db.repos.chats import POSTABLE

Row = DigestSubscription


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed digest: what composing and posting it needs."""

    id: int
    chat_id: int
    thread_id: int | None
    schedule: str
    timezone: str
    sections: tuple[str, ...]
    coins: tuple[str, ...]
    next_run_at: datetime


def contents(sections: Sequence[str], coins: Sequence[str]) -> dict[str, Any]:
    return {"sections": list(sections), "coins": list(coins)}


def sections_of(row: Row) -> tuple[str, ...]:
    return tuple((row.contents or {}).get("sections") or ())


def coins_of(row: Row) -> tuple[str, ...]:
    return tuple((row.contents or {}).get("coins") or ())


async def of_chat(session: AsyncSession, chat_id: int, thread_id: int | None = None) -> list[Row]:
    """The chat's digests (only the topic's, with `thread_id`), oldest first."""
    query = select(Row).where(Row.chat_id == chat_id)
    if thread_id is not None:
        query = query.where(Row.thread_id == thread_id)
    return list(await session.scalars(query.order_by(Row.id)))


async def one(session: AsyncSession, chat_id: int, digest_id: int) -> Row | None:
    """The digest `digest_id` if it is the chat's."""
    query = select(Row).where(Row.id == digest_id, Row.chat_id == chat_id)
    return cast(Row | None, await session.scalar(query))


async def count(session: AsyncSession, chat_id: int) -> int:
    query = select(func.count()).select_from(Row).where(Row.chat_id == chat_id)
    return int(await session.scalar(query) or 0)


async def add(
    session: AsyncSession,
    *,
    chat_id: int,
    created_by: int | None,
    thread_id: int | None,
    schedule: str,
    timezone: str,
    sections: Sequence[str],
    coins: Sequence[str],
    next_run_at: datetime,
    now: datetime,
) -> Row:
    row = Row(
        chat_id=chat_id,
        created_by=created_by,
        thread_id=thread_id,
        schedule=schedule,
        timezone=timezone,
        contents=contents(sections, coins),
        active=True,
        next_run_at=next_run_at,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def change(session: AsyncSession, chat_id: int, digest_id: int, **values: Any) -> bool:
    """Change the chat's digest `digest_id`; False when the chat has no such digest."""
    result = await session.execute(
        update(Row).where(Row.id == digest_id, Row.chat_id == chat_id).values(**values)
    )
    return cast(CursorResult[Any], result).rowcount > 0


async def remove(session: AsyncSession, chat_id: int, digest_id: int) -> bool:
    result = await session.execute(delete(Row).where(Row.id == digest_id, Row.chat_id == chat_id))
    return cast(CursorResult[Any], result).rowcount > 0


async def set_zone(session: AsyncSession, chat_id: int, zone: str) -> None:
    """Every digest of the chat in the chat's (new) zone."""
    await session.execute(update(Row).where(Row.chat_id == chat_id).values(timezone=zone))


async def reschedule(session: AsyncSession, chat_id: int, now: datetime) -> int:
    """Every active digest of the chat from its next slot after `now`; how many."""
    changes = next_runs(await active_of(session, chat_id), now)
    await set_next_runs(session, changes)
    return len(changes)


async def move_to_zone(session: AsyncSession, chat_id: int, zone: str, now: datetime) -> None:
    """Every digest of the chat in `zone`, the active ones from their next slot there."""
    await set_zone(session, chat_id, zone)
    await reschedule(session, chat_id, now)


async def active_of(session: AsyncSession, chat_id: int) -> list[tuple[int, str, str]]:
    """(id, schedule, zone) of the chat's digests not paused by an admin."""
    query = select(Row.id, Row.schedule, Row.timezone).where(
        Row.chat_id == chat_id, Row.active.is_(True)
    )
    return [(r.id, r.schedule, r.timezone) for r in await session.execute(query.order_by(Row.id))]


async def set_next_runs(session: AsyncSession, changes: Mapping[int, Mapping[str, Any]]) -> None:
    """Per digest id, its new columns (next_run_at, last_sent_at…): one statement, many rows."""
    if changes:
        await session.execute(
            update(Row), [{"id": digest_id, **values} for digest_id, values in changes.items()]
        )


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Due]:
    """Up to `limit` active digests due at `now` in chats Pythia may post to, oldest first,
    locked for this transaction (Postgres: rows another transaction holds are skipped)."""
    query = (
        select(
            Row.id,
            Row.chat_id,
            Row.thread_id,
            Row.schedule,
            Row.timezone,
            Row.contents,
            Row.next_run_at,
        )
        .where(
            Row.active.is_(True),
            Row.next_run_at <= now,
            Row.chat_id.in_(select(Chat.id).where(POSTABLE)),
        )
        .order_by(Row.next_run_at, Row.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # SQLite renders nothing: one writer there
    )
    return [
        Due(
            id=r.id,
            chat_id=r.chat_id,
            thread_id=r.thread_id,
            schedule=r.schedule,
            timezone=r.timezone or "UTC",
            sections=tuple((r.contents or {}).get("sections") or ()),
            coins=tuple((r.contents or {}).get("coins") or ()),
            next_run_at=r.next_run_at,
        )
        for r in await session.execute(query)
    ]
