"""Alembic environment, async: runs migrations through the same engine factory as the app."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.engine import Connection

from alembic import context
from db.engine import create_engine
from db.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.attributes.get("url")
    if url:
        return str(url)
    from core.settings import load_settings

    return load_settings().resolved_database_url


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our own column types into migrations by their import path."""
    if type_ == "type" and obj.__class__.__module__ == "db.types":
        autogen_context.imports.add("import db.types")
        return f"db.types.{obj.__class__.__name__}()"
    return False


def _configure(connection: Connection | None = None, **kwargs: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER by copying the table
        render_item=_render_item,
        compare_type=True,
        **kwargs,
    )


def _run_sync(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif (connection := config.attributes.get("connection")) is not None:
    _run_sync(connection)
else:
    asyncio.run(_run_async())
