"""Two worker processes on one Postgres never run the same singleton job at the same time."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from db.engine import create_engine
from db.locks import advisory_lock
from db.models import JobRun

ROOT = Path(__file__).resolve().parents[2]


async def test_two_processes_take_turns_and_never_overlap(postgres_migrated: str) -> None:
    url = postgres_migrated
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: c.execute(JobRun.__table__.delete()))
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.lock_worker",
            url,
            "3",
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    results = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    async with engine.connect() as connection:
        runs = (
            await connection.execute(
                select(JobRun.worker, JobRun.started_at, JobRun.finished_at)
                .where(JobRun.job == "slow")
                .order_by(JobRun.started_at)
            )
        ).all()
    await engine.dispose()
    assert len({r.worker for r in runs}) == 2, "both processes should have run the job"
    assert len(runs) >= 8
    for earlier, later in itertools.pairwise(runs):
        assert earlier.finished_at <= later.started_at, f"{earlier} overlaps {later}"


async def test_a_held_lock_is_refused_to_another_session(postgres_migrated: str) -> None:
    engine = create_engine(postgres_migrated)
    async with (
        advisory_lock(engine, "job:x") as first,
        advisory_lock(engine, "job:x") as second,
        advisory_lock(engine, "job:y") as other,
    ):
        assert (first, second, other) == (True, False, True)
    async with advisory_lock(engine, "job:x") as again:
        assert again is True
    await engine.dispose()


async def test_on_sqlite_a_held_lock_is_refused_within_the_process(tmp_path) -> None:
    """SQLite runs in one process: a job run by hand while the scheduler runs it stands aside."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.sqlite3'}")
    other = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'two.sqlite3'}")
    async with (
        advisory_lock(engine, "job:x") as first,
        advisory_lock(engine, "job:x") as second,
        advisory_lock(engine, "job:y") as different_job,
        advisory_lock(other, "job:x") as another_database,
    ):
        assert (first, second, different_job, another_database) == (True, False, True, True)
    async with advisory_lock(engine, "job:x") as again:
        assert again is True
    await engine.dispose()
    await other.dispose()
