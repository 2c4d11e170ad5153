"""What metrics cost: the per-update instrumentation alone, and `/price` end to end with the
metrics endpoint off and on (scraped every second, 15 times Prometheus's default rate).

    .venv/bin/python bench/bench_metrics.py                  # SQLite + in-process cache
    .venv/bin/python bench/bench_metrics.py --stack postgres
    .venv/bin/python bench/bench_metrics.py --micro-only

1. Per update, in process: `bot.metered.received` (label + counter) and `timed` (a histogram
   observation) around an empty handler, against awaiting the handler bare; microseconds each.
2. bench_price's bursts (100 users in one instant, 30 times) and 2,000 queued updates on a
   `pythia run` with METRICS_PORT unset, then on one with METRICS_PORT set and a scraper asking
   /metrics every second (each scrape samples the database: backlog, lags, model ages); off
   and on in turn, `--pairs` times (default 2), the median of each reported.
   The instrumentation itself runs in both (it is always on; only the endpoint is switched), so
   the difference is the endpoint and its scrapes; part 1 is what the counting costs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from datetime import UTC, datetime

import aiohttp
from bench_price import USERS, burst, collect
from harness import (
    STACKS,
    EmulatorClient,
    add_stack_argument,
    chosen_stacks,
    median,
    percentile,
    running_stack,
    wait_ready,
)

from tests.ports import free_port

CALLS = 200_000
ROUNDS = 30
QUEUED = 2000
SCRAPE_EVERY = 1.0


async def _micro() -> tuple[float, float]:
    from telegram import Chat, Message, Update, User

    from bot.metered import received, timed

    chat = Chat(1, "private")
    update = Update(
        1,
        message=Message(
            1, datetime.now(UTC), chat, from_user=User(1, "A", False), text="/price BTC"
        ),
    )
    commands = frozenset({"price", "help"})

    async def handler() -> None:
        return None

    start = time.perf_counter()
    for _ in range(CALLS):
        await handler()
    bare = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(CALLS):
        await timed(received(update, commands), handler())
    metered = time.perf_counter() - start
    return 1e6 * bare / CALLS, 1e6 * metered / CALLS


async def _scrape(port: int, took: list[float], stop: asyncio.Event) -> None:
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            start = time.monotonic()
            async with http.get(f"http://127.0.0.1:{port}/metrics") as answer:
                assert answer.status == 200, answer.status
                await answer.read()
            took.append(time.monotonic() - start)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SCRAPE_EVERY)


async def _measure(client: EmulatorClient) -> dict[str, float]:
    """bench_price's bursts (100 users at once, ROUNDS times) and its 2,000 queued updates."""
    users = [await client.add_user(f"User{i}", f"user{i}") for i in range(USERS)]
    symbols = ["BTC", "ETH", "SOL BNB", "XRP", "ADA DOGE"]
    for _ in range(3):  # warm-up rounds: connection pools, first-use imports
        await burst(client, users, symbols)
    latencies: list[float] = []
    for _ in range(ROUNDS):
        latencies += await burst(client, users, symbols)
    batch = [(users[i % USERS], f"/price {symbols[i % len(symbols)]}", None) for i in range(QUEUED)]
    sent = []
    for start in range(0, len(batch), 500):
        sent += await client.send_messages(batch[start : start + 500])
    first = min(m.monotonic for m in sent)
    replies = await collect(client, first, len(sent))
    elapsed = max(r.monotonic for r in replies) - first
    return {
        "p50_ms": 1000 * median(latencies),
        "p99_ms": 1000 * percentile(latencies, 0.99),
        "updates_per_s": len(replies) / elapsed,
    }


async def _stack(name: str, metrics: bool) -> dict[str, float]:
    env, port = {}, 0
    if metrics:
        port = free_port()
        env["METRICS_PORT"] = str(port)
    async with running_stack(name, env=env) as stack:
        await wait_ready(stack)
        idle: list[float] = []
        if metrics:  # a scrape of a quiet bot: the sampling queries and the rendering
            async with aiohttp.ClientSession() as http:
                for _ in range(20):
                    start = time.monotonic()
                    async with http.get(f"http://127.0.0.1:{port}/metrics") as answer:
                        await answer.read()
                    idle.append(time.monotonic() - start)
                    await asyncio.sleep(0.1)
        took: list[float] = []
        stop = asyncio.Event()
        scraper = asyncio.create_task(_scrape(port, took, stop)) if metrics else None
        try:
            result = await _measure(stack.client)
        finally:
            stop.set()
            if scraper is not None:
                await scraper
        if took:
            result["idle_scrape_p50_ms"] = 1000 * median(idle)
            result["scrapes"] = len(took)
            result["scrape_p50_ms"] = 1000 * median(took)
            result["scrape_p99_ms"] = 1000 * percentile(took, 0.99)
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    add_stack_argument(parser)
    parser.add_argument("--micro-only", action="store_true")
    parser.add_argument("--pairs", type=int, default=2, help="off/on runs per stack (median)")
    args = parser.parse_args()
    bare, metered = asyncio.run(_micro())
    print(
        f"per update, in process: {metered - bare:.2f} µs of counting and timing "
        f"({bare:.2f} µs bare, {metered:.2f} µs metered, {CALLS:,} calls)",
        flush=True,
    )
    if args.micro_only:
        return
    for name in chosen_stacks(args):
        print(f"{STACKS[name]}:", flush=True)
        runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
        for _ in range(args.pairs):  # off and on in turn: the machine's mood hits both
            for on in (False, True):
                runs[on].append(asyncio.run(_stack(name, on)))

        def mid(on: bool, key: str, runs: dict[bool, list[dict[str, float]]] = runs) -> float:
            return median([run[key] for run in runs[on]])

        for key, label in (
            ("p50_ms", f"100 in one instant (x{ROUNDS}) p50"),
            ("p99_ms", f"100 in one instant (x{ROUNDS}) p99"),
        ):
            off, on = mid(False, key), mid(True, key)
            each = ", ".join(
                f"{r[key]:.0f}/{s[key]:.0f}" for r, s in zip(runs[False], runs[True], strict=True)
            )
            print(f"  {label}: off {off:.1f} ms, on {on:.1f} ms ({on - off:+.1f} ms; "
                  f"each pair off/on: {each})")  # fmt: skip
        off, on = mid(False, "updates_per_s"), mid(True, "updates_per_s")
        print(
            f"  throughput ({QUEUED} queued): off {off:.0f}, on {on:.0f} updates/s "
            f"({(on - off) / off:+.0%})"
        )
        print(
            f"  scrapes: p50 {mid(True, 'idle_scrape_p50_ms'):.1f} ms on a quiet bot; while "
            f"measuring (every {SCRAPE_EVERY:.0f} s) p50 {mid(True, 'scrape_p50_ms'):.1f} ms, "
            f"p99 {mid(True, 'scrape_p99_ms'):.1f} ms",
            flush=True,
        )


if __name__ == "__main__":
    main()
