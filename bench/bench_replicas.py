"""One Telegram budget for any number of bot replicas: messages a second by 1 and by 3.

    .venv/bin/python bench/bench_replicas.py                  # 1 then 3 replicas, 60 s each
    .venv/bin/python bench/bench_replicas.py --replicas 3 --seconds 30

The emulator *with Telegram's flood limits on*, Postgres + Redis, and `--replicas` `pythia bot`
processes in webhook mode (TELEGRAM_RATE_LIMIT on), each with its own outbox sender; this
process writes 30 × `--seconds` alert rows for 300 people into the outbox at once (as
bench_delivery.py does) and wakes the senders. The replicas share Telegram's budget through
Redis (db/budget.py), so three deliver what one does: about 30 a second, not 90, and no 429.
Counted in the emulator: messages a second from the first delivery to the last, the most in
any whole second, and the 429s (must be 0). Its own database `pythia_bench_replicas` and Redis
database 10 (PYTHIA_BENCH_REPLICAS_POSTGRES_URL / PYTHIA_BENCH_REPLICAS_REDIS_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

from bench_delivery import PEOPLE, RATE, fill_outbox
from harness import (
    EmulatorClient,
    _show_stderr,
    _stop,
    drop_postgres,
    flush_redis,
    reset_postgres,
    start_emulator,
    start_pythia,
)

from tests.ports import free_port

POSTGRES_URL = os.environ.get(
    "PYTHIA_BENCH_REPLICAS_POSTGRES_URL",
    "postgresql+asyncpg://postgres@127.0.0.1/pythia_bench_replicas",
)
REDIS_URL = os.environ.get("PYTHIA_BENCH_REPLICAS_REDIS_URL", "redis://127.0.0.1:6379/10")


async def measure(replicas: int, seconds: float) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(prefix="pythia-bench-replicas-"))
    await reset_postgres(POSTGRES_URL)
    await flush_redis(REDIS_URL)
    bots = []
    try:
        from db.migrate import upgrade

        await asyncio.to_thread(upgrade, POSTGRES_URL)
        emulator, url = start_emulator(data_dir, flood_limits=True)
        ports = [free_port() for _ in range(replicas)]
        try:
            async with EmulatorClient(url) as client:
                for i, port in enumerate(ports):
                    hook = {  # the updates all go to the first: the sends are what is measured
                        "WEBHOOK_URL": f"http://127.0.0.1:{ports[0]}/tg",
                        "WEBHOOK_SECRET": "bench-replicas",
                        "WEBHOOK_LISTEN": "127.0.0.1",
                        "WEBHOOK_PORT": str(port),
                        "WEBHOOK_PATH": "tg",
                        "TELEGRAM_RATE_LIMIT": "true",
                    }
                    bots.append(
                        start_pythia(
                            client, POSTGRES_URL, REDIS_URL, data_dir, hook, "bot", f"bot{i}"
                        )
                    )
                probe = await client.add_user("Probe")
                sent = await client.send_message(probe, "/start")
                await client.wait_for_bot_messages(probe, after=sent, timeout=60)
                await asyncio.sleep(3)  # every replica's sender up
                people = [(await client.add_user(f"P{i}")).id for i in range(PEOPLE)]
                count = int(RATE * seconds)
                since = time.monotonic()
                await fill_outbox(POSTGRES_URL, REDIS_URL, people, count)
                messages = await client.bot_messages_since(since, count, timeout=seconds * 3 + 60)
                calls = await client.calls()
        finally:
            for bot in bots:
                _stop(bot, 30)
            _stop(emulator, 10)
    finally:
        for i in range(replicas):
            _show_stderr(data_dir, f"bot{i}")
        with suppress(Exception):
            await drop_postgres(POSTGRES_URL)
        with suppress(Exception):
            await flush_redis(REDIS_URL)
        shutil.rmtree(data_dir, ignore_errors=True)
    arrivals = sorted(m.monotonic for m in messages if m.chat_id != probe.id)[:count]
    elapsed = arrivals[-1] - arrivals[0]
    per_second = Counter(int(at - arrivals[0]) for at in arrivals)
    return {
        "messages": len(arrivals),
        "elapsed": elapsed,
        "rate": (len(arrivals) - 1) / elapsed,
        "most": max(per_second[s] for s in range(max(int(elapsed), 1))),
        "429s": sum(call.status == 429 for call in calls),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, nargs="*", default=[1, 3])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run")
    args = parser.parse_args()
    for replicas in args.replicas:
        print(f"{replicas} replica(s): {int(RATE * args.seconds)} alerts for {PEOPLE} people ...",
              flush=True)  # fmt: skip
        got = await measure(replicas, args.seconds)
        print(
            f"  {got['messages']:.0f} messages in {got['elapsed']:.1f} s: {got['rate']:.2f} msg/s "
            f"(Telegram's limit {RATE}); most in a whole second {got['most']:.0f}; "
            f"429s {got['429s']:.0f} (must be 0)",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
