"""Exponential back-off with jitter, as plain state: one per exchange, so one exchange's
trouble slows only that exchange."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """After each failure wait `base * factor**(failures-1)` seconds, capped at `cap`, with
    "equal jitter" (half fixed, half random) so a fleet of workers does not retry in step.
    A server's own Retry-After is a floor, never shortened."""

    base: float = 2.0
    factor: float = 2.0
    cap: float = 300.0
    failures: int = 0
    retry_at: float = 0.0  # monotonic seconds; nothing is attempted before it
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def ready(self, now: float) -> bool:
        return now >= self.retry_at

    def waiting(self, now: float) -> float:
        return max(self.retry_at - now, 0.0)

    def failed(self, now: float, retry_after: float | None = None) -> float:
        """Record a failure at `now`; returns the delay before the next attempt."""
        self.failures += 1
        ceiling = min(self.cap, self.base * self.factor ** (self.failures - 1))
        delay = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if retry_after is not None:
            delay = max(delay, retry_after)
        self.retry_at = now + delay
        return delay

    def succeeded(self) -> None:
        self.failures = 0
        self.retry_at = 0.0
