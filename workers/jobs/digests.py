"""Post the digests that are due: one job for every chat's schedules (services.digests.post_due
claims what is due in the database), not one scheduler job per chat."""

from __future__ import annotations

from services import metrics
from services.digests import post_due
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    posted = await post_due(deps, deps.clock.now())
    metrics.digests_posted(posted.posted)
    return JobResult(
        summary=f"{posted.posted} digests posted of {posted.claimed} due "
        f"({posted.groups} composed, {posted.skipped} skipped)"
    )
