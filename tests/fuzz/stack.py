"""The whole Pythia in this process, as `pythia run` composes it: the emulator, the workers
(on the bundled replay market) and the real PTB Application, sharing one Deps.

The workers fill prices and candles once and are then stopped, so that during the run only
the fuzzer's actions change the database: a row that changes was changed by the action.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from telegram.ext import Application

from bot.app import BotRuntime, build_application
from bot.emulator import Emulator
from core.settings import Settings
from services.deps import Deps, build_deps, close_deps
from services.prices import next_quotes
from tests.idle import Idle
from workers.runtime import WorkerRuntime
from workers.sources.replay import load_series, replay_clock

SYMBOLS = ["BTC", "ETH", "SOL", "DOGE", "LTC"]  # LTC: followed, but the replay does not list it
PRICED = SYMBOLS[:4]
POSTGRES_URL = os.environ.get(
    "PYTHIA_FUZZ_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/pythia_fuzz"
)
REDIS_URL = os.environ.get("PYTHIA_FUZZ_REDIS_URL", "redis://127.0.0.1:6379/13")


@dataclass
class Stack(Idle):
    emu: Emulator
    app: Application
    deps: Deps


def prepare_database(kind: str, directory: Path) -> tuple[str, str | None]:
    """A clean, migrated database (and Redis) for a run: (database URL, Redis URL or None).
    Synchronous: Alembic runs its own event loop."""
    from db.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{directory / 'fuzz.sqlite3'}"
        upgrade(url)
        return url, None
    asyncio.run(_reset_postgres_and_redis(POSTGRES_URL, REDIS_URL))
    upgrade(POSTGRES_URL)
    return POSTGRES_URL, REDIS_URL


async def _reset_postgres_and_redis(url: str, redis_url: str) -> None:
    import asyncpg
    import redis.asyncio as redis

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    base, name = dsn.rsplit("/", 1)
    admin = await asyncpg.connect(base + "/postgres", timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    client = redis.Redis.from_url(redis_url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


@contextlib.asynccontextmanager
async def running_stack(
    database_url: str, redis_url: str | None, flood_gate: bool = False
) -> AsyncIterator[Stack]:
    """Emulator (no flood limits: the fuzzer measures answers, not Telegram's pacing),
    workers until the first prices and candles are in, and the bot polling the emulator.
    Without `flood_gate` each person's fair share is so large that every action is handled:
    the fuzzer sends faster than a person may."""
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        symbols=SYMBOLS,
        ticker_interval=5,
        replay_speed=60,
        candle_timeframes=["1h", "1d"],  # the replay has no minute candles
        telegram_rate_limit=False,
    )
    if not flood_gate:
        settings = settings.model_copy(update={"flood_burst": 100_000, "flood_rate": 100_000.0})
    emu = Emulator(flood_limits=None)
    await emu.start()
    deps = await build_deps(settings, replay_clock(load_series(), settings.replay_speed))
    runtime: BotRuntime | None = None
    try:
        await _fill_market(settings, deps)
        app = build_application(
            settings,
            token=emu.token,
            base_url=emu.base_url,
            base_file_url=emu.base_file_url,
            deps=deps,
        )
        runtime = BotRuntime(app)
        await runtime.start(poll_timeout=1)
        yield Stack(emu, app, deps)
    finally:
        if runtime is not None:
            await runtime.stop()
        await close_deps(deps)
        await emu.stop()


async def _fill_market(settings: Settings, deps: Deps) -> None:
    """Prices in the cache and candles in the database, then the workers stop."""
    from workers.jobs import ingest_candles

    workers = WorkerRuntime(settings, deps=deps)
    worker_deps = await workers.start()
    try:
        async with asyncio.timeout(20):
            await next_quotes(deps, PRICED)
        await ingest_candles.run(worker_deps)
    finally:
        await workers.stop()
