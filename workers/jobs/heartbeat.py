"""Tell the health check this worker process is alive."""

from __future__ import annotations

from db.heartbeat import beat
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    await beat(deps.cache, "workers")
    return JobResult(summary="alive")
