"""Running Alembic from code: `pythia migrate`, start-up checks, and tests."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at `url`; synchronous (Alembic runs its own event loop)."""
    command.upgrade(alembic_config(url), revision)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


class NotMigrated(Exception):
    """The database is behind the code; the message says what to run."""


async def ensure_migrated(engine: AsyncEngine, url: str) -> None:
    current = await current_revision(engine)
    head = head_revision(url)
    if current != head:
        raise NotMigrated(
            f"The database is at revision {current or 'none'}, the code needs {head}: "
            "run `pythia migrate` first."
        )
