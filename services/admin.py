"""What an operator sees with /status: is everything flowing — prices and candles per exchange,
news per feed, the processes' heartbeats, the outbox, failed jobs, which models serve and how
old they are, people, alerts, digests, paused chats, the last broadcasts' progress. Facts only
(the bot's view says them), read in one transaction.

Two clocks: market data, the outbox and people are written on `deps.clock` (the replay's in
the sandbox), so their ages are measured to `now` on it; the job log and heartbeats are on the
wall clock (`wall`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from db.heartbeat import BEAT_TTL, heartbeat_key
from db.repos import status as repo
from services import model_registry
from services.deps import Deps
from services.model_registry import RegisteredModel

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
BROADCASTS_SINCE = timedelta(days=1)  # the broadcasts /status follows
WORKERS_SINCE = timedelta(hours=1)  # a worker with no job run in this long is not listed
LATE = timedelta(minutes=5)  # a digest due longer ago is late (the digests job runs each minute)


@dataclass(frozen=True, slots=True)
class Exchange:
    name: str
    price_at: datetime | None  # its newest ticker
    candles_at: dict[str, datetime]  # timeframe → its newest candle's open time


@dataclass(frozen=True, slots=True)
class Feed:
    publisher: str
    latest_at: datetime | None  # its newest item's publication
    last_ok_at: datetime | None  # its last good fetch
    failures: int  # in a row
    last_error: str | None  # a reason code


@dataclass(frozen=True, slots=True)
class FailedJob:
    job: str
    failures: int  # in the last hour
    last_error: str  # the last failure's last line
    last_at: datetime


@dataclass(frozen=True, slots=True)
class ServingModel:
    asset: str
    horizon: str
    version: int
    champion: bool  # False: "no edge found", its base rate is served
    trained_at: datetime


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    id: str
    queued_at: datetime
    sent: int
    pending: int
    failed: int


@dataclass(frozen=True, slots=True)
class Status:
    now: datetime  # on deps.clock: market data, the outbox and people are aged to it
    wall: datetime  # the wall clock: jobs and heartbeats are aged to it
    exchanges: list[Exchange]
    feeds: list[Feed]
    bot_beat_at: datetime | None  # this host's bot heartbeat (None: none in BEAT_TTL)
    workers_beat_at: datetime | None  # this host's workers' (other hosts': `workers_seen`)
    workers_seen: dict[str, datetime]  # worker → its last finished job
    pending: int
    due: int  # of the pending, those due now (the rest wait for their time)
    oldest_pending_at: datetime | None  # since when the longest-waiting due row was due
    failed_last_hour: int
    maybe_sent_last_hour: int
    failed_jobs: list[FailedJob]
    models: list[ServingModel]
    people: int
    active_day: int
    active_week: int
    blocked: int
    alerts: dict[str, int]  # active, by kind
    digests: int  # active
    digests_due: int  # within the hour
    digests_late: int  # due over LATE ago and not posted
    paused_chats: dict[str, int]  # by reason
    broadcasts: list[BroadcastProgress] = field(default_factory=list)
    cache_ok: bool = True  # False: the cache (Redis) did not answer; heartbeats unknown

    @property
    def no_edge(self) -> int:
        return sum(not model.champion for model in self.models)


async def status(deps: Deps, now: datetime, wall: datetime | None = None) -> Status:
    """Everything /status shows, as of `now` (on `deps.clock`) and `wall` (default: now)."""
    wall = wall or datetime.now(UTC)
    async with deps.read() as session:
        prices = await repo.latest_prices(session)
        candles = {tf: await repo.latest_candles(session, tf) for tf in _timeframes(deps)}
        feeds, articles = await repo.feeds(session), await repo.latest_articles(session)
        workers = await repo.workers_seen(session, wall - WORKERS_SINCE)
        failed = await repo.failed_jobs(session, wall - HOUR)
        pending, due_rows, oldest = await repo.outbox_backlog(session, now)
        failed_rows, maybe_sent = await repo.outbox_settled(session, now - HOUR)
        models = await model_registry.serving_in(session)
        people = await repo.people(session, now - timedelta(days=1), now - timedelta(days=7))
        alerts = await repo.active_alerts(session)
        digests, due, late = await repo.digests(session, now + HOUR, now - LATE)
        paused = await repo.paused_chats(session)
        broadcasts = await repo.broadcasts(session, now - BROADCASTS_SINCE)
    try:  # when Redis is away is when an operator asks: the rest is still worth saying
        beats = {c: await _beat_at(deps, c, wall) for c in ("bot", "workers")}
    except Exception:
        log.warning("status: the cache did not answer", exc_info=True)
        beats = {}
    names = sorted(set(prices) | {name for found in candles.values() for name in found})
    return Status(
        now=now,
        wall=wall,
        exchanges=[
            Exchange(n, prices.get(n), {tf: at[n] for tf, at in candles.items() if n in at})
            for n in names
        ],
        feeds=_feeds(feeds, articles),
        bot_beat_at=beats.get("bot"),
        workers_beat_at=beats.get("workers"),
        workers_seen=workers,
        pending=pending,
        due=due_rows,
        oldest_pending_at=oldest,
        failed_last_hour=failed_rows,
        maybe_sent_last_hour=maybe_sent,
        failed_jobs=[FailedJob(job, n, _last_line(said), at) for job, n, said, at in failed],
        models=_serving(models),
        people=people[0],
        active_day=people[1],
        active_week=people[2],
        blocked=people[3],
        alerts=alerts,
        digests=digests,
        digests_due=due,
        digests_late=late,
        paused_chats=paused,
        broadcasts=[
            BroadcastProgress(
                key, at, counts.get("sent", 0), counts.get("pending", 0), counts.get("failed", 0)
            )
            for key, at, counts in broadcasts
        ],
        cache_ok=bool(beats),
    )


def _timeframes(deps: Deps) -> list[str]:
    return list(dict.fromkeys(deps.settings.candle_timeframes))


def _feeds(rows: list[Any], articles: dict[str, datetime]) -> list[Feed]:
    found = {
        row.publisher: Feed(row.publisher, articles.get(row.publisher), row.last_ok_at,
                            row.failures or 0, row.last_error)
        for row in rows
    }  # fmt: skip
    for publisher, at in articles.items():  # items of a feed no longer configured
        found.setdefault(publisher, Feed(publisher, at, None, 0, None))
    return sorted(found.values(), key=lambda feed: feed.publisher.lower())


def _serving(models: list[RegisteredModel]) -> list[ServingModel]:
    return [
        ServingModel(m.asset, m.horizon, m.version, m.status == "champion", m.created_at)
        for m in models
    ]


async def _beat_at(deps: Deps, component: str, wall: datetime) -> datetime | None:
    """When this host's `component` last beat: its key lives BEAT_TTL after each beat."""
    left = await deps.cache.ttl(heartbeat_key(component))
    if left is None or left <= 0:
        return None
    return wall - timedelta(seconds=max(BEAT_TTL - left, 0.0))


def _last_line(summary: str) -> str:
    lines = [line.strip() for line in summary.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
