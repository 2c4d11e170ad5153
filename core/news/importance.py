"""Which stories are worth pushing to the people who follow a coin's news, and how many each
person gets. Pure: values in, decisions out.

A story is important when its sentiment is strong (the light model's score, VADER's where it
gave none, at `strong` or beyond either way) or its coverage is wide (`wide` publishers or
more) — and it is fresh: published within `fresh` of now, so a restart after a night away
pushes no backlog. Each person gets at most `per_day` pushes in any 24 hours, the most
important first.

Quiet hours hold nothing in a queue: while a person's are on, nothing is chosen for them;
when they end, the stories still fresh compete for the day's pushes like any others, and those
gone stale by then are dropped (a story a night old is history, and /news shows it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

STRONG = 0.6  # |score| at or beyond which a story's sentiment is strong
WIDE = 3  # publishers at or beyond which a story's coverage is wide
FRESH = timedelta(hours=3)  # how old a story may be and still be pushed
AHEAD = timedelta(minutes=15)  # a feed's clock ahead of ours: a story "from the future" this much
PER_DAY = 3  # pushes a person gets in any 24 hours
DAY = timedelta(hours=24)

STRONG_SENTIMENT, WIDE_COVERAGE = "strong", "wide"  # why a story is important


@dataclass(frozen=True, slots=True)
class Rules:
    strong: float = STRONG
    wide: int = WIDE
    fresh: timedelta = FRESH


@dataclass(frozen=True, slots=True)
class Story:
    """What importance is judged on."""

    id: int
    published_at: datetime
    publishers: int
    score: float | None  # sentiment in [-1, 1]; None: not scored


def sentiment_of(model: float | None, vader: float | None) -> float | None:
    """The score a story is judged on: the light model's, VADER's where it gave none."""
    return model if model is not None else vader


def is_fresh(story: Story, now: datetime, rules: Rules = Rules()) -> bool:
    return now - rules.fresh <= story.published_at <= now + AHEAD


def reasons(story: Story, now: datetime, rules: Rules = Rules()) -> tuple[str, ...]:
    """Why `story` is important now (strong sentiment, wide coverage); () when it is not,
    or no longer fresh."""
    if not is_fresh(story, now, rules):
        return ()
    found = []
    if story.score is not None and abs(story.score) >= rules.strong:
        found.append(STRONG_SENTIMENT)
    if story.publishers >= rules.wide:
        found.append(WIDE_COVERAGE)
    return tuple(found)


def is_important(story: Story, now: datetime, rules: Rules = Rules()) -> bool:
    return bool(reasons(story, now, rules))


def most_important_first(
    stories: Sequence[Story], now: datetime, rules: Rules = Rules()
) -> list[Story]:
    """The important ones of `stories`: both reasons before one, then the wider coverage, the
    stronger sentiment, the newer."""

    def rank(story: Story) -> tuple[int, int, float, float, int]:
        strength = abs(story.score) if story.score is not None else 0.0
        why = len(reasons(story, now, rules))
        return (-why, -story.publishers, -strength, -story.published_at.timestamp(), story.id)

    return sorted((s for s in stories if is_important(s, now, rules)), key=rank)


def to_push(
    stories: Sequence[Story],
    pushed_today: int,
    now: datetime,
    *,
    per_day: int = PER_DAY,
    quiet: bool = False,
    rules: Rules = Rules(),
) -> list[Story]:
    """What one person gets now of `stories` (those about coins they follow, not pushed to
    them yet): the most important, as many as their day has room for (`pushed_today`: pushes
    in the last 24 hours); nothing during their quiet hours."""
    room = per_day - pushed_today
    if quiet or room <= 0:
        return []
    return most_important_first(stories, now, rules)[:room]
