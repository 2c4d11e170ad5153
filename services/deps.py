"""The typed dependencies every use case receives, built once per process (in PTB's
`post_init`, or at worker start-up) and handed down; nothing is created at import time."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import Clock, SystemClock
from core.settings import Settings
from db.cache import Cache, create_cache
from db.engine import create_engine, create_sessionmaker, transaction
from db.repos.assets import AssetDirectory, ensure_assets, load_directory

ASSETS_VERSION = "assets:version"

log = logging.getLogger(__name__)


@dataclass
class Deps:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cache: Cache
    clock: Clock = field(default_factory=SystemClock)
    directory: AssetDirectory = field(default_factory=AssetDirectory)
    directory_version: str | None = None

    # ---- transactions: the one way a use case opens one ---------------------------------------

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads (nothing is committed)."""
        async with self.sessions() as session:
            yield session

    def write(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A transaction committed when the block ends, rolled back if it raises."""
        return transaction(self.sessions)

    def write_for(self, user_id: int) -> AbstractAsyncContextManager[AsyncSession]:
        """A transaction that changes one person's (or one chat's) data, after every earlier
        one of theirs has ended, in any process (advisory lock on Postgres, the writer lock on
        SQLite)."""
        return transaction(self.sessions, serial=f"person:{user_id}")

    # ---- the assets Pythia knows --------------------------------------------------------------

    async def _directory_version(self) -> str | None:
        """The assets' version in the cache; while the cache is away, the one we have (assets
        change rarely: the directory in hand serves until the cache is back)."""
        try:
            return await self.cache.get(ASSETS_VERSION)
        except Exception:  # redis-py's and the network's errors vary
            log.warning("assets: the cache is away; keeping the directory in hand")
            return self.directory_version

    async def directory_in(self, session: AsyncSession) -> AssetDirectory:
        """The directory, reloaded in `session` if any process changed assets since it was."""
        version = await self._directory_version()
        if version != self.directory_version:
            self.directory = await load_directory(session)
            self.directory_version = version
        return self.directory

    async def current_directory(self) -> AssetDirectory:
        """The directory, reloaded (in a read of its own) if any process changed assets."""
        version = await self._directory_version()
        if version != self.directory_version:
            async with self.read() as session:
                self.directory = await load_directory(session)
            self.directory_version = version
        return self.directory

    async def assets_changed(self) -> None:
        """Tell every process (and this one) to reload its directory; call after the commit."""
        await self.cache.set(ASSETS_VERSION, uuid.uuid4().hex)


async def build_deps(settings: Settings, clock: Clock | None = None) -> Deps:
    """Engine, sessions and cache for `settings`; the tracked assets exist afterwards."""
    engine = create_engine(settings.resolved_database_url)
    cache = create_cache(settings.redis_url)
    deps = Deps(settings, engine, create_sessionmaker(engine), cache, clock or SystemClock())
    try:
        async with deps.write() as session:
            await ensure_assets(session, settings.symbols, deps.clock.now())
        async with deps.read() as session:
            deps.directory = await load_directory(session)
    except BaseException:
        await close_deps(deps)
        raise
    return deps


async def close_deps(deps: Deps) -> None:
    await deps.cache.close()
    await deps.engine.dispose()
