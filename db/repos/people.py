"""Users and chats: who talks to Pythia, where, and what they chose."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import ChatSeen, PersonSeen, Preferences, language_for
from db.models import Chat, User
from db.upsert import insert_for

PREFERENCE_COLUMNS = {
    "language": User.language,
    "timezone": User.timezone,
    "quote": User.quote_currency,
    "method": User.cost_basis,
    "quiet_start": User.quiet_start,
    "quiet_end": User.quiet_end,
    "muted": User.muted,
}


async def register(
    session: AsyncSession,
    person: PersonSeen,
    chat: ChatSeen,
    now: datetime,
    language: str | None = None,
) -> bool:
    """Record a person and the chat they wrote from; True if the person is new.

    A new person is spoken to in `language` (default: their Telegram's, if Pythia speaks it);
    an existing person keeps theirs, which only /language changes.
    """
    existed = await session.get(User, person.id) is not None
    users = insert_for(session, User)
    await session.execute(
        users.values(
            id=person.id,
            first_name=person.first_name,
            username=person.username,
            language_code=person.language_code,
            language=language or language_for(person.language_code),
            timezone="UTC",
            quote_currency="USD",
            cost_basis="fifo",
            created_at=now,
            last_seen_at=now,
        ).on_conflict_do_update(
            index_elements=[User.id],
            set_={
                "first_name": person.first_name,
                "username": person.username,
                "language_code": person.language_code,
                "last_seen_at": now,
                "blocked_at": None,
            },
        )
    )
    chats = insert_for(session, Chat)
    await session.execute(
        chats.values(
            id=chat.id,
            type=chat.type,
            title=chat.title,
            username=chat.username,
            timezone="UTC",
            active=True,
            created_at=now,
        ).on_conflict_do_update(
            index_elements=[Chat.id],
            set_={"title": chat.title, "username": chat.username, "active": _unless_paused()},
        )
    )
    return not existed


def _unless_paused() -> ColumnElement[bool]:
    """Active again (a chat heard from), unless it is paused (the bot removed, a channel
    unlinked) or became a supergroup: only services.chats ends those."""
    return case(
        (and_(Chat.paused_reason.is_(None), Chat.migrated_to.is_(None)), True), else_=Chat.active
    )


async def preferences(session: AsyncSession, user_id: int) -> Preferences | None:
    """What the person chose; None for someone Pythia has not registered."""
    row = (
        await session.execute(select(*PREFERENCE_COLUMNS.values()).where(User.id == user_id))
    ).first()
    return None if row is None else _chosen(row)


async def preferences_of(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, Preferences]:
    """What each of these people chose, in one query (for the outbox sender's claims); those
    Pythia has not registered are left out."""
    rows = await session.execute(
        select(User.id, *PREFERENCE_COLUMNS.values()).where(User.id.in_(set(user_ids)))
    )
    return {row[0]: _chosen(row[1:]) for row in rows}


def _chosen(row: Any) -> Preferences:
    language, timezone, quote, method, quiet_start, quiet_end, muted = row
    return Preferences(
        language=language or "en",
        timezone=timezone or "UTC",
        quote=quote or "USD",
        method="average" if method == "average" else "fifo",
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        muted=tuple(kind for kind in muted or () if isinstance(kind, str)),
    )


async def set_preferences(session: AsyncSession, user_id: int, **values: Any) -> None:
    """Change some of the person's preferences (names as in `Preferences`)."""
    columns = {PREFERENCE_COLUMNS[name].key: value for name, value in values.items()}
    if "muted" in columns:  # stored as a JSON list
        columns["muted"] = list(columns["muted"])
    if columns:
        await session.execute(update(User).where(User.id == user_id).values(**columns))


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id))
