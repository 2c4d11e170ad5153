"""Outbox delivery at Telegram's limit: 30 messages a second for two minutes, and no 429.

    .venv/bin/python bench/bench_delivery.py                  # SQLite, then Postgres + Redis
    .venv/bin/python bench/bench_delivery.py --stack sqlite --seconds 30

Three processes: the emulator *with Telegram's flood limits on* (30 messages/s overall,
1/s per chat, 20/min per group: 429 with retry_after past them), `pythia bot` as in production
(TELEGRAM_RATE_LIMIT on, so PTB's AIORateLimiter is in the path too) and this process, which
writes 30 × `--seconds` alert rows for 300 people into the outbox at once (12 each, so the
per-chat limit never binds) and tells the bot on the `outbox` channel. Counted in the
emulator: messages per second from the first delivery to the last, the fewest and most in any
whole second, and the 429s (must be 0). Postgres + Redis uses its own database
`pythia_bench_delivery` and Redis database 11 (PYTHIA_BENCH_DELIVERY_POSTGRES_URL /
PYTHIA_BENCH_DELIVERY_REDIS_URL), so it can run beside the other benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from harness import (
    STACKS,
    EmulatorClient,
    _show_stderr,
    _stop,
    add_stack_argument,
    chosen_stacks,
    drop_postgres,
    flush_redis,
    reset_postgres,
    start_emulator,
    start_pythia,
)

POSTGRES_URL = os.environ.get(
    "PYTHIA_BENCH_DELIVERY_POSTGRES_URL",
    "postgresql+asyncpg://postgres@127.0.0.1/pythia_bench_delivery",
)
REDIS_URL = os.environ.get("PYTHIA_BENCH_DELIVERY_REDIS_URL", "redis://127.0.0.1:6379/11")
PEOPLE = 300
RATE = 30  # Telegram's overall limit, messages per second


@asynccontextmanager
async def running(name: str) -> AsyncIterator[tuple[EmulatorClient, str, str | None]]:
    data_dir = Path(tempfile.mkdtemp(prefix="pythia-bench-delivery-"))
    if name == "sqlite":
        database_url, redis_url = f"sqlite+aiosqlite:///{data_dir}/bench.sqlite3", None
    else:
        database_url, redis_url = POSTGRES_URL, REDIS_URL
        await reset_postgres(database_url)
        await flush_redis(redis_url)
    try:
        from db.migrate import upgrade

        await asyncio.to_thread(upgrade, database_url)
        emulator, url = start_emulator(data_dir, flood_limits=True)
        try:
            async with EmulatorClient(url) as client:
                # the process that delivers the outbox, with PTB's rate limiter as in production
                bot = start_pythia(
                    client,
                    database_url,
                    redis_url,
                    data_dir,
                    env={"TELEGRAM_RATE_LIMIT": "true"},
                    command="bot",
                )
                try:
                    yield client, database_url, redis_url
                finally:
                    _stop(bot, 30)
        finally:
            _stop(emulator, 10)
    finally:
        _show_stderr(data_dir, "pythia")
        if name == "postgres":
            with suppress(Exception):
                await drop_postgres(database_url)
            with suppress(Exception):
                await flush_redis(redis_url)
        shutil.rmtree(data_dir, ignore_errors=True)


async def fill_outbox(database_url: str, redis_url: str | None, people: list[int], n: int) -> None:
    """`n` alert rows round-robin over `people`, written as the matcher writes them: notices of
    fired alerts, which the bot renders for each person as it sends them."""
    from core.alerts.grammar import parse_alert
    from core.alerts.storage import condition_of
    from core.notices import AlertFired, to_payload
    from db.cache import create_cache
    from db.engine import create_engine, create_sessionmaker
    from db.outbox import OUTBOX_CHANNEL, enqueue

    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            now = datetime.now(UTC)
            for i in range(n):
                person = people[i % len(people)]
                notice = AlertFired(
                    alert_id=i + 1, user_id=person, at=now, price=Decimal(70_001 + i),
                    condition=condition_of(parse_alert(f"BTC > {70_000 + i}", now)),
                    quote="USDT", change_pct=Decimal("1.25"),
                )  # fmt: skip
                await enqueue(session, person, "alert", to_payload(notice), f"b:{i}", now)
    finally:
        await engine.dispose()
    cache = create_cache(redis_url)  # SQLite: the in-process cache is the bot's; it polls
    await cache.publish(OUTBOX_CHANNEL, str(n))
    await cache.close()


async def measure(name: str, seconds: float) -> dict[str, float]:
    async with running(name) as (client, database_url, redis_url):
        probe = await client.add_user("Probe")
        sent = await client.send_message(probe, "/start")
        await client.wait_for_bot_messages(probe, after=sent, timeout=60)  # the bot polls
        people = [(await client.add_user(f"P{i}")).id for i in range(PEOPLE)]
        count = int(RATE * seconds)
        since = time.monotonic()  # the emulator's clock: same host, same monotonic clock
        await fill_outbox(database_url, redis_url, people, count)
        messages = await client.bot_messages_since(since, count, timeout=seconds * 3 + 60)
        calls = await client.calls()
        violations = await client.flood_violations()
    arrivals = sorted(m.monotonic for m in messages if m.chat_id != probe.id)[:count]
    elapsed = arrivals[-1] - arrivals[0]
    per_second = Counter(int(at - arrivals[0]) for at in arrivals)
    whole = [per_second[s] for s in range(int(elapsed))]  # the last, partial second left out
    return {
        "messages": len(arrivals),
        "elapsed": elapsed,
        "rate": (len(arrivals) - 1) / elapsed,
        "fewest": min(whole),
        "most": max(whole),
        "429s": sum(call.status == 429 for call in calls),
        "violations": len(violations),
        "other_errors": sum(call.status not in (0, 200, 429) for call in calls),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_stack_argument(parser)
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the run")
    args = parser.parse_args()
    for name in chosen_stacks(args):
        print(
            f"{STACKS[name]}: {int(RATE * args.seconds)} alerts for {PEOPLE} people ...", flush=True
        )
        got = await measure(name, args.seconds)
        print(
            f"  {got['messages']:.0f} messages in {got['elapsed']:.1f} s: "
            f"{got['rate']:.2f} msg/s (Telegram's limit {RATE}); "
            f"per whole second {got['fewest']:.0f}–{got['most']:.0f}; "
            f"429s {got['429s']:.0f} (must be 0); other failed calls {got['other_errors']:.0f}",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
