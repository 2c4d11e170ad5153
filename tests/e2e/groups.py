"""What the group, topic and channel e2e tests share: a group (a forum when asked in a topic)
with an admin, a member and a passer-by; a message from an anonymous admin; a digest made due;
the outbox rows for a chat; a stack whose digests post only when a test says."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select, update

from bot.emulator.records import Chat, MessageRecord, User
from bot.emulator.textutil import detect_entities, trim
from db.models import DigestSubscription, OutboxMessage
from services.alerts import ANONYMOUS_ADMIN
from tests.e2e.conftest import BACKENDS, Stack, running_stack

PLACES = {"group": None, "topic": 7}  # a forum topic's message_thread_id
ADMINS_ONLY = "Only this group's admins can change that."
_groups = itertools.count(1)


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS, name="stack")
async def stack_posting_when_told(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    """A module's stack without the digest job (imported, it is the module's `stack`): its
    tests make a digest due and post it themselves (`due_now`, `post_due`), and a slot of a
    schedule made there (08:00 at the replay's 60x) cannot come due on its own between a
    test's steps."""
    directory = tmp_path_factory.mktemp("stack")
    async with running_stack(request, directory, without=("digests",)) as own:
        yield own


@dataclass
class Cast:
    """A group (a forum when in a topic) with an admin, a member and a passer-by."""

    stack: Stack
    group: Chat
    thread: int | None
    admin: User
    member: User
    outsider: User

    def who(self, role: str) -> User:
        return {"admin": self.admin, "member": self.member, "non-member": self.outsider}[role]

    async def say(self, user: User, text: str) -> MessageRecord:
        """`text` as `user` in the group (or topic); the one reply, checked to be in the topic."""
        emu = self.stack.emu
        sent = await emu.send_message(user, text, chat=self.group, thread_id=self.thread)
        (reply,) = await emu.wait_for_bot_messages(self.group, after=sent, timeout=10)
        assert reply.message_thread_id == self.thread, reply
        return reply


def cast(stack: Stack, place: str, title: str = "Traders", **admin: Any) -> Cast:
    """A new group called `title` N in `place` (a key of PLACES); `admin`: the admin's
    add_user options (language_code=…)."""
    n = next(_groups)
    boss = stack.emu.add_user(f"Ada{n}", **admin)
    member, outsider = stack.emu.add_user(f"Max{n}"), stack.emu.add_user(f"Nia{n}")
    thread = PLACES[place]
    group = stack.emu.add_group(
        f"{title} {n}", members=[member], admins=[boss], is_forum=thread is not None
    )
    return Cast(stack, group, thread, boss, member, outsider)


async def as_the_group(c: Cast, text: str) -> MessageRecord:
    """`text` from an anonymous admin (GroupAnonymousBot, as the group itself: what Telegram
    delivers; the emulator's users cannot post so, so the update is made here)."""
    emu = c.stack.emu
    anonymous = emu.state.users.get(ANONYMOUS_ADMIN) or emu.state.add_user(
        "Group", ANONYMOUS_ADMIN, username="GroupAnonymousBot", is_bot=True
    )
    text, entities = trim(text, detect_entities(text))
    topic: dict[str, Any] = {}
    if c.thread is not None:
        topic = {"message_thread_id": c.thread, "extra": {"is_topic_message": True}}
    message = emu.state.add_message(
        emu.chat(c.group), from_user=anonymous, sender_chat_id=c.group.id, from_bot=False,
        method="user", text=text, entities=entities, **topic,
    )  # fmt: skip
    emu.state.push_update("message", emu.state.message_to_api(message))
    await emu.context.notify()
    return message


async def due_now(stack: Stack, digest_id: int) -> None:
    """Make the digest due (as if its time had come)."""
    past = stack.deps.clock.now() - timedelta(minutes=1)
    async with stack.deps.write() as session:
        await session.execute(
            update(DigestSubscription)
            .where(DigestSubscription.id == digest_id)
            .values(next_run_at=past)
        )


async def rows_to(stack: Stack, chat_id: int) -> list[OutboxMessage]:
    async with stack.deps.read() as session:
        return list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id))
        )
