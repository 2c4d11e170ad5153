"""The news sentiment index as a stored series: an hourly point per followed coin and for the
whole market (core.sentiment_index over the scored stories), and reading it back — for the
predictions (features) and for /sentiment.

A point at `ts` is the index as of `ts`: the stories published by then, each scored by the
light model (VADER's score where the model gave none), weighted by age and publishers. Each
run recomputes the latest stored point (stories published before it may have arrived since)
and adds every hour after it up to now, at most `BACKFILL` hours back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from core.market import floor_time
from core.sentiment_index import Story, sentiment_index
from db.news import SentimentPoint
from db.repos import news as repo
from db.repos.news import ScoredStory
from services.deps import Deps
from services.series import load_series

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


SUMMARY_SPAN = timedelta(days=7, hours=2)  # a week back from the latest point, and an hour


async def sentiment_summary(deps: Deps, asset: str | None) -> SentimentSummary:
    """The latest point of `asset` (None: the market) and the last ones at or before a day and
    a week earlier (within an hour), for /sentiment."""
    now = deps.clock.now()
    readings = await sentiment_series(deps, asset, now - SUMMARY_SPAN, now)
    return summary_of(asset, readings)


def summary_of(asset: str | None, readings: Sequence[SentimentReading]) -> SentimentSummary:
    """The summary of `readings` (oldest first): the latest, and a day and a week before it."""
    latest = readings[-1] if readings else None

    def back(delta: timedelta) -> SentimentReading | None:
        if latest is None:
            return None
        target = latest.ts - delta
        before = [r for r in readings if target - STEP <= r.ts <= target]
        return before[-1] if before else None

    return SentimentSummary(asset, latest, back(timedelta(days=1)), back(timedelta(days=7)))


# --- /sentiment: the summary and the week's picture, read through the cache -------------------

PICTURE_SPAN = timedelta(days=7)
MARKET_COIN = "BTC"  # the market's index is drawn against this coin's price
# Read from the database at most once a minute per scope: the index gains a point an hour and
# the latest is recomputed each scoring run, so a minute-old summary says the same; a life
# rather than invalidation, because the scorer (another process) would otherwise have to know
# every key the bot reads.
SENTIMENT_TTL = 60.0


@dataclass(frozen=True, slots=True)
class SentimentOverview:
    """/sentiment: the index of `asset` (None: the market) now and a day and a week before, its
    points over the last week, and the hourly closes of `coin` (the asset, or MARKET_COIN) over
    the same week (none when no market has its candles)."""

    summary: SentimentSummary
    points: tuple[tuple[datetime, float], ...]
    coin: str
    quote: str | None
    closes: tuple[tuple[datetime, Decimal], ...]

    @property
    def asset(self) -> str | None:
        return self.summary.asset

    @property
    def key(self) -> str:
        """What the picture shows, to find it again: the scope, its last point and close."""
        point = self.points[-1] if self.points else None
        close = self.closes[-1] if self.closes else None
        shown = f"{point[0].timestamp():.0f}:{point[1]:.4f}" if point else "-"
        priced = f"{close[0].timestamp():.0f}:{close[1]}" if close else "-"
        return f"chart:sentiment:{self.asset or '*'}:{self.coin}:{shown}:{priced}"


async def sentiment_overview(deps: Deps, asset: str | None) -> SentimentOverview:
    """The index of `asset` (a known symbol; None: the market) for /sentiment, from the cache
    when it was read in the last SENTIMENT_TTL seconds."""
    key = f"sentiment:overview:{asset or '*'}"
    cached = await deps.cache.get(key)
    if cached is not None:
        return _overview_from_json(cached)
    overview = await _read_overview(deps, asset)
    await deps.cache.set(key, _overview_to_json(overview), ttl=SENTIMENT_TTL)
    return overview


async def _read_overview(deps: Deps, asset: str | None) -> SentimentOverview:
    now = deps.clock.now()
    coin = asset or MARKET_COIN
    async with deps.read() as session:
        directory = await deps.directory_in(session)
        asset_id = None if asset is None else directory.ids.get(asset)
        rows: list[SentimentPoint] = []
        if asset is None or asset_id is not None:  # a coin Pythia does not know has none
            rows = await repo.points(session, asset_id, now - SUMMARY_SPAN, now)
        series = None
        if coin in directory.ids:
            series = await load_series(deps, session, coin, "1h", PICTURE_SPAN)
    readings = [SentimentReading(row.ts, row.value, row.weight, row.stories) for row in rows]
    week = now - PICTURE_SPAN
    return SentimentOverview(
        summary_of(asset, readings),
        tuple((r.ts, r.value) for r in readings if r.ts >= week),
        coin,
        None if series is None else series.quote,
        () if series is None else tuple((c.ts, c.close) for c in series.candles),
    )


def _reading_json(reading: SentimentReading | None) -> list[object] | None:
    if reading is None:
        return None
    return [reading.ts.isoformat(), reading.value, reading.weight, reading.stories]


def _reading(data: list[Any] | None) -> SentimentReading | None:
    if data is None:
        return None
    ts, value, weight, stories = data
    return SentimentReading(datetime.fromisoformat(ts), value, weight, stories)


def _overview_to_json(overview: SentimentOverview) -> str:
    summary = overview.summary
    return json.dumps(
        {
            "asset": summary.asset,
            "now": _reading_json(summary.now),
            "day_ago": _reading_json(summary.day_ago),
            "week_ago": _reading_json(summary.week_ago),
            "points": [[ts.isoformat(), value] for ts, value in overview.points],
            "coin": overview.coin,
            "quote": overview.quote,
            "closes": [[ts.isoformat(), str(close)] for ts, close in overview.closes],
        }
    )


def _overview_from_json(text: str) -> SentimentOverview:
    data = json.loads(text)
    summary = SentimentSummary(
        data["asset"], _reading(data["now"]), _reading(data["day_ago"]), _reading(data["week_ago"])
    )
    return SentimentOverview(
        summary,
        tuple((datetime.fromisoformat(ts), value) for ts, value in data["points"]),
        data["coin"],
        data["quote"],
        tuple((datetime.fromisoformat(ts), Decimal(close)) for ts, close in data["closes"]),
    )
