"""An operator's commands on a Pythia of 100,000 people: how long /status's one read takes (over
an outbox that already holds `--history` rows sent), and how long /broadcast takes to preview
(count the audience) and, on Send, to queue one outbox row per person in one transaction.

    .venv/bin/python bench/bench_admin.py                          # Postgres + Redis
    .venv/bin/python bench/bench_admin.py --stack sqlite
    .venv/bin/python bench/bench_admin.py --people 10000 --history 50000

Written first (not timed): `--people` people with a private chat (1% of them blocked Pythia),
`--history` outbox rows sent over the past week. Printed: status() median of 5 before the
broadcast and after it (with its rows pending), preview(), answer(send) and rows per second.
Delivering them is the sender's pace (30/s: 100,000 people take about 56 min), measured by
bench_delivery.py. Postgres uses its own database `pythia_bench_admin` and reads Redis database 7
(PYTHIA_BENCH_ADMIN_POSTGRES_URL / PYTHIA_BENCH_ADMIN_REDIS_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import drop_postgres, reset_postgres

POSTGRES_URL = os.environ.get(
    "PYTHIA_BENCH_ADMIN_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1/pythia_bench_admin"
)
REDIS_URL = os.environ.get("PYTHIA_BENCH_ADMIN_REDIS_URL", "redis://127.0.0.1:6379/7")
CHUNK = 5000  # rows per INSERT while setting up
ADMIN = 1


async def populate(deps, people: int, history: int, now: datetime) -> None:
    """People with private chats (every 100th blocked) and an outbox of past sends."""
    from sqlalchemy import insert

    from db.models import Chat, OutboxMessage, User

    async with deps.write() as session:
        for start in range(1, people + 1, CHUNK):
            ids = range(start, min(start + CHUNK, people + 1))
            await session.execute(insert(User), [
                {"id": i, "first_name": f"P{i}", "language": "en", "timezone": "UTC",
                 "quote_currency": "USD", "cost_basis": "fifo", "created_at": now,
                 "last_seen_at": now - timedelta(hours=i % 200),
                 "blocked_at": now if i % 100 == 0 else None}
                for i in ids
            ])  # fmt: skip
            await session.execute(insert(Chat), [
                {"id": i, "type": "private", "timezone": "UTC", "active": True, "created_at": now}
                for i in ids
            ])  # fmt: skip
        for start in range(0, history, CHUNK):
            await session.execute(insert(OutboxMessage), [
                {"chat_id": 1 + n % people, "kind": "alert", "payload": {"text": "past"},
                 "dedupe_key": f"history:{n}", "status": "sent", "attempts": 1,
                 "not_before": now - timedelta(days=7) + timedelta(seconds=n % 500_000),
                 "created_at": now - timedelta(days=7), "sent_at": now - timedelta(days=7),
                 "telegram_message_id": n}
                for n in range(start, min(start + CHUNK, history))
            ])  # fmt: skip


async def status_median(deps, runs: int = 5) -> float:
    from services import admin

    times = []
    for _ in range(runs):
        clock = time.perf_counter()
        await admin.status(deps, deps.clock.now())
        times.append(time.perf_counter() - clock)
    return statistics.median(times)


async def run(stack: str, people: int, history: int) -> None:
    from core.clock import FixedClock
    from core.settings import Settings
    from db.migrate import upgrade
    from services import broadcasts
    from services.deps import build_deps, close_deps

    data_dir = Path(tempfile.mkdtemp(prefix="pythia-bench-admin-"))
    if stack == "sqlite":
        database_url, redis_url = f"sqlite+aiosqlite:///{data_dir}/bench.sqlite3", None
    else:
        database_url, redis_url = POSTGRES_URL, REDIS_URL
        await reset_postgres(database_url)  # Redis is only read (heartbeats): not flushed
    try:
        await asyncio.to_thread(upgrade, database_url)
        now = datetime.now(UTC)
        settings = Settings(_env_file=None, database_url=database_url, redis_url=redis_url,
                            symbols=["BTC", "ETH"], admin_ids=[ADMIN])  # fmt: skip
        deps = await build_deps(settings, FixedClock(now))
        try:
            clock = time.perf_counter()
            await populate(deps, people, history, now)
            setup = time.perf_counter() - clock
            print(f"{stack}: {people:,} people, {history:,} past outbox rows ({setup:.0f} s)")
            print(f"  status(): {1000 * await status_median(deps):.0f} ms (median of 5)")
            clock = time.perf_counter()
            preview = await broadcasts.preview(deps, ADMIN, "Hello\nall")
            took = time.perf_counter() - clock
            print(f"  preview(): {1000 * took:.0f} ms, audience {preview.audience:,}")
            clock = time.perf_counter()
            queued = await broadcasts.answer(deps, ADMIN, preview.token, True)
            took = time.perf_counter() - clock
            assert isinstance(queued, broadcasts.Queued)
            rate = queued.people / took
            print(f"  answer(send): {took:.2f} s for {queued.people:,} rows ({rate:,.0f}/s)")
            pending = await status_median(deps)
            print(f"  status() with them pending: {1000 * pending:.0f} ms (median of 5)")
        finally:
            await close_deps(deps)
    finally:
        if stack != "sqlite":
            await drop_postgres(database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=200_000)
    args = parser.parse_args()
    asyncio.run(run(args.stack, args.people, args.history))


if __name__ == "__main__":
    main()
