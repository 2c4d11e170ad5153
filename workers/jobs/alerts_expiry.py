"""Alerts past their `expires_at` become 'expired', quietly: the person chose the end date
(`for 7d`, `until …`) and sees it in /alerts, so a message saying so would be noise."""

from __future__ import annotations

from services import alerts
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    """Expire active and paused alerts whose end has come; matchers drop them on their next sync."""
    expired = await alerts.expire(deps)
    return JobResult(summary=f"{expired} alerts expired")
