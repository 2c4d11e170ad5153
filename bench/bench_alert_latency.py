"""From a price tick entering the workers to the sendMessage of the alerts it fires.

    .venv/bin/python bench/bench_alert_latency.py                 # Postgres + Redis, then SQLite
    .venv/bin/python bench/bench_alert_latency.py --stack postgres --rounds 10

Target (the alerts promise): p99 under 1 s with rate limits off.

Processes: the emulator without flood limits, `pythia workers` and `pythia bot` (the
production split, TELEGRAM_RATE_LIMIT off, OUTBOX_RATE 10,000: no pacing but one message a
second per person, which this run never meets), and this process. Each round, this process
publishes a BTC tick on the cache's price channel — exactly what the ingest job publishes after
reading an exchange, so the tick enters the workers' matcher as a live one does — crossing the
levels of `--per-round` alerts of as many people. The clock starts just before the publish and
stops at the emulator's receive time of each alert's sendMessage (both monotonic clocks of this
host). Rounds are a second and a half apart.

Stacks: "postgres" is Postgres (database `pythia_rel`, dropped before and after) + Redis
(database 7); "sqlite" is one SQLite file shared by both processes, with Redis for the price
events and the outbox wake-up (the embedded stack's in-process cache lives inside `pythia run`,
which nothing outside can feed a tick). The plumbing is the reliability tests'
(tests/reliability/cluster.py), itself on bench/harness.py; run it where those may run (not
beside `make reliability`: same database names).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from decimal import Decimal

from harness import add_stack_argument, chosen_stacks, median, percentile  # puts ROOT on sys.path

from tests.reliability.cluster import HIGH, cluster

LABELS = {"postgres": "Postgres + Redis", "sqlite": "SQLite (shared file) + Redis"}
BAND = 1000  # each round's levels: HIGH + round * BAND + person


async def measure(stack: str, rounds: int, per_round: int) -> list[float]:
    """Latencies (seconds) of every alert fired, tick publish to sendMessage received."""
    env = {"OUTBOX_RATE": "10000", "TELEGRAM_RATE_LIMIT": "false"}
    async with cluster(env, database=stack) as the:
        people = await the.people(rounds * per_round)
        for r in range(rounds):
            group = people[r * per_round : (r + 1) * per_round]
            await the.price_alerts(group, 1, start=r * BAND)
        workers = the.start_workers()
        the.start_bot()
        await the.wait_bot_answers()
        await the.wait_workers_running(workers)
        latencies: list[float] = []
        for r in range(rounds):
            await the.tick(Decimal(1))  # below every level
            await asyncio.sleep(0.2)
            entered = time.monotonic()
            await the.tick(HIGH + r * BAND + BAND - 1)  # crosses this round's levels
            got = await the.client.bot_messages_since(entered, per_round, timeout=30)
            arrived = [m.monotonic for m in got]
            if len(arrived) < per_round:
                raise RuntimeError(f"round {r}: {len(arrived)} of {per_round} alerts arrived")
            latencies += [at - entered for at in arrived[:per_round]]
            await asyncio.sleep(1.5)
        return latencies


def summary(latencies: list[float]) -> str:
    ms = sorted(1000 * s for s in latencies)
    p99 = percentile(ms, 0.99)
    met = "met" if p99 < 1000 else "NOT met"
    return (
        f"{len(ms)} alerts: tick → sendMessage p50 {median(ms):.0f} ms, p99 {p99:.0f} ms, "
        f"max {ms[-1]:.0f} ms, min {ms[0]:.0f} ms (target p99 < 1000 ms: {met})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_stack_argument(parser)
    parser.add_argument("--rounds", type=int, default=20, help="ticks, each firing a batch")
    parser.add_argument("--per-round", type=int, default=20, help="alerts each tick fires")
    args = parser.parse_args()
    for stack in sorted(chosen_stacks(args)):  # postgres first
        print(f"{LABELS[stack]}: {args.rounds} ticks × {args.per_round} alerts ...", flush=True)
        print("  " + summary(await measure(stack, args.rounds, args.per_round)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
