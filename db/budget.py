"""Telegram's sending budget, shared by every process that sends as the bot.

Telegram counts what the *bot* sends, however many processes send it: about 30 messages a
second overall, one a second in a private chat, 20 a minute in a group. Several bot replicas
(webhook mode behind a load balancer) each pacing themselves at 30 a second would together send
90. So each send first books its turn in Redis (`TelegramBudget.book`): one Lua script
(db.ratelimit.BOOK_LUA, on the server's clock, so the replicas' clocks do not matter) checks
the chat's clock and books the bot's next free slot at once. The outbox sender books before
each send (bot.delivery.pacing.Pacer.cleared: a chat not free yet is left for later and other
chats go meanwhile) and the handlers' replies book in bot.limiter.FairRateLimiter, so both
count in one budget.

A 429 that still comes back holds the chat for every replica (`hold`). With the in-process
cache there is one process and no budget here: the Pacer's own clocks are the budget.
"""

from __future__ import annotations

from typing import Protocol

import redis.asyncio as redis

from db.ratelimit import BOOK_LUA, HOLD_LUA, Booking

BOT_PER_SECOND = 30.0  # Telegram's overall limit
PRIVATE_GAP = 1.05  # seconds between two messages to one person (Telegram: 1; trips jitter)
GROUP_GAP = 3.0  # 20 a minute in a group, evenly spaced
CONNECTIONS = 16  # Redis connections one process holds for its bookings
PREFIX = "tgbudget"


class Budget(Protocol):
    async def book(self, chat_id: int, burst: int = 1) -> Booking:
        """Book a send to `chat_id` (its slot `wait` seconds from now), or say in how many
        seconds the chat is free (nothing booked). `burst` messages may go to the chat at once
        before its gap applies."""
        ...

    async def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said "retry after `seconds`" for `chat_id`: no one sends there sooner."""
        ...

    async def close(self) -> None: ...


def gap_of(chat_id: int) -> float:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return GROUP_GAP if chat_id < 0 else PRIVATE_GAP


class TelegramBudget:
    """The budget in Redis (its own small pool: a booking must not queue behind the cache's
    traffic)."""

    def __init__(self, url: str, per_second: float = BOT_PER_SECOND, prefix: str = PREFIX):
        pool = redis.BlockingConnectionPool.from_url(
            url, max_connections=CONNECTIONS, timeout=5.0, decode_responses=True
        )
        self._client = redis.Redis.from_pool(pool)
        self._book = self._client.register_script(BOOK_LUA)
        self._hold = self._client.register_script(HOLD_LUA)
        self.per_second = per_second
        self._bot_key = f"{prefix}:bot"
        self._prefix = prefix

    def _chat_key(self, chat_id: int) -> str:
        return f"{self._prefix}:chat:{chat_id}"

    async def book(self, chat_id: int, burst: int = 1) -> Booking:
        return (await self.booking(chat_id, burst))[0]

    async def booking(self, chat_id: int, burst: int = 1) -> tuple[Booking, float]:
        """`book`, with the server's time of the answer (seconds since the epoch)."""
        keys = [self._bot_key, self._chat_key(chat_id)]
        # a microsecond more: the slots are kept to the microsecond, and 30 rounded-down
        # gaps would fit 31 sends in a second
        args = [1.0 / self.per_second + 1e-6, gap_of(chat_id), burst]
        booked, wait, at = await self._book(keys=keys, args=args)
        return Booking(bool(booked), int(wait) / 1e6), int(at) / 1e6

    async def hold(self, chat_id: int, seconds: float) -> None:
        await self._hold(keys=[self._chat_key(chat_id)], args=[max(seconds, 0.0)])

    async def close(self) -> None:
        await self._client.aclose()
