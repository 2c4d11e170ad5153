"""Daily portfolio snapshots, for /pnl's value chart (services/snapshots).

The job runs at start and then every CHECK_EVERY; each run snapshots the people with trades
who have no snapshot for today (UTC) yet. So everyone's snapshot is taken shortly after UTC
midnight (and a new trader's within CHECK_EVERY of their first trade), and a restart or a
second worker adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from services.snapshots import take_snapshots
from workers.jobs.base import JobResult, WorkerDeps

CHECK_EVERY = timedelta(minutes=10)


async def run(deps: WorkerDeps) -> JobResult:
    """Snapshot everyone with trades who has no snapshot for today (UTC) yet."""
    taken = await take_snapshots(deps)
    summary = f"{taken.written} snapshots for {taken.day:%Y-%m-%d}"
    if taken.refused:
        summary += f"; {taken.refused} people's trades do not replay"
    return JobResult(ok=not taken.refused, summary=summary)
