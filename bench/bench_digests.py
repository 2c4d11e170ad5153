"""10,000 chats with digests due in the same minute: how long the digests job takes to post
them (claim, compose, write the outbox), how much memory it takes, and — with --send — how
long until the last one is sent within Telegram's limits.

    .venv/bin/python bench/bench_digests.py                       # 10,000 chats, SQLite
    .venv/bin/python bench/bench_digests.py --chats 1000 --send   # and deliver them
    .venv/bin/python bench/bench_digests.py --stack postgres      # Postgres + Redis

This process writes `--chats` supergroups and a digest for each (default sections; coins from
`--variety` different sets, so that many are composed per batch), all due at the same slot,
with prices in the cache, then calls `services.digests.post_due` as the job does. Printed: the
time of post_due (claim + one gather and compose per distinct digest + the outbox rows, in
batches of 500), digests per second, the batches' composed groups, and memory: this process's
peak RSS during the run above what it held before, and the Python heap's peak (tracemalloc,
measured in a second run of its own, since tracing slows it down).

With --send, the groups are made in the in-repo emulator *with Telegram's flood limits on* (30
messages/s overall, 20/min per group), `pythia bot` delivers the outbox as in production
(TELEGRAM_RATE_LIMIT on), and the time from the start of post_due to the last digest arriving
is printed with the 429s the emulator answered. At 30/s, 10,000 digests take about 5.5 min.
Postgres uses its own database `pythia_bench_digests` and Redis database 11
(PYTHIA_BENCH_DIGESTS_POSTGRES_URL / PYTHIA_BENCH_DIGESTS_REDIS_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import tempfile
import time
import tracemalloc
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from harness import (
    STACKS,
    EmulatorClient,
    _show_stderr,
    _stop,
    drop_postgres,
    flush_redis,
    reset_postgres,
    rss_mib,
    start_emulator,
    start_pythia,
)

POSTGRES_URL = os.environ.get(
    "PYTHIA_BENCH_DIGESTS_POSTGRES_URL",
    "postgresql+asyncpg://postgres@127.0.0.1/pythia_bench_digests",
)
REDIS_URL = os.environ.get("PYTHIA_BENCH_DIGESTS_REDIS_URL", "redis://127.0.0.1:6379/11")
COINS = ("BTC", "ETH", "SOL", "ADA", "XRP", "DOGE", "DOT", "LTC", "LINK", "AVAX", "BNB")
SECTIONS = ["overview", "movers", "news", "predictions"]  # the defaults (chart off)
INSERTS = 2000  # rows per INSERT
PROGRESS_EVERY = 15.0  # seconds between looks at what has arrived
STALLED = 60.0  # seconds without a new arrival: delivery has stopped


def coin_sets(variety: int) -> list[list[str]]:
    """`variety` distinct sets of three coins."""
    sets = [["BTC", "ETH", "SOL"]]
    n = 0
    while len(sets) < variety:
        first, second = COINS[n % len(COINS)], COINS[(n // len(COINS) + n + 1) % len(COINS)]
        candidate = sorted({"BTC", first, second})
        if candidate not in sets:
            sets.append(candidate)
        n += 1
        if n > 10_000:
            break
    return sets


def peak_rss_mib() -> float:
    """This process's peak resident memory (since the last reset_peak), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Start counting the peak RSS from now (Linux: 5 to clear_refs resets VmHWM)."""
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


async def write_digests(deps, chat_ids: list[int], variety: int, slot: datetime) -> None:
    """A supergroup and a digest due at `slot` for each chat id, and the majors' prices."""
    from sqlalchemy import insert, text

    from core.market import PriceQuote
    from db.engine import is_postgres
    from db.models import Chat, DigestSubscription

    sets = coin_sets(variety)
    async with deps.write() as session:
        for start in range(0, len(chat_ids), INSERTS):
            chunk = chat_ids[start : start + INSERTS]
            chats = [
                {"id": c, "type": "supergroup", "title": f"Group {c}", "timezone": "UTC",
                 "active": True, "created_at": slot}
                for c in chunk
            ]  # fmt: skip
            await session.execute(insert(Chat), chats)
            rows = [
                {"chat_id": c, "schedule": "daily 08:00", "timezone": "UTC",
                 "contents": {"sections": SECTIONS, "coins": sets[(start + i) % len(sets)]},
                 "active": True, "next_run_at": slot, "created_at": slot - timedelta(days=1)}
                for i, c in enumerate(chunk)
            ]  # fmt: skip
            await session.execute(insert(DigestSubscription), rows)
    if is_postgres(deps.engine):  # statistics of a live database, not of empty tables
        async with deps.write() as session:
            for table in ("chats", "digest_subscriptions", "outbox"):
                await session.execute(text(f"ANALYZE {table}"))
    now = deps.clock.now()
    await deps.cache.set_prices(
        [
            PriceQuote(coin, Decimal(100 + n), "USD", "replay", now, Decimal(n) / 4)
            for n, coin in enumerate(COINS)
        ]
    )


async def due_again(deps, slot: datetime) -> None:
    """Every digest due at `slot` again, and the outbox empty: the run can be repeated."""
    from sqlalchemy import delete, update

    from db.models import DigestSubscription, OutboxMessage

    async with deps.write() as session:
        await session.execute(delete(OutboxMessage))
        await session.execute(
            update(DigestSubscription).values(next_run_at=slot, last_sent_at=None)
        )


async def post(deps, now: datetime, traced: bool = False) -> dict[str, float]:
    from services.digests import post_due

    if traced:
        tracemalloc.start()
    reset_peak()
    before = rss_mib(os.getpid())
    started = time.perf_counter()
    result = await post_due(deps, now)
    elapsed = time.perf_counter() - started
    found = {
        "seconds": elapsed,
        "claimed": result.claimed,
        "posted": result.posted,
        "groups": result.groups,
        "rss_before": before,
        "rss_peak": peak_rss_mib(),
    }
    if traced:
        found["heap_peak"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return found


async def run(stack: str, chats: int, variety: int, send: bool) -> None:
    from core.clock import FixedClock
    from core.settings import Settings
    from db.migrate import upgrade
    from services.deps import build_deps, close_deps

    data_dir = Path(tempfile.mkdtemp(prefix="pythia-bench-digests-"))
    if stack == "sqlite":
        database_url, redis_url = f"sqlite+aiosqlite:///{data_dir}/bench.sqlite3", None
    else:
        database_url, redis_url = POSTGRES_URL, REDIS_URL
        await reset_postgres(database_url)
        await flush_redis(redis_url)
    emulator = bot = None
    try:
        await asyncio.to_thread(upgrade, database_url)
        client = None
        if send:
            emulator, url = start_emulator(data_dir, flood_limits=True)
            client = await EmulatorClient(url).__aenter__()
            chat_ids = await make_groups(client, chats)
        else:
            chat_ids = [-1_000_000_000_000 - n for n in range(chats)]
        now = datetime.now(UTC)
        slot = now.replace(second=0, microsecond=0)
        settings = Settings(_env_file=None, database_url=database_url, redis_url=redis_url,
                            symbols=list(COINS))  # fmt: skip
        deps = await build_deps(settings, FixedClock(now))
        try:
            await write_digests(deps, chat_ids, variety, slot)
            if send:
                assert client is not None
                bot = start_pythia(
                    client, database_url, redis_url, data_dir,
                    env={"TELEGRAM_RATE_LIMIT": "true"}, command="bot",
                )  # fmt: skip
                await bot_ready(client)
            deps.clock = FixedClock(datetime.now(UTC))
            since = time.monotonic()
            timed = await post(deps, deps.clock.now())
            if send:
                from db.outbox import OUTBOX_CHANNEL

                await deps.cache.publish(OUTBOX_CHANNEL, str(timed["posted"]))
                assert client is not None and bot is not None
                sending = await delivered(client, set(chat_ids), since)
                _stop(bot, 30)
                bot = None
            await due_again(deps, slot)  # the same run again, traced (no bot to send it)
            traced = await post(deps, deps.clock.now(), traced=True)
        finally:
            await close_deps(deps)
        report(stack, chats, variety, timed, traced)
        if send:
            print(sending, flush=True)
            assert client is not None
            await client.__aexit__(None, None, None)
    finally:
        if bot is not None:
            _stop(bot, 30)
        if emulator is not None:
            _stop(emulator, 10)
        _show_stderr(data_dir, "pythia")
        if stack == "postgres":
            with suppress(Exception):
                await drop_postgres(database_url)
            with suppress(Exception):
                await flush_redis(REDIS_URL)
        shutil.rmtree(data_dir, ignore_errors=True)


async def make_groups(client: EmulatorClient, count: int) -> list[int]:
    """`count` supergroups in the emulator, the bot a member of each."""
    ids: list[int] = []
    for start in range(0, count, 100):
        made = await asyncio.gather(
            *(client.add_group(f"Digest group {n}", supergroup=True)
              for n in range(start, min(count, start + 100)))
        )  # fmt: skip
        ids += [chat.id for chat in made]
    return ids


async def bot_ready(client: EmulatorClient, timeout: float = 90) -> None:
    """Until the bot answers /start (it polls)."""
    probe = await client.add_user("Probe")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = await client.send_message(probe, "/start")
        with suppress(TimeoutError):
            await client.wait_for_bot_messages(probe, after=sent, timeout=5)
            return
    raise RuntimeError("pythia bot never answered /start")


def report(stack: str, chats: int, variety: int, timed: dict, traced: dict) -> None:
    print(f"{STACKS[stack]}: {chats} chats, digests due in the same minute, {variety} coin sets")
    print(
        f"  post_due: {timed['seconds']:.2f} s for {timed['claimed']:.0f} claimed, "
        f"{timed['posted']:.0f} outbox rows ({timed['posted'] / timed['seconds']:.0f}/s), "
        f"{timed['groups']:.0f} compositions over {-(-chats // 500)} batches of 500"
    )
    print(
        f"  memory: RSS {timed['rss_before']:.0f} MiB before, peak {timed['rss_peak']:.0f} MiB "
        f"during (+{timed['rss_peak'] - timed['rss_before']:.0f}); Python heap peak "
        f"{traced['heap_peak']:.1f} MiB (traced run: {traced['seconds']:.2f} s)",
        flush=True,
    )


async def delivered(client: EmulatorClient, chats: set[int], since: float) -> str:
    """Waits for the digests to arrive (or until none has for STALLED s, or at most twice the
    time the limit needs plus five minutes); what it took, as a line to print."""
    count = len(chats)
    print(f"sending {count} digests at Telegram's limits ...", flush=True)
    deadline = since + count / 30 * 2 + 300
    arrivals: list[float] = []
    last_progress = time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(PROGRESS_EVERY)
        messages = await client.bot_messages_since(since)
        found = sorted(m.monotonic for m in messages if m.chat_id in chats)
        if len(found) > len(arrivals):
            last_progress = time.monotonic()
            print(f"  {len(found)} sent after {time.monotonic() - since:.0f} s", flush=True)
        arrivals = found
        if len(arrivals) >= count or time.monotonic() - last_progress > STALLED:
            break
    calls = await client.calls()
    too_fast = sum(call.status == 429 for call in calls)
    failed = sum(call.status not in (0, 200, 429) for call in calls)
    last = arrivals[-1] - since if arrivals else float("nan")
    spread = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else float("nan")
    rate = (len(arrivals) - 1) / spread if len(arrivals) > 1 else 0.0
    return (
        f"  sent {len(arrivals)}/{count}: the last {last:.1f} s after post_due began "
        f"(first to last {spread:.1f} s, {rate:.1f} msg/s); 429s {too_fast}; "
        f"other failed calls {failed}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", choices=sorted(STACKS), default="sqlite")
    parser.add_argument("--chats", type=int, default=10_000, help="chats with a digest due")
    parser.add_argument("--variety", type=int, default=20, help="distinct coin sets")
    parser.add_argument("--send", action="store_true", help="deliver them through the emulator")
    args = parser.parse_args()
    await run(args.stack, args.chats, args.variety, args.send)


if __name__ == "__main__":
    asyncio.run(main())
