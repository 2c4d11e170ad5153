"""Engines and sessions: one way to open a session, SQLite tuned for a bot's workload."""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    try:  # SQLite's math functions are a build option; the live record sums ln(p)
        cursor.execute("SELECT ln(1)")
        has_ln = True
    except Exception:  # any driver's "no such function: ln"
        has_ln = False
    cursor.close()
    if not has_ln:  # created once no statement of the connection is running
        dbapi_connection.create_function("ln", 1, _ln, deterministic=True)


def _ln(x: float | None) -> float | None:
    return math.log(x) if x is not None and x > 0 else None


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (Postgres advisory keys are bigint)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def is_postgres(bind: AsyncEngine | AsyncSession | AsyncConnection) -> bool:
    """Whether an engine, connection or session talks to Postgres (else: SQLite)."""
    dialect = bind.get_bind().dialect if isinstance(bind, AsyncSession) else bind.dialect
    return dialect.name == "postgresql"


async def serialise(session: AsyncSession, name: str) -> None:
    """Make the session's transaction wait for, and then hold off, every other transaction
    serialised on `name` until it ends: one person's changes happen one after the other, in
    every process. Call it first in the transaction.

    Postgres: a transaction-scoped advisory lock (released at commit or rollback, or when the
    connection dies). SQLite: BEGIN IMMEDIATE, the database's single writer lock — every
    writer waits its turn (busy timeout), so a read-then-write transaction cannot be
    overtaken between its read and its write.
    """
    if is_postgres(session):
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    else:
        await session.execute(text("BEGIN IMMEDIATE"))


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession], serial: str | None = None
) -> AsyncIterator[AsyncSession]:
    """One transaction, committed when the block ends (rolled back if it raises); with
    `serial`, serialised against every other transaction on that name (see `serialise`)."""
    async with sessions.begin() as session:
        if serial is not None:
            await serialise(session, serial)
        yield session
