"""INSERT … ON CONFLICT for whichever backend the session is on (Postgres and SQLite agree)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import is_postgres


def insert_for(session: AsyncSession, table: Any) -> Any:
    """A dialect `insert(table)` that has `on_conflict_do_update/nothing`."""
    return (postgresql.insert if is_postgres(session) else sqlite.insert)(table)
