"""Sending within Telegram's limits without one chat holding up every other.

PTB's AIORateLimiter keeps the bot under Telegram's overall limit (30 messages a second) and
each group's (20 a minute), but keeps nothing per private chat, where Telegram allows about one
message a second after a short burst. And when Telegram answers a request with 429 (RetryAfter),
PTB holds back *every* request of the bot until the wait is over. So a person who asked for many
replies at once got their chat refused, and everyone else's replies waited each time: one
person's flood doubled everyone's latency and pushed the slowest /price past a second.

FairRateLimiter is PTB's limiter with two changes, for requests to a chat:
- new messages to a private chat are paced here at PRIVATE_RATE a second after PRIVATE_BURST at
  once (a little under Telegram's limit: the request's trip adds jitter), so they wait in their
  own chat's line instead of being refused;
- a 429 for a request to a chat holds back only that chat's requests; everything else carries on.
Requests without a chat (answering a press, getUpdates…) are PTB's as they were.

With Redis (several replicas may be sending as the bot), a new message to a chat also waits
for its turn in the budget every replica shares (db.budget, `share`): the outbox sender's sends
and the handlers' replies of all replicas count in one 30 a second and in each chat's limit. A
send the outbox sender already cleared there (bot.delivery.pacing.PAID) is not counted twice.
Replies may go REPLY_BURST at once in any chat (a command answered in two messages, three
people asking in a group in the same second), then one a chat's gap (1.05 s; 3 s in a group,
so a minute that opens with a burst holds at most 22 there); the outbox sender never bursts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.delivery.pacing import PAID
from db.budget import Budget
from services import metrics

log = logging.getLogger(__name__)

PRIVATE_RATE = 1 / 1.05  # messages a second to one private chat, once its burst is spent
PRIVATE_BURST = 3
REPLY_BURST = 3  # replies at once to one chat in the shared budget, then one a gap
KEPT = 512  # chats whose pacing is remembered before the idle ones are forgotten
# Bot API methods that post a new message: what Telegram's flood limits count.
SENDS = ("send", "copyMessage", "forwardMessage")
NOT_A_SEND = frozenset({"sendChatAction"})

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class FairRateLimiter(AIORateLimiter):
    def __init__(self, max_retries: int = 3) -> None:
        super().__init__(max_retries=max_retries)
        self._private: dict[int, AsyncLimiter] = {}
        self._held_until: dict[int, float] = {}  # chat -> loop time its 429 wait ends
        self._budget: Budget | None = None

    def share(self, budget: Budget | None) -> None:
        """Count new messages in `budget` too (built in post_init; None: this process alone)."""
        self._budget = budget

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat = _chat_id(data.get("chat_id"))
        if chat is None:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        paced = chat > 0 and endpoint.startswith(SENDS) and endpoint not in NOT_A_SEND
        retries = rate_limit_args or self._max_retries
        loop = asyncio.get_running_loop()
        for attempt in range(retries + 1):
            if (wait := self._held_until.get(chat, 0.0) - loop.time()) > 0:
                await asyncio.sleep(wait)
            try:
                if endpoint.startswith(SENDS) and endpoint not in NOT_A_SEND:
                    await self._turn(chat)
                if paced:
                    async with self._pace(chat):
                        return await self._send(chat, callback, args, kwargs, data)
                return await self._send(chat, callback, args, kwargs, data)
            except RetryAfter as exc:
                metrics.retry_after_answered()
                if attempt == retries:
                    raise
                until = loop.time() + _seconds(exc.retry_after) + 0.1
                self._held_until[chat] = max(until, self._held_until.get(chat, 0.0))
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _turn(self, chat: int) -> None:
        """Book this message in the shared budget and wait for its slot, unless the outbox
        sender did; if Redis fails, this process's own limits still apply."""
        if PAID.get() == chat:
            PAID.set(None)  # that turn was for this one send
            return
        while self._budget is not None:
            try:
                booking = await self._budget.book(chat, REPLY_BURST)
            except Exception:
                log.warning("the shared Telegram budget failed; limiting alone", exc_info=True)
                return
            if booking.wait > 0:  # its slot, or until the chat is free (then book again)
                await asyncio.sleep(booking.wait)
            if booking.booked:
                return

    async def _send(
        self, chat: int, callback: Callback, args: Any, kwargs: dict[str, Any], data: JSONDict
    ) -> bool | JSONDict | list[JSONDict]:
        # PTB's own path: the overall limit, a group's limit, and its global hold for a 429
        # that was not a chat's
        return await self._run_request(
            chat=True,
            group=chat if chat < 0 else False,
            allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
            callback=callback,
            args=args,
            kwargs=kwargs,
        )

    def _pace(self, chat: int) -> AsyncLimiter:
        if len(self._private) > KEPT:  # forget the chats that could send a full burst now
            self._private = {
                c: limiter
                for c, limiter in self._private.items()
                if c == chat or not limiter.has_capacity(limiter.max_rate)
            }
            now = asyncio.get_running_loop().time()
            self._held_until = {c: t for c, t in self._held_until.items() if t > now}
        limiter = self._private.get(chat)
        if limiter is None:
            limiter = AsyncLimiter(PRIVATE_BURST, PRIVATE_BURST / PRIVATE_RATE)
            self._private[chat] = limiter
        return limiter


def _seconds(value: int | timedelta) -> float:
    """PTB gives the wait as a timedelta (PTB_TIMEDELTA, as Pythia runs it) or in seconds."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_id(value: object) -> int | None:
    """The chat a request is for, if it names one by number (a @channel name is no chat of
    ours to pace)."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
