"""The sentiment index: recent stories' scores averaged, the newer and the more widely carried
counting more. A pure function of the stories and the moment it is taken at, so a point in the
past is the same whenever it is computed (no look-ahead)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Story:
    """One story as the index sees it."""

    published_at: datetime  # aware
    score: float  # in [-1, 1]
    publishers: int  # how many publishers carry it (at least 1)


@dataclass(frozen=True, slots=True)
class IndexPoint:
    """The index at one moment."""

    value: float  # weighted mean score, in [-1, 1]
    weight: float  # the sum of the stories' weights: how much the value rests on
    stories: int  # how many stories count


def publisher_weight(publishers: int) -> float:
    """1 for one publisher, 2 for two, 3 for four: wider coverage counts, but a story carried
    by 16 outlets (5) must not drown 16 stories carried by one each (16)."""
    return 1.0 + math.log2(max(publishers, 1))


def decay(age: timedelta, half_life: timedelta) -> float:
    """1 for a story published now, 1/2 after one half-life, 1/4 after two."""
    return 0.5 ** (age / half_life)


def sentiment_index(
    stories: Iterable[Story],
    at: datetime,
    half_life: timedelta = timedelta(hours=12),
    window: timedelta = timedelta(days=3),
) -> IndexPoint | None:
    """The index at `at` over the stories published in [at - window, at]; None when none is.

    Each story weighs decay(age) × publisher_weight(publishers); stories after `at` are not
    known yet at `at` and are left out.
    """
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if half_life <= timedelta(0) or window < timedelta(0):
        raise ValueError("half_life must be positive and window not negative")
    total = weighted = 0.0
    count = 0
    for story in stories:
        age = at - story.published_at
        if age < timedelta(0) or age > window:
            continue
        if not -1.0 <= story.score <= 1.0:
            raise ValueError(f"score {story.score} is outside [-1, 1]")
        weight = decay(age, half_life) * publisher_weight(story.publishers)
        total += weight
        weighted += weight * story.score
        count += 1
    if count == 0:
        return None
    value = max(-1.0, min(1.0, weighted / total))  # rounding must not step outside [-1, 1]
    return IndexPoint(value=value, weight=total, stories=count)
