"""Sending within Telegram's limits: a 429 for one chat holds back that chat only, and a private
chat's messages beyond its burst wait their turn here instead of being refused there."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from bot.limiter import PRIVATE_BURST, FairRateLimiter


class Telegram:
    """Answers each call after refusing the chats in `refuse` once with a 429."""

    def __init__(self, refuse: dict[int, float] | None = None) -> None:
        self.refuse = dict(refuse or {})
        self.done: list[tuple[str, int]] = []

    def call(self, endpoint: str, chat: int):
        async def callback() -> bool:
            if chat in self.refuse:
                raise RetryAfter(timedelta(seconds=self.refuse.pop(chat)))
            self.done.append((endpoint, chat))
            return True

        return callback


async def send(limiter: FairRateLimiter, telegram: Telegram, chat: int, endpoint="sendMessage"):
    call = telegram.call(endpoint, chat)
    return await limiter.process_request(call, (), {}, endpoint, {"chat_id": chat}, None)


async def test_a_429_for_one_chat_holds_back_that_chat_and_nobody_else() -> None:
    telegram, limiter = Telegram(refuse={1: 1.5}), FairRateLimiter()
    held = asyncio.create_task(send(limiter, telegram, 1))
    await asyncio.sleep(0.05)  # chat 1 has been refused and waits
    await asyncio.wait_for(send(limiter, telegram, 2), 0.5)
    await asyncio.wait_for(send(limiter, telegram, -100, "editMessageText"), 0.5)
    assert telegram.done == [("sendMessage", 2), ("editMessageText", -100)]
    await held
    assert telegram.done[-1] == ("sendMessage", 1)


async def test_a_private_chats_messages_beyond_its_burst_wait_their_turn() -> None:
    telegram, limiter = Telegram(), FairRateLimiter()
    burst = [asyncio.create_task(send(limiter, telegram, 1)) for _ in range(PRIVATE_BURST + 1)]
    await asyncio.sleep(0.1)
    assert len(telegram.done) == PRIVATE_BURST  # the one more waits (about a second)
    await send(limiter, telegram, 1, "editMessageText")  # edits are not new messages
    await send(limiter, telegram, 2)  # another chat has a burst of its own
    assert telegram.done[-2:] == [("editMessageText", 1), ("sendMessage", 2)]
    await asyncio.gather(*burst)
    assert len(telegram.done) == PRIVATE_BURST + 3


async def test_a_chat_refused_more_often_than_it_may_retry_gets_the_429() -> None:
    class Always(Telegram):
        def call(self, endpoint: str, chat: int):
            async def callback() -> bool:
                raise RetryAfter(timedelta(seconds=0))

            return callback

    with pytest.raises(RetryAfter):
        await send(FairRateLimiter(max_retries=1), Always(), 1)
