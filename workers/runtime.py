"""The workers process: market sources, the scheduler and their lifecycle."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import fields
from datetime import timedelta

from core.clock import Clock
from core.settings import Settings
from db.deps import Deps, build_deps, close_deps
from db.heartbeat import BEAT_EVERY
from workers.jobs import heartbeat, housekeeping, ingest_prices
from workers.jobs.base import WorkerDeps
from workers.scheduler import JobSpec, build_scheduler
from workers.sources.base import MarketSource

log = logging.getLogger(__name__)

REPLAY_MIN_INTERVAL = 0.5  # seconds; faster would only load the database


def ticker_every(settings: Settings) -> timedelta:
    """How often to poll tickers. The replay runs `replay_speed` times faster than the wall
    clock, so it polls that much more often (within reason) to keep prices as fresh in market
    time as a live exchange's."""
    seconds = settings.ticker_interval
    if settings.resolved_market_source == "replay":
        seconds = max(seconds / settings.replay_speed, REPLAY_MIN_INTERVAL)
    return timedelta(seconds=seconds)


def default_jobs(settings: Settings) -> list[JobSpec]:
    return [
        JobSpec("ingest_prices", ingest_prices.run, ticker_every(settings)),
        JobSpec("housekeeping", housekeeping.run, timedelta(hours=1), record=False),
        JobSpec(
            "heartbeat", heartbeat.run, timedelta(seconds=BEAT_EVERY), singleton=False, record=False
        ),
    ]


def build_sources(settings: Settings, clock: Clock) -> list[MarketSource]:
    if settings.resolved_market_source == "replay":
        from core.clock import ReplayClock
        from workers.sources.replay import ReplaySource

        if not isinstance(clock, ReplayClock):
            raise ValueError("the replay source needs the replay clock")
        return [ReplaySource(clock)]
    from workers.sources.ccxt_source import CcxtSource

    return [CcxtSource(name) for name in settings.exchanges]


class WorkerRuntime:
    """Sources started, scheduler running; `stop()` undoes it in reverse."""

    def __init__(
        self, settings: Settings, deps: Deps | None = None, jobs: list[JobSpec] | None = None
    ) -> None:
        self.settings = settings
        self._shared = deps
        self._jobs = jobs
        self.deps: WorkerDeps | None = None
        self._scheduler = None

    async def start(self) -> WorkerDeps:
        base = self._shared or await build_deps(self.settings)
        deps = WorkerDeps(**{f.name: getattr(base, f.name) for f in fields(Deps)})
        deps.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        deps.sources = build_sources(self.settings, deps.clock)
        for source in deps.sources:
            await source.start()
        self.deps = deps
        self._scheduler = build_scheduler(deps, self._jobs or default_jobs(self.settings))
        self._scheduler.start()
        log.info(
            "workers %s started with sources %s",
            deps.worker_id,
            ", ".join(s.name for s in deps.sources),
        )
        return deps

    async def stop(self, grace: float = 10.0) -> None:
        """Start nothing new, let running jobs finish (up to `grace` s), then close."""
        scheduler, deps = self._scheduler, self.deps
        self._scheduler = self.deps = None
        if scheduler is not None:
            scheduler.pause()
            if deps is not None and deps.running:
                await asyncio.wait(set(deps.running), timeout=grace)
            scheduler.shutdown(wait=False)  # cancels whatever outlived the grace period
        if deps is not None:
            for source in deps.sources:
                await source.close()
            if self._shared is None:
                await close_deps(deps)
