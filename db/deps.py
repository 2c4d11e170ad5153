"""The typed dependencies every handler and job receives, built once per process."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import Clock, SystemClock
from core.settings import Settings
from db.cache import Cache, create_cache
from db.engine import create_engine, create_sessionmaker
from db.repos.assets import AssetDirectory, ensure_assets, load_directory

ASSETS_VERSION = "assets:version"


@dataclass
class Deps:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cache: Cache
    clock: Clock = field(default_factory=SystemClock)
    directory: AssetDirectory = field(default_factory=AssetDirectory)
    directory_version: str | None = None

    async def refresh_directory(self) -> AssetDirectory:
        async with self.sessions() as session:
            self.directory = await load_directory(session)
        return self.directory

    async def current_directory(self) -> AssetDirectory:
        """The directory, reloaded if any process changed assets since it was loaded."""
        version = await self.cache.get(ASSETS_VERSION)
        if version != self.directory_version:
            await self.refresh_directory()
            self.directory_version = version
        return self.directory

    async def assets_changed(self) -> None:
        """Tell every process (and this one) to reload its directory."""
        await self.cache.set(ASSETS_VERSION, uuid.uuid4().hex)


async def build_deps(settings: Settings, clock: Clock | None = None) -> Deps:
    """Engine, sessions and cache for `settings`; the tracked assets exist afterwards."""
    engine = create_engine(settings.resolved_database_url)
    cache = create_cache(settings.redis_url)
    deps = Deps(settings, engine, create_sessionmaker(engine), cache, clock or SystemClock())
    try:
        async with deps.sessions.begin() as session:
            await ensure_assets(session, settings.symbols, deps.clock.now())
        await deps.refresh_directory()
    except BaseException:
        await close_deps(deps)
        raise
    return deps


async def close_deps(deps: Deps) -> None:
    await deps.cache.close()
    await deps.engine.dispose()
