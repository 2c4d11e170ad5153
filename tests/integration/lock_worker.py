"""A worker process for the advisory-lock test: the real scheduler running one slow job.

Run as `python -m tests.integration.lock_worker DATABASE_URL SECONDS`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta

from core.settings import Settings
from services.deps import build_deps, close_deps
from workers.jobs.base import JobResult, WorkerDeps
from workers.scheduler import JobSpec, build_scheduler


async def slow_job(deps: WorkerDeps) -> JobResult:
    await asyncio.sleep(0.15)  # long enough that two processes would overlap without the lock
    return JobResult(summary="slept")


async def main(url: str, seconds: float) -> None:
    base = await build_deps(Settings(database_url=url, symbols=["BTC"]))
    deps = WorkerDeps.of(base, worker_id=f"test:{os.getpid()}")
    scheduler = build_scheduler(deps, [JobSpec("slow", slow_job, timedelta(seconds=0.05))])
    scheduler.start()
    await asyncio.sleep(seconds)
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0.3)  # let a run in flight finish recording
    await close_deps(deps)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2])))
