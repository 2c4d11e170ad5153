"""The digests job through the workers' run path (the scheduler's spec, its lock, its record),
on SQLite and on Postgres with Redis: one singleton job at second 5 of every minute posts what
is due and says so in job_runs; run again, it posts nothing more."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from core.clock import FixedClock
from core.digest.schedule import parse_schedule
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.models import JobRun, OutboxMessage
from services import digests
from services.deps import Deps, build_deps, close_deps
from workers.jobs.base import WorkerDeps
from workers.runtime import default_jobs
from workers.scheduler import JobSpec, build_scheduler, run_job

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def settings_for(db_url: str, redis_url: str | None, **more: Any) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db_url,
        redis_url=redis_url,
        symbols=["BTC", "ETH", "SOL"],
        **more,
    )


@pytest.fixture
def redis_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("cache_url") if backend == "postgres" else None


@pytest.fixture
async def deps(db_url: str, engine: Any, redis_url: str | None) -> AsyncIterator[WorkerDeps]:
    base = await build_deps(settings_for(db_url, redis_url), FixedClock(NOW))
    yield WorkerDeps(**{f.name: getattr(base, f.name) for f in fields(Deps)})
    await close_deps(base)


def digests_spec(settings: Settings) -> JobSpec:
    [spec] = [s for s in default_jobs(settings) if s.name == "digests"]
    return spec


async def test_one_singleton_job_at_second_5_of_every_minute(deps: WorkerDeps) -> None:
    url = deps.settings.database_url
    spec = digests_spec(settings_for(url, None, market_source="ccxt"))
    assert (spec.singleton, spec.at_second) == (True, 5)
    scheduler = build_scheduler(deps, [spec])
    [job] = scheduler.get_jobs()
    assert isinstance(job.trigger, CronTrigger)
    fire = job.trigger.get_next_fire_time(None, datetime(2026, 12, 5, 12, 0, 7, tzinfo=UTC))
    assert fire == datetime(2026, 12, 5, 12, 1, 5, tzinfo=UTC)
    # the sandbox's replay clock runs fast: the job runs as often as a replay minute passes
    sandbox = digests_spec(settings_for(url, None, market_source="replay"))
    assert (sandbox.at_second, sandbox.every.total_seconds()) == (None, 1)


async def test_the_job_posts_what_is_due_and_records_it(deps: WorkerDeps) -> None:
    group = ChatSeen(-1001, "supergroup", title="G")
    made = await digests.create(
        deps, PersonSeen(7, "A"), group, None, parse_schedule(["every", "1h"])
    )
    assert isinstance(deps.clock, FixedClock)
    deps.clock.current = datetime(2026, 12, 5, 13, 0, 5, tzinfo=UTC)
    spec = digests_spec(deps.settings)
    result = await run_job(spec, deps)
    assert result is not None and result.ok
    assert result.summary == "1 digests posted of 1 due (1 composed, 0 skipped)"
    again = await run_job(spec, deps)
    assert again is not None and again.summary.startswith("0 digests posted of 0 due")
    async with deps.read() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
        runs = list(await session.scalars(select(JobRun).where(JobRun.job == "digests")))
    assert [(r.chat_id, r.dedupe_key) for r in rows] == [(-1001, f"digest:{made.id}:202612051300")]
    assert len(runs) == 2 and all(r.ok for r in runs)
