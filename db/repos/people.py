"""Users and chats: who talks to Pythia, and where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Chat, User
from db.upsert import insert_for


@dataclass(frozen=True, slots=True)
class PersonSeen:
    """What Telegram says about a user, in the words the database needs."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True, slots=True)
class ChatSeen:
    id: int
    type: str
    title: str | None = None
    username: str | None = None


async def register(
    session: AsyncSession, person: PersonSeen, chat: ChatSeen, now: datetime
) -> bool:
    """Record a person and the chat they wrote from; True if the person is new."""
    existed = await session.get(User, person.id) is not None
    users = insert_for(session, User)
    await session.execute(
        users.values(
            id=person.id,
            first_name=person.first_name,
            username=person.username,
            language_code=person.language_code,
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
            set_={"title": chat.title, "username": chat.username, "active": True},
        )
    )
    return not existed


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id))
