"""Run-once-across-processes: Postgres advisory locks for singleton jobs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import is_postgres, lock_key

_HELD_HERE: set[tuple[str, str]] = set()  # SQLite: (database, name) held in this process


@asynccontextmanager
async def advisory_lock(engine: AsyncEngine, name: str) -> AsyncIterator[bool]:
    """Try to hold `name` for the block; yields False at once if another session holds it.

    The lock lives on one pooled connection and dies with it, so a killed process never
    leaves it held. SQLite has one process by design: the lock is held in that process (a job
    run by hand while the scheduler runs it too is turned away, as on Postgres).
    """
    if not is_postgres(engine):
        held = (engine.url.render_as_string(hide_password=False), name)
        if held in _HELD_HERE:
            yield False
            return
        _HELD_HERE.add(held)
        try:
            yield True
        finally:
            _HELD_HERE.discard(held)
        return
    key = lock_key(name)
    async with engine.connect() as connection:
        acquired = bool(
            await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        )
        await connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await connection.commit()
