"""The news sentiment index as a stored series: an hourly point per followed coin and for the
whole market (core.sentiment_index over the scored stories), and reading it back — for the
predictions (features) and for /sentiment.

A point at `ts` is the index as of `ts`: the stories published by then, each scored by the
light model (VADER's score where the model gave none), weighted by age and publishers. Each
run recomputes the latest stored point (stories published before it may have arrived since)
and adds every hour after it up to now, at most `BACKFILL` hours back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.market import floor_time
from core.sentiment_index import Story, sentiment_index
from db.repos import news as repo
from db.repos.news import ScoredStory
from services.deps import Deps

STEP = timedelta(hours=1)
WINDOW = timedelta(days=3)  # the index's own window (core.sentiment_index's default)
BACKFILL = 48  # hourly points a run may add per coin, counting back from now


@dataclass(frozen=True, slots=True)
class SentimentReading:
    """The index at `ts`: its value in [-1, 1], how much it rests on, over how many stories."""

    ts: datetime
    value: float
    weight: float
    stories: int


def _story(scored: ScoredStory) -> Story | None:
    score = scored.model if scored.model is not None else scored.vader
    return None if score is None else Story(scored.published_at, score, scored.publishers)


async def update_sentiment_index(deps: Deps) -> int:
    """Compute and store the hourly points due for each followed coin and the market; how many
    points were written."""
    now = deps.clock.now()
    current = floor_time(now, "1h")
    oldest = current - (BACKFILL - 1) * STEP
    written = 0
    async with deps.write() as session:
        directory = await deps.directory_in(session)
        scopes: list[int | None] = [None]
        scopes += [directory.ids[s] for s in directory.tracked if s in directory.ids]
        for asset_id in scopes:
            last = await repo.last_point_time(session, asset_id)
            first = oldest if last is None else max(last, oldest)
            scored = await repo.scored_stories(session, first - WINDOW, current, asset_id)
            stories = [story for story in map(_story, scored) if story is not None]
            ts = first
            while ts <= current:
                point = sentiment_index(stories, ts, window=WINDOW)
                if point is not None:
                    await repo.save_point(
                        session, asset_id, ts, point.value, point.weight, point.stories, now
                    )
                    written += 1
                ts += STEP
    return written


async def sentiment_series(
    deps: Deps, asset: str | None, since: datetime, until: datetime
) -> list[SentimentReading]:
    """The stored points of `asset` (a known symbol; None: the whole market) with `since` <=
    ts <= `until`, oldest first. Hours without a scored story in the window have no point; an
    asset Pythia does not know has none."""
    async with deps.read() as session:
        asset_id = None
        if asset is not None:
            asset_id = (await deps.directory_in(session)).ids.get(asset)
            if asset_id is None:
                return []
        rows = await repo.points(session, asset_id, since, until)
    return [SentimentReading(row.ts, row.value, row.weight, row.stories) for row in rows]


@dataclass(frozen=True, slots=True)
class SentimentSummary:
    """The index now and as it stood a day and a week before (None: no point then)."""

    asset: str | None
    now: SentimentReading | None
    day_ago: SentimentReading | None
    week_ago: SentimentReading | None

    @property
    def change_24h(self) -> float | None:
        return (
            None
            if self.now is None or self.day_ago is None
            else self.now.value - self.day_ago.value
        )

    @property
    def change_7d(self) -> float | None:
        if self.now is None or self.week_ago is None:
            return None
        return self.now.value - self.week_ago.value


async def sentiment_summary(deps: Deps, asset: str | None) -> SentimentSummary:
    """The latest point of `asset` (None: the market) and the last ones at or before a day and
    a week earlier (within an hour), for /sentiment."""
    now = deps.clock.now()
    readings = await sentiment_series(deps, asset, now - timedelta(days=7, hours=2), now)
    latest = readings[-1] if readings else None

    def back(delta: timedelta) -> SentimentReading | None:
        if latest is None:
            return None
        target = latest.ts - delta
        before = [r for r in readings if target - STEP <= r.ts <= target]
        return before[-1] if before else None

    return SentimentSummary(asset, latest, back(timedelta(days=1)), back(timedelta(days=7)))
