"""What the alert matcher reads: the alerts it watches (all active ones at start, then the
changed ones), the closed candles it checks change, indicator and volume alerts on, and the
sentiment index and tagged stories it checks the news alerts on. Reads, one transaction each;
firing is `services.firing`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from core.alerts.news import CoinStory, Point
from core.alerts.watched import WatchedAlert, watched
from core.market import TIMEFRAMES, Candle, floor_time
from core.series_choice import Candidate, choose
from db.candle_holdings import candle_holdings
from db.candles import last_candle_time, load_candles
from db.repos import alert_news
from db.repos import alerts as alert_rows
from services.deps import Deps


async def active_alerts(deps: Deps) -> tuple[datetime | None, list[WatchedAlert]]:
    """Every active alert, and when the newest change to any alert was made."""
    async with deps.read() as session:
        newest = await alert_rows.newest_change(session)
        return newest, [watched(row) for row in await alert_rows.active(session)]


async def changed_alerts(deps: Deps, since: datetime) -> list[WatchedAlert]:
    """Alerts of any status changed at or after `since` (by `updated_at`)."""
    async with deps.read() as session:
        return [watched(row) for row in await alert_rows.changed_since(session, since)]


COVERAGE_PERIODS = 500  # candles back over which markets' coverage is weighed


async def best_market(deps: Deps, symbol: str, timeframe: str) -> int | None:
    """The market whose stored candles of `timeframe` to check `symbol`'s alerts on, by the
    rule `/ta` and `/chart` follow (`core.series_choice`: fresh first, spot before perp,
    coverage, the configured exchanges); None when no market has any."""
    now = deps.clock.now()
    since = floor_time(now, timeframe) - COVERAGE_PERIODS * TIMEFRAMES[timeframe]
    async with deps.read() as session:
        held = await candle_holdings(session, symbol, [timeframe], since)
    found = [
        Candidate(h.market_id, h.exchange, h.pair, h.quote, h.kind, h.newest, h.count) for h in held
    ]
    chosen = choose(found, timeframe, now, deps.settings.exchanges)
    return chosen.market_id if chosen is not None else None


async def closed_candles(deps: Deps, market_id: int, timeframe: str, count: int) -> list[Candle]:
    """The latest `count` closed candles: before the newest stored one, and ended by now."""
    async with deps.read() as session:
        newest = await last_candle_time(session, market_id, timeframe)
        if newest is None:
            return []
        until = min(newest, floor_time(deps.clock.now(), timeframe))
        return await load_candles(session, market_id, timeframe, until=until, limit=count)


@dataclass(frozen=True, slots=True)
class NewsReadings:
    """Coins' sentiment index points (oldest first) and tagged stories (newest first)."""

    points: dict[str, list[Point]] = field(default_factory=dict)
    stories: dict[str, list[CoinStory]] = field(default_factory=dict)


async def news_readings(
    deps: Deps,
    indexed: Collection[str],
    storied: Collection[str],
    points_since: datetime,
    stories_since: datetime,
) -> NewsReadings:
    """The index points of the `indexed` coins since `points_since` and the stories of the
    `storied` ones published since `stories_since`, up to now; coins Pythia does not know have
    none."""
    now = deps.clock.now()
    readings = NewsReadings()
    async with deps.read() as session:
        ids = (await deps.directory_in(session)).ids
        symbols = {ids[s]: s for s in {*indexed, *storied} if s in ids}
        wanted = [ids[s] for s in indexed if s in ids]
        for asset_id, ts, value in await alert_news.index_points(
            session, wanted, points_since, now
        ):
            readings.points.setdefault(symbols[asset_id], []).append(Point(ts, value))
        wanted = [ids[s] for s in storied if s in ids]
        for story in await alert_news.tagged_stories(session, wanted, stories_since, now):
            readings.stories.setdefault(symbols[story.asset_id], []).append(story)
    return readings
