"""Keep the job log short, 1m candles within their retention window, and forget pending
actions long expired, staged trades never confirmed, settled outbox rows and news pushes
long past their use."""

from __future__ import annotations

from services.housekeeping import prune
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    """Delete what is past its use (see services.housekeeping for how long each is kept)."""
    pruned = await prune(deps)
    return JobResult(
        summary=f"pruned {pruned.job_runs} job runs, {pruned.minute_candles} 1m candles, "
        f"{pruned.pending_actions} pending actions, {pruned.staged_trades} staged trades, "
        f"{pruned.outbox_rows} settled outbox rows, {pruned.news_pushes} news pushes, "
        f"{pruned.model_files} model files"
    )
