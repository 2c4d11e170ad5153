"""The digests job counts what it posts in pythia_digests_posted_total and is timed under its
name, on SQLite and on Postgres with Redis: a due digest posted once counts one; a run with
nothing due counts none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest

from core.clock import FixedClock
from core.digest.schedule import parse_schedule
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from services import digests
from services.deps import Deps, build_deps, close_deps
from services.metrics import REGISTRY
from workers.jobs.base import WorkerDeps
from workers.runtime import digests_job
from workers.scheduler import run_job

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def redis_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("cache_url") if backend == "postgres" else None


@pytest.fixture
async def deps(db_url: str, engine: Any, redis_url: str | None) -> AsyncIterator[WorkerDeps]:
    settings = Settings(
        _env_file=None, database_url=db_url, redis_url=redis_url, symbols=["BTC", "ETH"]
    )
    base = await build_deps(settings, FixedClock(NOW))
    yield WorkerDeps(**{f.name: getattr(base, f.name) for f in fields(Deps)})
    await close_deps(base)


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_digests_posted_are_counted_once(deps: WorkerDeps) -> None:
    group = ChatSeen(-1001, "supergroup", title="G")
    await digests.create(deps, PersonSeen(7, "A"), group, None, parse_schedule(["every", "1h"]))
    assert isinstance(deps.clock, FixedClock)
    deps.clock.current = datetime(2026, 12, 5, 13, 0, 5, tzinfo=UTC)
    spec = digests_job(deps.settings)
    posted, runs = (
        counted("pythia_digests_posted_total"),
        counted("pythia_job_seconds_count", job_name="digests"),
    )
    result = await run_job(spec, deps)
    assert result is not None and result.summary.startswith("1 digests posted")
    assert counted("pythia_digests_posted_total") == posted + 1
    again = await run_job(spec, deps)  # nothing due any more
    assert again is not None and again.summary.startswith("0 digests posted")
    assert counted("pythia_digests_posted_total") == posted + 1
    assert counted("pythia_job_seconds_count", job_name="digests") == runs + 2
