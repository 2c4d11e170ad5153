"""The whole Pythia — real Application polling the emulator, real workers ingesting the replay
market — on SQLite with the in-process cache, and on Postgres with Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from telegram.ext import Application

from bot.app import BotRuntime, build_application
from bot.emulator import Emulator, FloodLimits
from bot.emulator.records import MessageRecord, User
from core.settings import Settings
from db.deps import Deps, build_deps, close_deps
from db.models import Base
from db.quotes import next_quotes
from workers.runtime import WorkerRuntime
from workers.sources.replay import load_series, replay_clock

SYMBOLS = ["BTC", "ETH", "SOL", "DOGE"]


@dataclass
class Stack:
    emu: Emulator
    app: Application
    deps: Deps
    workers: WorkerRuntime

    async def ask(
        self, user: User, text: str, chat: object = None, timeout: float = 5.0
    ) -> MessageRecord:
        """Send `text` as `user` and return the one reply."""
        sent = await self.emu.send_message(user, text, chat=chat)
        (reply,) = await self.emu.wait_for_bot_messages(chat or user, after=sent, timeout=timeout)
        return reply

    async def row_counts(self) -> dict[str, int]:
        counts = {}
        async with self.deps.sessions() as session:
            for name, table in Base.metadata.tables.items():
                if name in ("latest_prices", "markets", "job_runs"):
                    continue  # written by the workers all the time
                counts[name] = await session.scalar(select(func.count()).select_from(table))
        return counts


@pytest.fixture(params=["sqlite+memory", "postgres+redis"])
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Stack]:
    if request.param == "sqlite+memory":
        db_url = request.getfixturevalue("sqlite_template")
        target = tmp_path / "pythia.sqlite3"
        target.write_bytes(db_url.read_bytes())
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{target}",
            redis_url=None,
            symbols=SYMBOLS,
            ticker_interval=5,
            replay_speed=60,
        )
    else:
        from tests.conftest import _truncate

        url = request.getfixturevalue("postgres_migrated")
        redis_url = request.getfixturevalue("redis_reachable")
        await _truncate(url)
        import redis.asyncio as redis

        client = redis.Redis.from_url(redis_url)
        await client.flushdb()
        await client.aclose()
        settings = Settings(
            database_url=url,
            redis_url=redis_url,
            symbols=SYMBOLS,
            ticker_interval=5,
            replay_speed=60,
        )
    emu = Emulator(flood_limits=FloodLimits())
    await emu.start()
    deps = await build_deps(settings, replay_clock(load_series(), settings.replay_speed))
    workers = WorkerRuntime(settings, deps=deps)
    await workers.start()
    app = build_application(
        settings, token=emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url, deps=deps
    )
    runtime = BotRuntime(app)
    await runtime.start(poll_timeout=1)
    await _first_prices(deps)
    try:
        yield Stack(emu, app, deps, workers)
    finally:
        await runtime.stop()
        await workers.stop()
        await close_deps(deps)
        await emu.stop()
    assert not emu.internal_errors, emu.internal_errors


async def _first_prices(deps: Deps, timeout: float = 10.0) -> None:
    """Wait until the workers' first ingestion has reached the cache."""
    async with asyncio.timeout(timeout):
        await next_quotes(deps, SYMBOLS)


@pytest.fixture
def alice(stack: Stack) -> User:
    return stack.emu.add_user("Alice", "alice")
