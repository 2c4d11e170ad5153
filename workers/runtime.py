"""The workers process: market sources, the scheduler and their lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from core.clock import Clock
from core.market import Ticker
from core.settings import Settings
from db.heartbeat import BEAT_EVERY
from services import tasks
from services.deps import Deps, build_deps, close_deps
from workers.alerting.matcher import AlertMatcher
from workers.jobs import (
    alerts_expiry,
    digests,
    heartbeat,
    housekeeping,
    ingest_candles,
    ingest_news,
    ingest_prices,
    notify_news,
    predict,
    resolve_predictions,
    retrain_models,
    score_news,
    snapshots,
    sync_markets,
)
from workers.jobs.base import WorkerDeps
from workers.latest import record
from workers.news.sources import NewsSources
from workers.scheduler import JobSpec, build_scheduler, run_job
from workers.sources.base import MarketSource
from workers.sources.guarded import GuardedSource

if TYPE_CHECKING:
    from workers.sources.ccxt_source import CcxtSource
    from workers.sources.streaming import TickerStream

StreamsFactory = Callable[[WorkerDeps], dict[str, "TickerStream"]]

log = logging.getLogger(__name__)

STOP_GRACE = 5.0  # seconds running jobs get on SIGTERM: the process is gone within ten
UNWIND = 12.0  # seconds a cancelled job has to unwind (a training job waits 10 s for its child)


def market_every(settings: Settings, seconds: float, floor: float = 0.5) -> timedelta:
    """How often to poll the market. The replay runs `replay_speed` times faster than the wall
    clock, so it polls that much more often (down to `floor` seconds) to keep data as fresh in
    market time as a live exchange's."""
    if settings.resolved_market_source == "replay":
        seconds = max(seconds / settings.replay_speed, floor)
    return timedelta(seconds=seconds)


def default_jobs(settings: Settings) -> list[JobSpec]:
    return [
        JobSpec("sync_markets", sync_markets.run, timedelta(hours=6), at_start=True),
        JobSpec(
            "ingest_prices", ingest_prices.run, market_every(settings, settings.ticker_interval)
        ),
        JobSpec(
            "ingest_candles",
            ingest_candles.run,
            market_every(settings, settings.candle_interval, 5),
        ),
        JobSpec("ingest_news", ingest_news.run, market_every(settings, settings.news_interval, 30)),
        JobSpec("score_news", score_news.run, market_every(settings, 60, 15)),
        # as often as stories are scored, so an important one goes out within a minute of it
        JobSpec("notify_news", notify_news.run, market_every(settings, 60, 15)),
        # every few minutes: each publishes once an hour's candles are in, and writes nothing else
        JobSpec("predict", predict.run, market_every(settings, 300, 5)),
        JobSpec("resolve_predictions", resolve_predictions.run, market_every(settings, 300, 5)),
        # checks often, trains daily (or at once on an empty registry), in a process of its own
        JobSpec("retrain_models", retrain_models.run, market_every(settings, 600, 10)),
        JobSpec("housekeeping", housekeeping.run, timedelta(hours=1), record=False),
        JobSpec("snapshots", snapshots.run, snapshots.CHECK_EVERY, at_start=True),
        digests_job(settings),
        JobSpec(
            "heartbeat", heartbeat.run, timedelta(seconds=BEAT_EVERY), singleton=False, record=False
        ),
    ]


def digests_job(settings: Settings) -> JobSpec:
    """What is due, at second 5 of every minute (slots are whole minutes); in the sandbox, as
    often as the replay's minutes pass."""
    if settings.resolved_market_source == "replay":
        return JobSpec("digests", digests.run, market_every(settings, 60, 1))
    return JobSpec("digests", digests.run, timedelta(minutes=1), at_second=5)


def alert_jobs(settings: Settings, matcher: AlertMatcher) -> list[JobSpec]:
    """Candle-close alerts soon after the candle job stores a closed candle; news alerts as
    often as the news is scored; forecast alerts every minute (predictions are hourly); expiry."""
    return [
        JobSpec("alerts_candles", matcher.on_candles, market_every(settings, 15, 1)),
        JobSpec("alerts_news", matcher.on_news, market_every(settings, 30, 5)),
        JobSpec("alerts_predictions", matcher.on_predictions, market_every(settings, 60, 5)),
        JobSpec("alerts_expiry", alerts_expiry.run, market_every(settings, 60, 5)),
    ]


def build_sources(settings: Settings, clock: Clock) -> list[MarketSource]:
    """Each source behind its own back-off, so one exchange's trouble stays its own."""
    if settings.resolved_market_source == "replay":
        from core.clock import ReplayClock
        from workers.sources.replay import ReplaySource

        if not isinstance(clock, ReplayClock):
            raise ValueError("the replay source needs the replay clock")
        return [GuardedSource(ReplaySource(clock))]
    from workers.sources.ccxt_source import CcxtSource
    from workers.sources.lanes import install

    sources: list[MarketSource] = []
    for name in settings.exchanges:
        source = CcxtSource(name)
        install(source.exchange)  # tickers ahead of candle pages in the exchange's rate limit
        sources.append(GuardedSource(source))
    return sources


def ccxt_of(source: MarketSource) -> CcxtSource | None:
    """The ccxt source inside `source` (behind its guard), if it is one."""
    from workers.sources.ccxt_source import CcxtSource

    inner = source.source if isinstance(source, GuardedSource) else source
    return inner if isinstance(inner, CcxtSource) else None


def build_streams(deps: WorkerDeps) -> dict[str, TickerStream]:
    """A ticker stream for each ccxt source whose exchange ccxt.pro can watch."""
    from workers.sources.streaming import TickerStream, can_stream

    async def tracked() -> tuple[str, ...]:
        return (await deps.current_directory()).tracked

    streams = {}
    for source in deps.sources:
        rest = ccxt_of(source)
        if rest is not None and can_stream(rest.name):
            streams[rest.name] = TickerStream(
                rest, tracked, stale_after=deps.settings.stream_stale_after
            )
    return streams


class WorkerRuntime:
    """Sources started, scheduler running; `stop()` undoes it in reverse."""

    def __init__(
        self,
        settings: Settings,
        deps: Deps | None = None,
        jobs: list[JobSpec] | None = None,
        sources: list[MarketSource] | None = None,
        streams: StreamsFactory | None = None,
        without: Collection[str] = (),
    ) -> None:
        self.settings = settings
        self._shared = deps
        self._jobs = jobs
        self._without = frozenset(without)  # jobs by name not scheduled (a test runs them)
        self._sources = sources  # prepared elsewhere (tests, benchmarks); else from settings
        self._streams = streams  # likewise; else one per exchange that can, when streaming
        self._streaming: list[asyncio.Task[None]] = []
        self.deps: WorkerDeps | None = None
        self.matcher = AlertMatcher()  # price alerts matched on every price event
        self._following: asyncio.Task[None] | None = None
        self._scheduler: AsyncIOScheduler | None = None

    async def start(self) -> WorkerDeps:
        base = self._shared or await build_deps(self.settings)
        deps = WorkerDeps.of(base, worker_id=f"{socket.gethostname()}:{os.getpid()}")
        deps.sources = self._sources or build_sources(self.settings, deps.clock)
        for source in deps.sources:
            await source.start()
        deps.news = await NewsSources.start(self.settings, deps.clock)
        self.deps = deps
        jobs = self._jobs or [
            *default_jobs(self.settings),
            *alert_jobs(self.settings, self.matcher),
        ]
        jobs = [spec for spec in jobs if spec.name not in self._without]
        for spec in jobs:
            if spec.at_start:  # e.g. what the exchanges list, before anyone asks
                await run_job(spec, deps)
        await self.matcher.start(deps)
        self._following = asyncio.create_task(self.matcher.follow(deps), name="alert matcher")
        with contextlib.suppress(TimeoutError):  # the first prices matched too, when it can
            async with asyncio.timeout(5):
                await self.matcher.listening.wait()
        self._start_streams(deps)
        self._scheduler = scheduler = build_scheduler(deps, jobs)
        scheduler.start()
        log.info(
            "workers %s started with sources %s",
            deps.worker_id,
            ", ".join(s.name for s in deps.sources),
        )
        return deps

    def _start_streams(self, deps: WorkerDeps) -> None:
        """Tickers pushed from each exchange that streams, into the same path as polled ones."""
        if self._streams is not None:
            deps.streams = self._streams(deps)
        elif self.settings.resolved_streaming:
            deps.streams = build_streams(deps)

        async def sink(tickers: list[Ticker]) -> None:
            await record(deps, deps.latest, deps.market_ids, tickers)

        self._streaming = [
            asyncio.create_task(stream.run(sink), name=f"{name} ticker stream")
            for name, stream in deps.streams.items()
        ]

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Start nothing new, let running jobs finish (up to `grace` s), then close. A job still
        running then is cancelled: its transaction rolls back, its singleton lock is released
        as its `async with` unwinds, a training subprocess's group is ended (retrain_models)."""
        scheduler, deps = self._scheduler, self.deps
        self._scheduler = self.deps = None
        await tasks.end_all(self._streaming)
        self._streaming = []
        if self._following is not None:
            await self.matcher.stop_following(self._following)
            self._following = None
        if scheduler is not None:
            scheduler.pause()
            if deps is not None and deps.running:
                deps.stopping = True
                _, late = await asyncio.wait(set(deps.running), timeout=grace)
                # cancelled, and let unwind (roll back, return connections) before anything
                # is closed
                await tasks.end_all(late, patience=UNWIND)
            scheduler.shutdown(wait=False)
        if deps is not None:
            for source in deps.sources:
                await source.close()
            if deps.news is not None:
                await deps.news.close()
            if self._shared is None:
                await close_deps(deps)
