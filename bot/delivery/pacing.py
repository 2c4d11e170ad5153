"""When the next message may go, so that Telegram never has to answer 429.

Telegram allows a bot about 30 messages a second overall, one a second in a chat and 20 a
minute in a group. The pacer spaces sends evenly, at least 1/30 s apart, so no window of one
second ever holds more than 30 (a send that started late is not made up for: that would
break "at most 30 a second" for the sake of an average), and keeps one clock per chat, so a
busy chat waits alone while the others go. A `RetryAfter` holds its chat for as
long as Telegram said. Plain state and arithmetic on an injected monotonic clock.

Several bot replicas share one Telegram budget: with Redis, the pacer also has a `budget`
(db.budget) and `cleared(chat)` waits for the send's turn in it before the send goes, so every
replica's sends and every handler's replies together stay within the limits; a chat another
replica wrote to is left for later, so this one's sends go to chats that are free. The send it
cleared is marked (`PAID`) so the request limiter (bot.limiter) does not count it twice."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from db.budget import Budget

log = logging.getLogger(__name__)

MESSAGES_PER_SECOND = 30.0
PRIVATE_GAP = 1.0  # seconds between two messages to one person
GROUP_GAP = 3.0  # 20 a minute in a group, evenly spaced
# The chat whose next send already has its turn in the shared budget (set in the sending task;
# the request limiter takes it instead of asking again).
PAID: ContextVar[int | None] = ContextVar("paid", default=None)


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return chat_id < 0


@dataclass
class Pacer:
    per_second: float = MESSAGES_PER_SECOND
    private_gap: float = PRIVATE_GAP
    group_gap: float = GROUP_GAP
    clock: Callable[[], float] = time.monotonic
    budget: Budget | None = None  # shared by every replica (Redis); None: this process alone
    _next_send: float = 0.0
    _next_in_chat: dict[int, float] = field(default_factory=dict)
    _holding: set[asyncio.Task[None]] = field(default_factory=set)

    def now(self) -> float:
        return self.clock()

    def ready_at(self, chat_id: int) -> float:
        """The earliest monotonic time a message to `chat_id` may go."""
        return max(self._next_send, self._next_in_chat.get(chat_id, 0.0))

    def take(self, chat_id: int) -> None:
        """A message to `chat_id` goes now."""
        now = self.clock()
        self._next_send = max(self._next_send, now) + 1.0 / self.per_second
        gap = self.group_gap if is_group(chat_id) else self.private_gap
        self._next_in_chat[chat_id] = max(self._next_in_chat.get(chat_id, 0.0), now + gap)
        if len(self._next_in_chat) > 10_000:  # forget chats whose wait is long over
            self._next_in_chat = {c: t for c, t in self._next_in_chat.items() if t > now}

    async def cleared(self, chat_id: int) -> bool:
        """Book this send in the shared budget and wait for its slot (True), or False when the
        chat is not free yet (another replica wrote there): the pacer then holds the chat until
        it is, and other chats go meanwhile. True at once without a budget, and when Redis
        fails (the send goes on this process's own pacing rather than not at all)."""
        if self.budget is None:
            return True
        try:
            booking = await self.budget.book(chat_id)
        except Exception:
            log.warning("the shared Telegram budget failed; pacing alone", exc_info=True)
            return True
        if not booking.booked:
            until = self.clock() + booking.wait
            self._next_in_chat[chat_id] = max(self._next_in_chat.get(chat_id, 0.0), until)
            return False
        if booking.wait > 0:
            await asyncio.sleep(booking.wait)
        PAID.set(chat_id)
        return True

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said "retry after `seconds`" for a message to `chat_id` (every replica
        holds it, through the budget)."""
        until = self.clock() + seconds
        self._next_in_chat[chat_id] = max(self._next_in_chat.get(chat_id, 0.0), until)
        if self.budget is not None:
            task = asyncio.get_running_loop().create_task(self._hold(chat_id, seconds))
            self._holding.add(task)
            task.add_done_callback(self._holding.discard)

    async def _hold(self, chat_id: int, seconds: float) -> None:
        assert self.budget is not None
        try:
            await self.budget.hold(chat_id, seconds)
        except Exception:
            log.warning("could not hold chat %s in the shared budget", chat_id, exc_info=True)

    def pause(self, seconds: float) -> None:
        """Send nothing at all for `seconds`."""
        self._next_send = max(self._next_send, self.clock() + seconds)

    def held(self) -> list[int]:
        """Chats that may not be written to for at least another second."""
        soon = self.clock() + 1.0
        return [chat for chat, ready in self._next_in_chat.items() if ready > soon]
