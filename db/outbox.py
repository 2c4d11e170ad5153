"""The outbox queue: notifications written by the workers, claimed and sent by the bot.

A row is `pending` until sent (`sent`) or given up (`failed`). Claiming sets `claimed_until` (a
lease): nobody else takes the row until the lease runs out, so a sender that dies holding rows
only delays them. A row sent back to wait (back-off, Telegram's "retry after") keeps a
`claimed_until` too, as a hold: leases and holds run on the wall clock, while `not_before` (when
a row comes due) is on the clock of whoever wrote it — the replay's in the sandbox. A held row
keeps its chat busy, so the chat's later rows wait behind it, in order. On Postgres the claim
locks its rows with `FOR UPDATE SKIP LOCKED` before setting the lease in the same transaction,
so two bot processes never take one row; on SQLite (one process by design) the conditional
UPDATE alone is enough.

Claims are per chat: the oldest due row of each chat that has nothing claimed already (so
one chat is served by one sender at a time, in order), and with a quiet-hours row every due
quiet row of that chat, to be merged into one summary. Repositories never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.engine import is_postgres
from db.models import OutboxMessage, User
from db.repos.alerts import pause_all_for_user
from db.upsert import insert_for

OUTBOX_CHANNEL = "outbox"  # publish here (any message) after writing rows: senders wake at once
ERROR_LENGTH = 512  # OutboxMessage.last_error


async def enqueue(
    session: AsyncSession,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    not_before: datetime,
    now: datetime | None = None,
) -> int | None:
    """Queue a message for `chat_id`, due at `not_before` (on `deps.clock`); returns the new
    row's id, or None if a row with `dedupe_key` already exists (it is left as it was)."""
    statement = (
        insert_for(session, OutboxMessage)
        .values(
            chat_id=chat_id,
            kind=kind,
            payload=payload,
            dedupe_key=dedupe_key,
            status="pending",
            attempts=0,
            not_before=not_before,
            created_at=now or not_before,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return await session.scalar(statement)


@dataclass(frozen=True, slots=True)
class Queued:
    """A message to queue (enqueue_many): for `chat_id`, due at `not_before`."""

    chat_id: int
    kind: str
    payload: dict[str, Any]
    dedupe_key: str
    not_before: datetime


LOOK_AHEAD = 10  # rows looked at per chat claimed: a few chats with many rows leave room for others
ROWS_PER_INSERT = 1000  # rows built and sent per round (SQLAlchemy pages them for the driver)


async def enqueue_many(
    session: AsyncSession, messages: Sequence[Queued], now: datetime
) -> set[str]:
    """Queue `messages` (many chats' digests, a broadcast to everyone) with one statement
    executed for all of them: compiled once, sent in multi-row pages ("insertmanyvalues") —
    5x the rows per second of a statement of literal rows, which is compiled anew each time.
    Returns the dedupe keys written: a key already queued is left as it was, and not returned."""
    statement = (
        insert_for(session, OutboxMessage)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.dedupe_key)
    )
    written: set[str] = set()
    for start in range(0, len(messages), ROWS_PER_INSERT):
        values = [
            {"chat_id": m.chat_id, "kind": m.kind, "payload": m.payload,
             "dedupe_key": m.dedupe_key, "status": "pending", "attempts": 0,
             "not_before": m.not_before, "created_at": now}
            for m in messages[start : start + ROWS_PER_INSERT]
        ]  # fmt: skip
        written.update(await session.scalars(statement, values))
    return written


def _claimable(now: datetime, due: datetime) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.status == "pending",
        OutboxMessage.not_before <= due,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def _quiet() -> ColumnElement[bool]:
    return OutboxMessage.payload["quiet"].as_boolean().is_(True)


async def claim(
    session: AsyncSession,
    now: datetime,
    lease: timedelta,
    chats: int,
    *,
    skip_chats: Iterable[int] = (),
    due: datetime | None = None,
) -> list[OutboxMessage]:
    """Claim the next due row of up to `chats` chats (all due quiet rows of a chat whose next
    row is quiet), oldest first, for `lease`; chats in `skip_chats` wait (a RetryAfter).

    `now` is the wall clock, which leases always run on; `due` (default `now`) is the time on
    the clock the rows' `not_before` was written in — the replay's, in the sandbox."""
    row, due = OutboxMessage, due or now
    busy = select(row.chat_id).where(row.status == "pending", row.claimed_until >= now)
    # Only the oldest rows are looked at (through the (status, not_before) index), never the
    # whole backlog: a chat with a row among them has its oldest row among them too, so its
    # head is found; 10,000 digests queued cost a claim 230 ms when every row was ranked.
    oldest = (
        select(row.id)
        .where(_claimable(now, due), row.chat_id.not_in(busy), row.chat_id.not_in(list(skip_chats)))
        .order_by(row.not_before, row.id)
        .limit(chats * LOOK_AHEAD)
    )  # fmt: skip
    ranked = (
        select(
            row.id,
            row.chat_id,
            row.not_before,
            _quiet().label("quiet"),
            func.row_number().over(partition_by=row.chat_id, order_by=(row.not_before, row.id))
            .label("rank"),
        )
        .where(row.id.in_(oldest))
        .subquery()
    )  # fmt: skip
    heads = (
        await session.execute(
            select(ranked.c.id, ranked.c.chat_id, ranked.c.quiet)
            .where(ranked.c.rank == 1)
            .order_by(ranked.c.not_before, ranked.c.id)
            .limit(chats)
        )
    ).all()
    chat_of = {head.id: head.chat_id for head in heads}
    quiet_chats = [head.chat_id for head in heads if head.quiet]
    if quiet_chats:
        followers = select(row.id, row.chat_id).where(
            _claimable(now, due), row.chat_id.in_(quiet_chats), _quiet()
        )
        chat_of.update({found.id: found.chat_id for found in await session.execute(followers)})
    ids = list(chat_of)
    if not ids:
        return []
    if is_postgres(session):
        locking = select(row.id).where(row.id.in_(ids), _claimable(now, due))
        locked = set(await session.scalars(locking.with_for_update(skip_locked=True)))
        ours = {chat_of[head.id] for head in heads if head.id in locked}  # the rest: theirs
        ids = [row_id for row_id in locked if chat_of[row_id] in ours]
        if not ids:
            return []
    claimed = await session.scalars(
        update(row)
        .where(row.id.in_(ids), _claimable(now, due))
        .values(claimed_until=now + lease)
        .returning(row),
        execution_options={"synchronize_session": False},
    )
    return sorted(claimed, key=lambda message: (message.not_before, message.id))


async def _settle(
    session: AsyncSession,
    ids: Sequence[int],
    *,
    attempt: bool = True,
    held_until: datetime | None = None,
    **values: Any,
) -> None:
    """End a claim on rows: the lease goes (or becomes a hold), the attempt counts (unless
    told otherwise)."""
    if attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(claimed_until=held_until, **values)
    )


async def mark_sent(
    session: AsyncSession,
    ids: Sequence[int],
    message_id: int | None,
    now: datetime,
    *,
    note: str | None = None,
) -> None:
    """Sent as Telegram message `message_id` (several quiet rows share one summary); no id and
    a `note` when Telegram may have it but its answer was lost: never sent again. Without a
    note `last_error` keeps what went wrong before."""
    noted: dict[str, Any] = {} if note is None else {"last_error": note[:ERROR_LENGTH]}
    await _settle(session, ids, status="sent", sent_at=now, telegram_message_id=message_id, **noted)


async def mark_retry(
    session: AsyncSession,
    ids: Sequence[int],
    held_until: datetime,
    error: str,
    *,
    attempt: bool = True,
) -> None:
    """Back to the queue, held until `held_until` (wall clock); `attempt=False` when Telegram
    only said "later" (RetryAfter), which must not use up the row's attempts."""
    await _settle(
        session, ids, attempt=attempt, held_until=held_until, last_error=error[:ERROR_LENGTH]
    )


async def mark_failed(session: AsyncSession, ids: Sequence[int], error: str) -> None:
    """Given up: never sent again."""
    await _settle(session, ids, status="failed", last_error=error[:ERROR_LENGTH])


async def fail_chat(session: AsyncSession, chat_id: int, error: str, now: datetime) -> int:
    """Give up every unclaimed pending row for a chat the bot may no longer write to."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.status == "pending",
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(status="failed", last_error=error[:ERROR_LENGTH])
    )
    return cast(CursorResult[Any], result).rowcount or 0


async def person_blocked_bot(session: AsyncSession, user_id: int, now: datetime) -> list[int]:
    """Telegram said `user_id` blocked the bot: note when, and pause their active alerts (they
    resume them with /alerts). Returns the alerts paused: after the commit, tell the workers
    (`services.alerts.alerts_changed`), so their index drops them too."""
    await session.execute(update(User).where(User.id == user_id).values(blocked_at=now))
    return await pause_all_for_user(session, user_id, now)


async def withdraw(session: AsyncSession, outbox_id: int) -> None:
    """Take back a row written in this transaction (a firing that lost its race)."""
    await session.execute(delete(OutboxMessage).where(OutboxMessage.id == outbox_id))


async def extend_claims(session: AsyncSession, ids: Sequence[int], until: datetime) -> None:
    """Keep holding rows that are still on their way."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
        .values(claimed_until=until)
    )


async def release(session: AsyncSession, ids: Sequence[int]) -> None:
    """Hand claimed rows back untouched (a sender stopping before it sent them)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
        .values(claimed_until=None)
    )


async def next_due(session: AsyncSession, now: datetime) -> datetime | None:
    """When the earliest pending row that is not due yet comes due (on `now`'s clock: the
    writers')."""
    return await session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == "pending", OutboxMessage.not_before > now
        )
    )


async def next_free(session: AsyncSession, wall: datetime) -> datetime | None:
    """When the earliest held or claimed pending row is free to claim again (wall clock)."""
    return await session.scalar(
        select(func.min(OutboxMessage.claimed_until)).where(
            OutboxMessage.status == "pending", OutboxMessage.claimed_until > wall
        )
    )


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget rows settled (sent or failed) that were written before `before`; how many. Rows
    still pending are kept however old: they are somebody's message."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(("sent", "failed")), OutboxMessage.created_at < before
        )
    )
    return cast(CursorResult[Any], result).rowcount
