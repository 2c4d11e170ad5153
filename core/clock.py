"""What time it is, as one injectable object: the wall clock, or the sandbox replay's clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

# How a process hands its clock to one it starts (the workers to `pythia train`): the time it
# said, and its pace (Clock.speed), in these environment variables.
MARKET_NOW = "PYTHIA_MARKET_NOW"
MARKET_SPEED = "PYTHIA_MARKET_SPEED"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware UTC."""
        ...

    @property
    def speed(self) -> float:
        """Seconds of this clock per wall second: 1 for the wall's, the replay's speed in the
        sandbox, 0 for one that stands still (a process that goes on from this clock's time
        goes on at this pace)."""
        ...


class SystemClock:
    speed = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that moves only when told to; for tests."""

    current: datetime

    @property
    def speed(self) -> float:
        return 0.0

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@dataclass
class ReplayClock:
    """Market time in the sandbox: starts at the wall clock and runs `speed` times faster.

    `data_start` is the moment in the bundled data that plays at `started`; `shift` maps a
    data timestamp onto the clock, so candles and ticks agree with each other.
    """

    data_start: datetime
    speed: float
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    wall: Callable[[], float] = time.monotonic
    _wall_started: float = field(init=False)

    def __post_init__(self) -> None:
        self._wall_started = self.wall()

    def elapsed(self) -> timedelta:
        return timedelta(seconds=(self.wall() - self._wall_started) * self.speed)

    def now(self) -> datetime:
        return self.started + self.elapsed()

    def data_now(self) -> datetime:
        """The moment in the bundled data that is playing now."""
        return self.data_start + self.elapsed()

    @property
    def shift(self) -> timedelta:
        return self.started - self.data_start
