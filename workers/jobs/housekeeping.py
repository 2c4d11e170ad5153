"""Keep the job log short."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from db.models import JobRun
from workers.jobs.base import JobResult, WorkerDeps

KEEP_RUNS = timedelta(days=3)


async def run(deps: WorkerDeps) -> JobResult:
    """Delete job_runs rows older than KEEP_RUNS."""
    cutoff = deps.clock.now() - KEEP_RUNS
    async with deps.sessions.begin() as session:
        result = await session.execute(delete(JobRun).where(JobRun.started_at < cutoff))
    return JobResult(summary=f"pruned {result.rowcount} job runs")
