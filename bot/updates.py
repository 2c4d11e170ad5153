"""Updates run concurrently, except two from the same person in the same chat: those run one
after the other, in the order they came.

PTB's ConversationHandler assumes it sees a conversation's updates one by one (its docs ask for
`concurrent_updates=False`); keyed by chat and user, as our conversations are, this keeps that
promise without letting one person's slow chart hold up everyone else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT = 256  # what concurrent_updates(True) allows


class OnePerPersonAndChat(BaseUpdateProcessor):
    """Like PTB's SimpleUpdateProcessor, serialised per (chat id, user id)."""

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._users: dict[tuple[int, int], int] = {}  # updates holding or awaiting each lock

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody else waits: forget it
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _key(update: object) -> tuple[int, int] | None:
    if not isinstance(update, Update):
        return None
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    return chat.id, user.id
