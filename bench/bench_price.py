"""/price end to end through the emulator: latency with 100 users at once, throughput, memory.

Three figures per stack:
- *100 users active*: 100 users each send /price at random (Poisson) moments, 50 messages/s in
  all — a very busy bot. Latency per message.
- *100 in one instant*: all 100 users send in the same millisecond, 30 times. The last reply
  waits for the 99 before it, so this measures how fast a burst drains.
- *throughput*: 2,000 updates queued at once, handled as fast as one process can.

    .venv/bin/python bench/bench_price.py   # SQLite + in-process cache, then Postgres + Redis
    .venv/bin/python bench/bench_price.py --stack sqlite

Three processes, as in production: the emulator (Telegram), `pythia run` (bot and workers in
one process, polling the emulator over HTTP) and this load generator. Latency is measured inside
the emulator, from the moment a user's message exists to the moment the bot's reply arrives —
so it includes long-poll delivery, PTB, the handler, the cache and the sendMessage call.
Telegram's rate limits are off on both sides (a burst of 100 replies would otherwise be
throttled to 30/s by design, which measures Telegram's policy, not Pythia).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time

from harness import (
    STACKS,
    EmulatorClient,
    add_stack_argument,
    chosen_stacks,
    cpu_seconds,
    median,
    percentile,
    rss_mib,
    running_stack,
    wait_ready,
)

USERS = 100
ROUNDS = 30
THROUGHPUT_MESSAGES = 2000
STEADY_RATE = 50.0  # messages per second from all users together
STEADY_SECONDS = 20.0
STEADY_RUNS = 3


async def measure(client: EmulatorClient, pid: int, emulator_pid: int) -> dict[str, float]:
    users = [await client.add_user(f"User{i}", f"user{i}") for i in range(USERS)]
    symbols = ["BTC", "ETH", "SOL BNB", "XRP", "ADA DOGE"]
    for _ in range(3):  # warm-up rounds: connection pools, first-use imports
        await burst(client, users, symbols)
    # Three separate runs: on a 2-core machine shared by bot, emulator, load generator, Postgres
    # and Redis, one run's tail depends on what the kernel scheduled; the median run is reported.
    runs = [await steady(client, users, symbols) for _ in range(STEADY_RUNS)]
    runs.sort(key=lambda run: percentile(run, 0.99))
    active = runs[len(runs) // 2]
    spread = [1000 * percentile(run, 0.99) for run in runs]
    latencies: list[float] = []
    for _ in range(ROUNDS):
        latencies += await burst(client, users, symbols)
    rss_after_bursts = rss_mib(pid)
    cpu_before = cpu_seconds(pid), cpu_seconds(emulator_pid)

    # Throughput: THROUGHPUT_MESSAGES queued at once, handled as fast as one process can.
    batch = [
        (users[i % USERS], f"/price {symbols[i % len(symbols)]}", None)
        for i in range(THROUGHPUT_MESSAGES)
    ]
    sent = []
    for start in range(0, len(batch), 500):
        sent += await client.send_messages(batch[start : start + 500])
    first = min(m.monotonic for m in sent)
    replies = await collect(client, first, len(sent))
    elapsed = max(r.monotonic for r in replies) - first
    cpu = [
        (cpu_seconds(p) - b) / elapsed for p, b in zip((pid, emulator_pid), cpu_before, strict=True)
    ]
    print(
        f"  (during the throughput run the bot used {cpu[0]:.0%} of a core, "
        f"the emulator {cpu[1]:.0%}; the machine has {os.cpu_count()})"
    )
    return {
        "active_p50_ms": 1000 * median(active),
        "active_p99_ms": 1000 * percentile(active, 0.99),
        "active_p99_spread": f"{min(spread):.1f}–{max(spread):.1f}",
        "p50_ms": 1000 * median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "max_ms": 1000 * max(latencies),
        "samples": len(latencies),
        "updates_per_s": len(replies) / elapsed,
        "rss_mib": max(rss_after_bursts, rss_mib(pid)),
    }


async def steady(client: EmulatorClient, users: list, symbols: list[str]) -> list[float]:
    """Each user sends at random moments, STEADY_RATE messages/s in all, for STEADY_SECONDS."""
    rng = random.Random(7)
    moments, t = [], 0.0
    while t < STEADY_SECONDS:
        t += rng.expovariate(STEADY_RATE)
        moments.append(t)
    sent = []
    start = time.monotonic()
    for i, moment in enumerate(moments):
        await asyncio.sleep(max(0.0, start + moment - time.monotonic()))
        user = users[rng.randrange(len(users))]
        sent.append(await client.send_message(user, f"/price {symbols[i % len(symbols)]}"))
    await asyncio.sleep(1.0)
    latencies = []
    for user in users:
        mine = [m for m in sent if m.chat_id == user.id]
        if not mine:
            continue
        replies = await client.bot_messages(user)
        for message in mine:
            reply = next(r for r in replies if r.message_id > message.message_id)
            latencies.append(reply.monotonic - message.monotonic)
    return latencies


async def burst(client: EmulatorClient, users: list, symbols: list[str]) -> list[float]:
    """All users send /price at once; the latency of each one's reply."""
    sent = await client.send_messages(
        [(u, f"/price {symbols[i % len(symbols)]}", None) for i, u in enumerate(users)]
    )
    start = min(m.monotonic for m in sent)
    replies = await collect(client, start, len(sent))
    asked = {m.chat_id: m.monotonic for m in sent}
    return [r.monotonic - asked[r.chat_id] for r in replies]


async def collect(client: EmulatorClient, since: float, count: int, timeout: float = 120):
    replies = await client.bot_messages_since(since, count=count, timeout=timeout)
    assert all(r.text and "USDT" in r.text for r in replies), replies[0].text
    return replies


async def run_stack(name: str) -> dict[str, float]:
    async with running_stack(name) as stack:
        await wait_ready(stack)
        return await measure(stack.client, stack.pid, stack.emulator_pid)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_stack_argument(parser)
    args = parser.parse_args()
    for name in chosen_stacks(args):
        print(f"{STACKS[name]}:", flush=True)
        r = asyncio.run(run_stack(name))
        print(
            f"  100 users active ({STEADY_RATE:.0f} msg/s): p50 {r['active_p50_ms']:.1f} ms, "
            f"p99 {r['active_p99_ms']:.1f} ms (median of {STEADY_RUNS} runs of "
            f"{STEADY_SECONDS:.0f} s; p99 ranged {r['active_p99_spread']} ms)\n"
            f"  100 in one instant (x{ROUNDS}):  p50 {r['p50_ms']:.1f} ms, "
            f"p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms\n"
            f"  throughput ({THROUGHPUT_MESSAGES} queued): {r['updates_per_s']:.0f} updates/s\n"
            f"  bot process resident memory: {r['rss_mib']:.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
