"""The job log: each run of a scheduled job, for operators (and the test that jobs never
overlap)."""

from __future__ import annotations

from datetime import datetime

from db.repos import job_runs
from services.deps import Deps


async def record_run(
    deps: Deps,
    job: str,
    worker: str,
    started_at: datetime,
    finished_at: datetime,
    ok: bool,
    summary: str,
) -> None:
    async with deps.write() as session:
        await job_runs.add(session, job, worker, started_at, finished_at, ok, summary)
