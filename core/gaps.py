"""Where a candle series has holes: pure arithmetic on open times."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.market import TIMEFRAMES, floor_time

# How far back a market's candles start when Pythia first sees it.
FIRST_HISTORY: dict[str, timedelta] = {
    "1m": timedelta(days=1),
    "5m": timedelta(days=3),
    "15m": timedelta(days=7),
    "1h": timedelta(days=90),
    "4h": timedelta(days=365),
    "1d": timedelta(days=3 * 365),
}


@dataclass(frozen=True, slots=True)
class Gap:
    """Candles missing between two stored ones: `start` is the first missing open time."""

    start: datetime
    end: datetime  # the open time of the candle after the hole
    missing: int


def find_gaps(times: Sequence[datetime], timeframe: str) -> list[Gap]:
    """Holes in sorted open times `times` of `timeframe` candles."""
    step = TIMEFRAMES[timeframe]
    gaps = []
    for earlier, later in itertools.pairwise(times):
        if later - earlier > step:
            gaps.append(Gap(earlier + step, later, int((later - earlier) / step) - 1))
    return gaps


def resume_from(last: datetime | None, timeframe: str, now: datetime) -> datetime:
    """Where to fetch from next: the last stored candle again (it may have been forming when
    stored), or the start of the first history."""
    if last is not None:
        return last
    return floor_time(now - FIRST_HISTORY[timeframe], timeframe)
