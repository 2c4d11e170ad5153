"""APScheduler 3 wiring: each job is a plain `async def run(deps) -> JobResult` on a trigger."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from db.locks import advisory_lock
from services import metrics
from services.job_runs import record_run
from services.log_context import running_job
from workers.jobs.base import JobResult, WorkerDeps

log = logging.getLogger(__name__)

JobFunc = Callable[[WorkerDeps], Awaitable[JobResult]]


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job and its schedule. `singleton` jobs run in one worker process at a time."""

    name: str
    run: JobFunc
    every: timedelta
    singleton: bool = True
    record: bool = True  # write a job_runs row for each run
    at_start: bool = False  # run once, awaited, before the scheduler starts (then on schedule)
    at_second: int | None = None  # run at this second of every minute (a cron), not every `every`


async def run_job(spec: JobSpec, deps: WorkerDeps) -> JobResult | None:
    """Run `spec` once; None when another process holds its lock and this one stood aside.

    While it runs, its task is in `deps.running`, so shutdown can wait for it."""
    task = asyncio.current_task()
    if task is not None:
        deps.running.add(task)
    try:
        lock = advisory_lock(deps.engine, f"job:{spec.name}") if spec.singleton else _granted()
        async with lock as mine:
            if not mine:
                log.debug("job %s is running elsewhere; skipped", spec.name)
                return None
            with running_job(spec.name):  # its log lines name the job and the run
                return await _run_and_record(spec, deps)
    except asyncio.CancelledError:
        if deps.stopping:  # cut short by shutdown: its transaction rolled back; say so once
            log.info("job %s stopped by shutdown", spec.name)
            return None
        raise
    finally:
        deps.running.discard(task)


async def _run_and_record(spec: JobSpec, deps: WorkerDeps) -> JobResult:
    started, clock = datetime.now(UTC), time.perf_counter()
    try:
        result = await spec.run(deps)
    except Exception as exc:  # a job failing must not stop the scheduler
        log.exception("job %s failed", spec.name)
        result = JobResult(ok=False, summary=f"{type(exc).__name__}: {exc}"[:500])
    elapsed_ms = 1000 * (time.perf_counter() - clock)
    metrics.job_finished(spec.name, elapsed_ms / 1000, result.ok)
    log.debug("job %s: %s (%.0f ms)", spec.name, result.summary, elapsed_ms)
    if spec.record:
        finished = datetime.now(UTC)
        await record_run(
            deps, spec.name, deps.worker_id, started, finished, result.ok, result.summary
        )
    return result


class _granted:
    async def __aenter__(self) -> bool:
        return True

    async def __aexit__(self, *exc: object) -> None:
        return None


def build_scheduler(deps: WorkerDeps, specs: list[JobSpec]) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for spec in specs:
        if spec.at_second is not None:
            cron = CronTrigger(second=spec.at_second, timezone=UTC)
            scheduler.add_job(run_job, cron, args=[spec, deps], id=spec.name, name=spec.name)
            continue
        scheduler.add_job(
            run_job,
            IntervalTrigger(seconds=spec.every.total_seconds(), timezone=UTC),
            args=[spec, deps],
            id=spec.name,
            name=spec.name,
            next_run_time=datetime.now(UTC) + (spec.every if spec.at_start else timedelta(0)),
        )
    return scheduler
