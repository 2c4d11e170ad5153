"""Alerts past their `expires_at` become 'expired', quietly: the person chose the end date
(`for 7d`, `until …`) and sees it in /alerts, so a message saying so would be noise."""

from __future__ import annotations

from sqlalchemy import update

from db.alerts import announce
from db.models import Alert
from workers.jobs.base import JobResult, WorkerDeps


async def run(deps: WorkerDeps) -> JobResult:
    """Expire active and paused alerts whose end has come; matchers drop them on their next sync."""
    now = deps.clock.now()
    async with deps.sessions.begin() as session:
        result = await session.execute(
            update(Alert)
            .where(
                Alert.status.in_(("active", "paused")),
                Alert.expires_at.is_not(None),
                Alert.expires_at <= now,
            )
            .values(status="expired", updated_at=now)
            .returning(Alert.id)
        )
        expired = list(result.scalars())
    await announce(deps.cache, expired)
    return JobResult(summary=f"{len(expired)} alerts expired")
