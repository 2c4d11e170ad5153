"""When the news alerts come true: a coin's sentiment index crossing a level, and a burst of
stories about it. Pure: stored points and stories in, the moments they fired out — for the
workers (the newest of them) and for the preview (how often over the last 30 days).

- A sentiment level fires on the hourly point at which the index reached it from the other
  side, with the price level's bounds (`core.alerts.index.fires`): "above" when the point
  before was under the level and this one is at or over it. Points are consecutive stored
  points, however far apart (an hour without any story in the index's window has none).
- A burst fires at the story that brings the count of stories published in (t - window, t]
  to `count` or more, when just before it there were fewer. It fires again only after the
  count has fallen under `count` (stories age out of the window) and risen again.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from core.alerts.backtest import FIRST_FEW, LOOKBACK, Backtest, spaced
from core.alerts.history import History
from core.alerts.index import fires
from core.alerts.spec import AlertSpec, Condition, NewsBurst, SentimentLevel
from core.sentiment_index import decay, publisher_weight

SHOWN = 3  # stories under a fired alert
LATEST = timedelta(hours=6)  # a price alert's: the coin's stories of the last 6 hours
DRIVERS = timedelta(hours=24)  # a sentiment alert's: the strongest of the day before
FRESHNESS = timedelta(hours=3)  # half-life of a story's rank under a price alert


@dataclass(frozen=True, slots=True)
class Point:
    """A stored point of a coin's sentiment index."""

    ts: datetime
    value: float  # in [-1, 1]


@dataclass(frozen=True, slots=True)
class CoinStory:
    """A stored story tagged with the coin `asset_id` (a story about two coins is two)."""

    asset_id: int
    id: int
    title: str
    url: str
    source: str  # the first publisher
    published_at: datetime
    publishers: int  # how many carried it
    sentiment: float | None  # the light model's score, else VADER's; None: not scored yet


@dataclass(frozen=True, slots=True)
class Crossing:
    """When a news alert came true, the value it came true with (the index; the stories in
    the window for a burst), and the stories of the burst, newest first (none for a level)."""

    at: datetime
    value: Decimal
    stories: tuple[int, ...] = ()

    @property
    def trigger(self) -> str:
        """The event, the same text however often it is found (an outbox dedupe key's end)."""
        return f"news:{self.at.isoformat()}"


def sentiment_crossings(condition: SentimentLevel, points: Sequence[Point]) -> list[Crossing]:
    """The points at which the index crossed the level, oldest first (`points` oldest first)."""
    found = []
    for before, point in pairwise(points):
        previous, current = _decimal(before.value), _decimal(point.value)
        if fires(condition.direction, condition.level, previous, current):
            found.append(Crossing(point.ts, round(current, 4).normalize()))
    return found


def _decimal(value: float) -> Decimal:
    """A stored value as it reads (-0.3, not -0.29999999999999998889…), so an index at the
    level has reached it."""
    return Decimal(repr(value))


def bursts(condition: NewsBurst, stories: Sequence[CoinStory]) -> list[Crossing]:
    """The stories at which a burst began, oldest first (`stories` in any order)."""
    ordered = sorted(stories, key=lambda s: (s.published_at, s.id))
    times = [s.published_at for s in ordered]
    window, found = condition.window, []
    for at in sorted(set(times)):
        first = bisect_right(times, at - window)
        now = bisect_right(times, at) - first  # published in (at - window, at]
        before = bisect_left(times, at) - bisect_left(times, at - window)  # [at - window, at)
        if now >= condition.count > before:
            ids = tuple(s.id for s in reversed(ordered[first : first + now]))
            found.append(Crossing(at, Decimal(now), ids))
    return found


def crossings(
    spec: AlertSpec, points: Sequence[Point], stories: Sequence[CoinStory]
) -> list[Crossing]:
    """When a news alert's condition came true over the points or stories given."""
    condition = spec.condition
    if isinstance(condition, SentimentLevel):
        return sentiment_crossings(condition, points)
    if isinstance(condition, NewsBurst):
        return bursts(condition, stories)
    raise ValueError(f"{type(condition).__name__} is not a news condition")


def news_history(
    spec: AlertSpec,
    points: Sequence[Point],
    stories: Sequence[CoinStory],
    now: datetime,
) -> History:
    """How often a news alert would have fired over the last 30 days of the stored index
    (points oldest first) or stories; the backtest is None when none of them is stored."""
    sentiment = isinstance(spec.condition, SentimentLevel)
    source: Literal["sentiment", "news"] = "sentiment" if sentiment else "news"
    reading = points[-1].value if sentiment and points else None
    stored = [p.ts for p in points] if sentiment else [s.published_at for s in stories]
    if len(stored) < (2 if sentiment else 1):
        return History("1h", None, source, reading)
    since = max(now - LOOKBACK, min(stored))
    times = [c.at for c in crossings(spec, points, stories) if c.at >= since]
    if spec.cooldown is not None:
        times = spaced(times, spec.cooldown)
    last = times[-1] if times else None
    result = Backtest(len(times), tuple(times[:FIRST_FEW]), since, now, last)
    return History("1h", result, source, reading)


def preview_span(spec: AlertSpec) -> timedelta:
    """How far back the points or stories for a preview go (a burst's window before 30 days)."""
    condition = spec.condition
    return LOOKBACK + (condition.window if isinstance(condition, NewsBurst) else timedelta(days=1))


def story_span(condition: Condition) -> timedelta:
    """How far before the moment it fired the stories under an alert may go."""
    if isinstance(condition, NewsBurst):
        return condition.window
    return DRIVERS if isinstance(condition, SentimentLevel) else LATEST


def shown_stories(
    condition: Condition,
    at: datetime,
    stories: Sequence[CoinStory],
    burst: Sequence[int] = (),
) -> list[CoinStory]:
    """The stories (of the alert's coin) a fired alert shows, up to SHOWN, best first:

    - a burst's own stories (`burst`, their ids), newest first;
    - a sentiment level's: those of the day before the point that pushed it its way, the
      strongest first (score × publisher weight);
    - any other's: the stories of the LATEST hours up to `at`, the newest and most widely
      carried first (publisher weight × a decay of FRESHNESS).
    """
    if isinstance(condition, NewsBurst):
        wanted = set(burst)
        found = [s for s in stories if s.id in wanted]
        return sorted(found, key=lambda s: (s.published_at, s.id), reverse=True)[:SHOWN]
    span = story_span(condition)
    recent = [s for s in stories if at - span <= s.published_at <= at]
    if isinstance(condition, SentimentLevel):
        sign = 1.0 if condition.direction == "above" else -1.0
        pushed = [s for s in recent if s.sentiment is not None and s.sentiment * sign > 0]

        def strength(s: CoinStory) -> tuple[float, datetime]:
            return ((s.sentiment or 0.0) * sign * publisher_weight(s.publishers), s.published_at)

        return sorted(pushed, key=strength, reverse=True)[:SHOWN]

    def rank(s: CoinStory) -> tuple[float, datetime]:
        fresh = decay(at - s.published_at, FRESHNESS)
        return (fresh * publisher_weight(s.publishers), s.published_at)

    return sorted(recent, key=rank, reverse=True)[:SHOWN]
