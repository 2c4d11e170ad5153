"""Chats: groups, supergroups and channels as Pythia keeps them (a private chat's settings are
its person's, in `users`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.chats import PAUSED_UNLINKED, ChatSettings
from db.models import Alert, Chat, DigestSubscription, OutboxMessage
from db.upsert import insert_for

# Where Pythia posts (core.chats.ChatSettings.postable, as SQL): active, not paused (the bot
# removed, a channel unlinked), not become a supergroup. A chat without a row has no such limit.
POSTABLE = and_(Chat.active.is_(True), Chat.paused_reason.is_(None), Chat.migrated_to.is_(None))

_COLUMNS = (
    Chat.id,
    Chat.type,
    Chat.title,
    Chat.username,
    Chat.language,
    Chat.timezone,
    Chat.active,
    Chat.paused_reason,
    Chat.set_up_by,
    Chat.migrated_to,
)


def _settings(row: Any) -> ChatSettings:
    return ChatSettings(
        id=row[0],
        type=row[1],
        title=row[2],
        username=row[3],
        language=row[4],
        timezone=row[5] or "UTC",
        active=bool(row[6]),
        paused_reason=row[7],
        set_up_by=row[8],
        migrated_to=row[9],
    )


async def settings(session: AsyncSession, chat_id: int) -> ChatSettings | None:
    """The chat as kept; None for a chat Pythia has not recorded."""
    row = (await session.execute(select(*_COLUMNS).where(Chat.id == chat_id))).first()
    return None if row is None else _settings(row)


async def settings_of(session: AsyncSession, chat_ids: Iterable[int]) -> dict[int, ChatSettings]:
    """Several chats in one query (for the outbox sender's claims, the digest job)."""
    rows = await session.execute(select(*_COLUMNS).where(Chat.id.in_(set(chat_ids))))
    return {row[0]: _settings(row) for row in rows}


async def set_up_by_if_unset(session: AsyncSession, chat_id: int, user_id: int) -> None:
    """Remember who first set Pythia up in the chat (told if the bot is removed)."""
    await session.execute(
        update(Chat).where(Chat.id == chat_id, Chat.set_up_by.is_(None)).values(set_up_by=user_id)
    )


async def change(session: AsyncSession, chat_id: int, **values: Any) -> None:
    """Change some of the chat's columns (language, timezone, active, paused_reason, ...)."""
    if values:
        await session.execute(update(Chat).where(Chat.id == chat_id).values(**values))


# ---- the life of a group or channel ----------------------------------------------------------


def _count(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount or 0


async def counts(session: AsyncSession, chat_id: int) -> tuple[int, int]:
    """How many digests (not paused by an admin) and active alerts post to the chat."""
    digests = await session.scalar(
        select(func.count()).where(
            DigestSubscription.chat_id == chat_id, DigestSubscription.active.is_(True)
        )
    )
    alerts = await session.scalar(
        select(func.count()).where(Alert.chat_id == chat_id, Alert.status == "active")
    )
    return digests or 0, alerts or 0


async def touch_alerts(session: AsyncSession, chat_id: int, now: datetime) -> int:
    """Mark the chat's live alerts changed (`updated_at`), so every matcher re-reads them and
    sees whether their chat is postable; call `services.alerts.alerts_changed` after the commit."""
    result = await session.execute(
        update(Alert)
        .where(Alert.chat_id == chat_id, Alert.status.in_(("active", "paused")))
        .values(updated_at=now)
    )
    return _count(result)


async def seen(
    session: AsyncSession,
    chat_id: int,
    type_: str,
    title: str | None,
    username: str | None,
    now: datetime,
) -> bool:
    """The chat's row, added (active) or its title and username brought up to date; a paused
    chat stays paused. True if the chat is new to Pythia."""
    existed = await session.get(Chat, chat_id) is not None
    await session.execute(
        insert_for(session, Chat)
        .values(
            id=chat_id,
            type=type_,
            title=title,
            username=username,
            timezone="UTC",
            active=True,
            created_at=now,
        )
        .on_conflict_do_update(
            index_elements=[Chat.id], set_={"title": title, "username": username, "type": type_}
        )
    )
    return not existed


async def copy_to(session: AsyncSession, old: ChatSettings, new_id: int, now: datetime) -> None:
    """A supergroup `new_id` with what the group `old` chose; a row already there keeps what it
    has chosen itself."""
    await session.execute(
        insert_for(session, Chat)
        .values(
            id=new_id,
            type="supergroup",
            title=old.title,
            username=old.username,
            timezone=old.timezone,
            language=old.language,
            set_up_by=old.set_up_by,
            active=True,
            paused_reason=old.paused_reason,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[Chat.id])
    )
    await session.execute(
        update(Chat)
        .where(Chat.id == new_id, Chat.set_up_by.is_(None))
        .values(set_up_by=old.set_up_by)
    )
    await session.execute(
        update(Chat).where(Chat.id == new_id, Chat.language.is_(None)).values(language=old.language)
    )
    if old.timezone != "UTC":
        await session.execute(
            update(Chat)
            .where(Chat.id == new_id, Chat.timezone == "UTC")
            .values(timezone=old.timezone)
        )


async def move(
    session: AsyncSession, old_id: int, new_id: int, now: datetime
) -> tuple[int, int, int]:
    """Move the chat's digests, alerts and pending outbox rows to `new_id`; how many of each."""
    digests = await session.execute(
        update(DigestSubscription)
        .where(DigestSubscription.chat_id == old_id)
        .values(chat_id=new_id)
    )
    alerts = await session.execute(
        update(Alert).where(Alert.chat_id == old_id).values(chat_id=new_id, updated_at=now)
    )
    rows = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_id, OutboxMessage.status == "pending")
        .values(chat_id=new_id)
    )
    return _count(digests), _count(alerts), _count(rows)


async def channels_of(session: AsyncSession, person_id: int) -> list[ChatSettings]:
    """The channels the person linked (and has not unlinked), by title."""
    rows = await session.execute(
        select(*_COLUMNS)
        .where(
            Chat.type == "channel",
            Chat.set_up_by == person_id,
            Chat.paused_reason.is_distinct_from(PAUSED_UNLINKED),
        )
        .order_by(func.lower(func.coalesce(Chat.title, Chat.username)), Chat.id)
    )
    return [_settings(row) for row in rows]


async def link(
    session: AsyncSession,
    channel_id: int,
    title: str | None,
    username: str | None,
    person_id: int,
    now: datetime,
) -> None:
    """The channel's row, posting again, set up by `person_id`."""
    values = {
        "title": title,
        "username": username,
        "active": True,
        "paused_reason": None,
        "paused_at": None,
        "set_up_by": person_id,
    }
    await session.execute(
        insert_for(session, Chat)
        .values(id=channel_id, type="channel", timezone="UTC", created_at=now, **values)
        .on_conflict_do_update(index_elements=[Chat.id], set_=values)
    )


async def delete_digests(session: AsyncSession, chat_id: int) -> int:
    """Delete every digest of the chat; how many."""
    result = await session.execute(
        delete(DigestSubscription).where(DigestSubscription.chat_id == chat_id)
    )
    return _count(result)
