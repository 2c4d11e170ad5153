"""Pythia as production runs it, for the reliability tests: the emulator, `pythia workers` and
`pythia bot` as real processes on Postgres + Redis, which a test may SIGKILL and restart.

The process plumbing is the benchmarks' (bench/harness.py). This module adds what the tests do
from outside: people and alerts written straight into the database (as the handlers would),
price ticks published on the cache's price channel (as the ingest job does: that is how a
tick enters the workers' matcher), and the alert messages counted in the emulator, by alert.

Postgres: the database `pythia_rel` on the server of PYTHIA_TEST_POSTGRES_URL (dropped and
created per test), or PYTHIA_RELIABILITY_POSTGRES_URL; Redis database 7, or
PYTHIA_RELIABILITY_REDIS_URL (flushed per test). Neither is the one `make test` uses, so the two
may run side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from bench.harness import (
    _show_stderr,
    _stop,
    drop_postgres,
    flush_redis,
    reset_postgres,
    start_emulator,
    start_pythia,
)
from bot.callbacks import AlertAction, decode
from bot.emulator import EmulatorClient, MessageRecord
from core.alerts.grammar import parse_alert
from core.alerts.storage import columns_of
from core.market import PriceQuote
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.cache import PRICE_CHANNEL
from db.models import Alert, JobRun, OutboxMessage
from db.repos.people import register
from services import tasks
from services.deps import Deps, build_deps, close_deps
from tests.conftest import POSTGRES_URL, redis_server, unavailable

REL_POSTGRES_URL = os.environ.get(
    "PYTHIA_RELIABILITY_POSTGRES_URL", POSTGRES_URL.rsplit("/", 1)[0] + "/pythia_rel"
)
REL_REDIS_URL = os.environ.get("PYTHIA_RELIABILITY_REDIS_URL", redis_server() + "/7")
HIGH = Decimal(10_000_000)  # alert levels start here: far above any real price of BTC


def alert_of(message: MessageRecord) -> int | None:
    """The alert a bot message is about (from its Pause button), None for other messages."""
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            pressed = decode(button.get("callback_data"))
            if isinstance(pressed, AlertAction) and pressed.action == "pause":
                return pressed.alert_id
    return None


@dataclass
class Cluster:
    client: EmulatorClient
    deps: Deps  # this process's view of the same database and cache
    data_dir: Path
    env: dict[str, str]
    database_url: str = REL_POSTGRES_URL
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    bot: subprocess.Popen[bytes] | None = None

    # ---- processes ------------------------------------------------------------------------------

    def _start(
        self, command: str, name: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        return start_pythia(
            self.client,
            self.database_url,
            REL_REDIS_URL,
            self.data_dir,
            {**self.env, **(env or {})},
            command,
            name,
        )

    def start_workers(self) -> subprocess.Popen[bytes]:
        # errors only: offline, the exchanges' warnings would fill the output
        quiet = {"LOG_LEVEL": "ERROR"}
        proc = self._start("workers", f"workers{len(self.workers)}", quiet)
        self.workers.append(proc)
        return proc

    def start_bot(self) -> subprocess.Popen[bytes]:
        self.bot = self._start("bot", "bot")
        return self.bot

    @staticmethod
    def kill(proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no clean-up of any kind runs."""
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def check_alive(self) -> None:
        for proc in [*self.workers, *([self.bot] if self.bot else [])]:
            if proc.returncode is None and (code := proc.poll()) is not None:
                raise RuntimeError(f"{proc.args} exited with status {code}")

    async def wait_bot_answers(self, timeout: float = 60) -> None:
        """Until the bot answers /start (it polls, its sender runs)."""
        probe = await self.client.add_user("Probe")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            sent = await self.client.send_message(probe, "/start")
            with contextlib.suppress(TimeoutError):
                await self.client.wait_for_bot_messages(probe, after=sent, timeout=5)
                return
        raise TimeoutError("the bot never answered /start")

    async def wait_workers_running(
        self, proc: subprocess.Popen[bytes], timeout: float = 60
    ) -> None:
        """Until a scheduled job of that process is recorded: its matcher listens by then."""
        worker = f"%:{proc.pid}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            async with self.deps.sessions() as session:
                ran = await session.scalar(
                    select(func.count())
                    .select_from(JobRun)
                    .where(JobRun.worker.like(worker), JobRun.job == "ingest_prices")
                )
            if ran:
                return
            await asyncio.sleep(0.2)
        raise TimeoutError(f"workers {proc.pid} never ran a job")

    # ---- people, alerts, ticks ------------------------------------------------------------------

    async def people(self, count: int) -> list[int]:
        """`count` people in the emulator who have talked to the bot (registered)."""
        ids = [(await self.client.add_user(f"P{i}")).id for i in range(count)]
        now = datetime.now(UTC)
        async with self.deps.sessions.begin() as session:
            for person in ids:
                await register(session, PersonSeen(person, "P"), ChatSeen(person, "private"), now)
        return ids

    async def price_alerts(
        self, people: list[int], per_person: int, options: str = "", start: int = 0
    ) -> list[int]:
        """`BTC > level` alerts (one-shot; `options` may say e.g. "every 1h"), `per_person`
        each, every level its own (HIGH + `start` and up), written in one transaction as the
        handler writes each. Returns their ids."""
        now = datetime.now(UTC)
        asset_id = self.deps.directory.ids["BTC"]
        rows = []
        async with self.deps.sessions.begin() as session:
            for n in range(len(people) * per_person):
                person = people[n % len(people)]
                spec = parse_alert(f"BTC > {HIGH + start + n} {options}", now)
                row = Alert(user_id=person, chat_id=person, asset_id=asset_id)
                for name, value in columns_of(spec).items():
                    setattr(row, name, value)
                row.status, row.fire_count, row.created_at, row.updated_at = "active", 0, now, now
                rows.append(row)
            session.add_all(rows)
            await session.flush()
        return [row.id for row in rows]

    async def tick(self, price: Decimal, at: datetime | None = None) -> datetime:
        """A BTC price event as the ingest job publishes it; returns its time."""
        at = at or datetime.now(UTC)
        quote = PriceQuote("BTC", price, "USDT", "binance", at, Decimal("1.25"))
        await self.deps.cache.publish(PRICE_CHANNEL, quote.to_json())
        return at

    async def storm_tick(self, at: datetime | None = None) -> datetime:
        """A low price then a high one: the high one crosses every level still active."""
        at = at or datetime.now(UTC)
        await self.tick(Decimal(1), at)
        await self.tick(HIGH * 2, at + timedelta(milliseconds=1))
        return at

    @contextlib.asynccontextmanager
    async def ticking(self, every: float = 0.5) -> AsyncIterator[None]:
        """Storm ticks every `every` seconds while the block runs (a new tick each time, as a
        live market would send: what a dead process missed fires on the next one)."""

        async def loop() -> None:
            while True:
                with contextlib.suppress(Exception):  # the cache may be away for a moment
                    await self.storm_tick()
                await asyncio.sleep(every)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            await tasks.end(task)

    # ---- counting -------------------------------------------------------------------------------

    async def outbox_rows(self) -> int:
        async with self.deps.sessions() as session:
            return await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "alert")
            )

    async def fired(self) -> Counter[int]:
        """Each alert's fire count."""
        async with self.deps.sessions() as session:
            rows = await session.execute(select(Alert.id, Alert.fire_count))
            return Counter({alert_id: count for alert_id, count in rows})

    async def alert_messages(self) -> list[tuple[int, MessageRecord]]:
        """Every alert message the emulator received, with its alert, in arrival order."""
        messages = await self.client.bot_messages_since(0.0, 0, timeout=30)
        return [(alert, m) for m in messages if (alert := alert_of(m)) is not None]

    async def wait_delivered(
        self, alerts: set[int], timeout: float
    ) -> list[tuple[int, MessageRecord]]:
        """Until every alert in `alerts` has arrived at least once; returns the messages."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            got = await self.alert_messages()
            if alerts <= {alert for alert, _ in got} or time.monotonic() > deadline:
                return got
            await asyncio.sleep(2)


@contextlib.asynccontextmanager
async def cluster(
    env: dict[str, str] | None = None, database: str = "postgres", flood_limits: bool = False
) -> AsyncIterator[Cluster]:
    """Emulator without flood limits (unless asked for: Telegram's, 429s and all), an empty
    migrated database (Postgres; or "sqlite": a file both processes share) and a flushed Redis
    database; processes started by the test are stopped (SIGTERM) at the end."""
    try:
        if database != "sqlite":
            await reset_postgres(REL_POSTGRES_URL)
        await flush_redis(REL_REDIS_URL)
    except Exception as exc:  # asyncpg's and redis's errors vary
        unavailable("Postgres and Redis", exc)
    data_dir = Path(tempfile.mkdtemp(prefix="pythia-rel-"))
    database_url = REL_POSTGRES_URL
    if database == "sqlite":
        database_url = f"sqlite+aiosqlite:///{data_dir}/rel.sqlite3"
    from db.migrate import upgrade

    await asyncio.to_thread(upgrade, database_url)
    settings = Settings(database_url=database_url, redis_url=REL_REDIS_URL)
    deps = await build_deps(settings)
    emulator, url = start_emulator(data_dir, flood_limits)
    full_env = {
        # `pythia workers` runs only on exchanges (the replay is `pythia run`'s); offline, they
        # answer nothing and every price comes from the test
        "MARKET_SOURCE": "ccxt",
        "EXCHANGES": "binance",
        "SYMBOLS": "BTC",
        "TICKER_INTERVAL": "1",
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    failed = True
    try:
        async with EmulatorClient(url) as client:
            the = Cluster(client, deps, data_dir, full_env, database_url)
            try:
                yield the
                failed = False
            finally:
                for proc in [*the.workers, *([the.bot] if the.bot else [])]:
                    _stop(proc, 30)
    finally:
        _stop(emulator, 10)
        await close_deps(deps)
        for name in ("bot", "workers0", "workers1", *(["emulator"] if failed else [])):
            _show_stderr(data_dir, name)
        if database != "sqlite":
            with contextlib.suppress(Exception):
                await drop_postgres(REL_POSTGRES_URL)
        with contextlib.suppress(Exception):
            await flush_redis(REL_REDIS_URL)
        shutil.rmtree(data_dir, ignore_errors=True)


async def settled(the: Cluster, rows: int, timeout: float) -> None:
    """Until the outbox holds `rows` alert rows and none is pending (all sent or failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        the.check_alive()
        async with the.deps.sessions() as session:
            counts = dict(
                (await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )).all()
            )  # fmt: skip
        if sum(counts.values()) >= rows and not counts.get("pending"):
            return
        await asyncio.sleep(1)
    raise TimeoutError(f"the outbox did not settle: {counts}")
