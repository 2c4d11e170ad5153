"""Telegram's flood limits as token buckets.

Telegram documents roughly 30 messages/second overall, about 1 message/second per private chat
(short bursts tolerated) and 20 messages/minute per group. Exceeding them yields HTTP 429 with a
``retry_after``. The clock is injectable so the maths can be unit-tested without sleeping.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

Clock = Callable[[], float]

# Methods that post a new message and therefore count against the flood limits.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "copyMessage",
        "copyMessages", "forwardMessage", "forwardMessages", "sendAnimation", "sendVideo",
        "sendVideoNote", "sendAudio", "sendVoice", "sendSticker", "sendLocation", "sendVenue",
        "sendContact", "sendPoll", "sendDice", "sendInvoice", "sendGame", "sendPaidMedia",
    }
)  # fmt: skip


@dataclass(frozen=True)
class FloodLimits:
    """Configuration; the defaults approximate Telegram's documented limits."""

    global_per_second: float = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20
    group_burst: int = 20


@dataclass
class TokenBucket:
    """Classic token bucket: ``capacity`` tokens, refilled continuously at ``rate`` per second."""

    capacity: float
    rate: float
    clock: Clock
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.capacity)
        self.updated = self.clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, amount: float = 1.0) -> float:
        """Seconds until ``amount`` tokens are available (0 if available now)."""
        self._refill()
        missing = amount - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate

    def take(self, amount: float = 1.0) -> None:
        self._refill()
        self.tokens -= amount


class FloodViolation(NamedTuple):
    """A refused call; a tuple so ``(method, chat_id, retry_after)`` comparisons just work."""

    method: str
    chat_id: int
    retry_after: int


class FloodLimiter:
    """Checks one global bucket plus one bucket per chat; a refused call consumes nothing."""

    def __init__(self, limits: FloodLimits, clock: Clock = time.monotonic):
        self.limits = limits
        self.clock = clock
        self.global_bucket = TokenBucket(limits.global_per_second, limits.global_per_second, clock)
        self.chat_buckets: dict[int, TokenBucket] = {}

    def _chat_bucket(self, chat_id: int, private: bool) -> TokenBucket:
        bucket = self.chat_buckets.get(chat_id)
        if bucket is None:
            if private:
                bucket = TokenBucket(
                    self.limits.private_burst, self.limits.private_per_second, self.clock
                )
            else:
                bucket = TokenBucket(
                    self.limits.group_burst, self.limits.group_per_minute / 60.0, self.clock
                )
            self.chat_buckets[chat_id] = bucket
        return bucket

    def acquire(self, chat_id: int, private: bool) -> int | None:
        """Consume a token for a message to ``chat_id``; return retry_after seconds if refused."""
        chat_bucket = self._chat_bucket(chat_id, private)
        wait = max(self.global_bucket.wait_time(), chat_bucket.wait_time())
        if wait > 0:
            return max(1, math.ceil(wait))
        self.global_bucket.take()
        chat_bucket.take()
        return None

    def reset(self) -> None:
        self.global_bucket = TokenBucket(
            self.limits.global_per_second, self.limits.global_per_second, self.clock
        )
        self.chat_buckets.clear()
