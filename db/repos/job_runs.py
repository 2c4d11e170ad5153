"""The job log: one row per run of a scheduled job (which worker, when, how it ended)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import JobRun


async def add(
    session: AsyncSession,
    job: str,
    worker: str,
    started_at: datetime,
    finished_at: datetime,
    ok: bool,
    summary: str,
) -> None:
    session.add(
        JobRun(
            job=job,
            worker=worker,
            started_at=started_at,
            finished_at=finished_at,
            ok=ok,
            summary=summary,
        )
    )
    await session.flush()


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget runs that started before `before`; returns how many."""
    result = await session.execute(delete(JobRun).where(JobRun.started_at < before))
    return cast(CursorResult[Any], result).rowcount
