"""Keep the job log short and the 1m candles within their retention window."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from db.candles import delete_candles_before
from db.models import JobRun
from workers.jobs.base import JobResult, WorkerDeps

KEEP_RUNS = timedelta(days=3)


async def run(deps: WorkerDeps) -> JobResult:
    """Delete job runs older than KEEP_RUNS and 1m candles older than KEEP_1M_DAYS."""
    now = deps.clock.now()
    async with deps.sessions.begin() as session:
        runs = await session.execute(delete(JobRun).where(JobRun.started_at < now - KEEP_RUNS))
        minutes = await delete_candles_before(
            session, "1m", now - timedelta(days=deps.settings.keep_1m_days)
        )
    return JobResult(summary=f"pruned {runs.rowcount} job runs, {minutes} 1m candles")
