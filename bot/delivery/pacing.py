"""When the next message may go, so that Telegram never has to answer 429.

Telegram allows a bot about 30 messages a second overall, one a second in a chat and 20 a
minute in a group. The pacer spaces sends evenly, at least 1/30 s apart, so no window of one
second ever holds more than 30 (a send that started late is not made up for: that would
break "at most 30 a second" for the sake of an average), and keeps one clock per chat, so a
busy chat waits alone while the others go. A `RetryAfter` holds its chat for as
long as Telegram said. Plain state and arithmetic on an injected monotonic clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MESSAGES_PER_SECOND = 30.0
PRIVATE_GAP = 1.0  # seconds between two messages to one person
GROUP_GAP = 3.0  # 20 a minute in a group, evenly spaced


def is_group(chat_id: int) -> bool:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return chat_id < 0


@dataclass
class Pacer:
    per_second: float = MESSAGES_PER_SECOND
    private_gap: float = PRIVATE_GAP
    group_gap: float = GROUP_GAP
    clock: Callable[[], float] = time.monotonic
    _next_send: float = 0.0
    _next_in_chat: dict[int, float] = field(default_factory=dict)

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

    def hold(self, chat_id: int, seconds: float) -> None:
        """Telegram said "retry after `seconds`" for a message to `chat_id`."""
        until = self.clock() + seconds
        self._next_in_chat[chat_id] = max(self._next_in_chat.get(chat_id, 0.0), until)

    def pause(self, seconds: float) -> None:
        """Send nothing at all for `seconds`."""
        self._next_send = max(self._next_send, self.clock() + seconds)

    def held(self) -> list[int]:
        """Chats that may not be written to for at least another second."""
        soon = self.clock() + 1.0
        return [chat for chat, ready in self._next_in_chat.items() if ready > soon]
