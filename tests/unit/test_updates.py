"""Updates run concurrently except one person's in one chat, which run in the order they came."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.updates import OnePerPersonAndChat


def update(update_id: int, chat_id: int, user_id: int) -> Update:
    chat, user = Chat(chat_id, "group"), User(user_id, "Someone", is_bot=False)
    return Update(update_id, Message(update_id, datetime.now(UTC), chat, from_user=user, text="x"))


async def test_one_persons_updates_in_one_chat_wait_for_each_other_and_nobody_else_does() -> None:
    processor = OnePerPersonAndChat()
    events: list[str] = []
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(tag: str) -> None:
        events.append(f"{tag} starts")
        started.set()
        await release.wait()
        events.append(f"{tag} ends")

    async def quick(tag: str) -> None:
        events.append(tag)

    first = asyncio.create_task(processor.process_update(update(1, -5, 7), slow("first")))
    await started.wait()
    same = asyncio.create_task(processor.process_update(update(2, -5, 7), quick("same person")))
    await processor.process_update(update(3, -5, 8), quick("another person"))
    await processor.process_update(update(4, 7, 7), quick("another chat"))
    await processor.process_update(object(), quick("not an update"))
    assert events == ["first starts", "another person", "another chat", "not an update"]
    release.set()
    await asyncio.gather(first, same)
    assert events[-2:] == ["first ends", "same person"]
    assert not processor._locks  # forgotten once nobody waits
