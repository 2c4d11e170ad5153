"""Resolve predictions: those whose horizon has passed are judged against the close of the
candle at their target time (services.predictions.resolve_due), once that candle is stored
closed. What is not resolvable yet (its candle not in) is tried again on the next run."""

from __future__ import annotations

from services.predictions import resolve_due
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    resolved = await resolve_due(deps)
    return JobResult(summary=f"{resolved} predictions resolved")
