"""/chart, /ta, /compare and /corr end to end through the emulator, on ingested replay candles.

    .venv/bin/python bench/bench_commands.py                    # SQLite, then Postgres + Redis
    .venv/bin/python bench/bench_commands.py --stack sqlite
    .venv/bin/python bench/bench_commands.py --stack sqlite --profile /tmp/prof
                                    # also py-spy the bot during the fresh /chart phase

Three processes, as in bench_price.py: the emulator, `pythia run` on the replay market (bot and
workers in one process, so the candle job shares the process as in production) and this load
generator. Latency is measured inside the emulator, from a user's message record to the bot's
reply record, so it includes long-poll delivery, the handler, the database read, the drawing and
the sendPhoto upload.

First the benchmark waits until the workers' first candle run has backfilled the replay's 60
days (every coin answers `/ta COIN 1d`). Then, one request at a time (the renderer has one thread
by design; this measures a request, not a queue):

- /chart fresh: 2 warm-ups, then 30 asks whose file_id cache keys all differ (7 coins × 1h 7d,
  1h 3d, 1h 14d, 4h 30d, 4h 60d, 1d 60d, walked so that neighbours differ in coin and
  timeframe). A reply whose photo's file_id was seen before came from the cache and is not
  counted (reported if it happens).
- /chart from cache: right after each fresh ask (and a 50 ms pause, so the bot has stored the
  file_id after its sendPhoto returned), the identical ask again. The key holds the last candle,
  which the candle job can move between the two asks; only replies that reused the first photo's
  file_id count, and how many did is printed.
- /ta: 3 warm-ups, then 50 asks over the 7 coins × 1h, 4h, 1d (no cache; candles from the
  database, indicators computed each time).
- /compare and /corr fresh, for information: 2 warm-ups each, then asks with distinct keys.
- /help, for scale: the round trip with no database and no picture (long poll, PTB,
  sendMessage), 3 warm-ups and 50 asks. The other rows pay this too.

With 30 samples, p99 is the largest; the max column shows the slowest anyway.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import (
    STACKS,
    EmulatorClient,
    Stack,
    add_stack_argument,
    chosen_stacks,
    median,
    percentile,
    rss_mib,
    running_stack,
    wait_ready,
)

from bot.emulator.records import MessageRecord, User

COINS = ["BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE"]
CHART_SHAPES = ["1h 7d", "4h 30d", "1d 60d", "1h 3d", "4h 60d", "1h 14d"]  # 6: coprime with 7
CHART_WARM_UPS, CHART_RUNS = 2, 30
CACHE_PAUSE = 0.05  # seconds between a fresh reply and the identical ask
TA_TIMEFRAMES = ["1h", "4h", "1d"]
TA_WARM_UPS, TA_RUNS = 3, 50
FLOOR_WARM_UPS, FLOOR_RUNS = 3, 50
COMPARE_PAIRS = [
    ("BTC", "ETH"),
    ("SOL", "BNB"),
    ("XRP", "ADA"),
    ("DOGE", "BTC"),
    ("ETH", "SOL"),
    ("BNB", "XRP"),
    ("ADA", "DOGE"),
]
COMPARE_PERIODS = ["7d", "30d", "14d"]
COMPARE_WARM_UPS, COMPARE_RUNS = 2, 15
CORR_ASKS = [
    "30d", "7d", "14d", "60d", "1h 10d", "4h 30d", "4h 60d", "1h 20d", "1d 45d", "4h 14d",
    "1d 20d", "1h 5d",
]  # fmt: skip
CORR_WARM_UPS = 2
REPLY_TIMEOUT = 30.0
CANDLES_TIMEOUT = 180.0
TARGETS_MS = {"chart_fresh": 400.0, "chart_cached": 20.0, "ta": 30.0}  # on p50


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)  # seconds
    skipped: int = 0  # asks that did not measure what the row is about
    note: str = ""
    by_shape: dict[str, list[float]] = field(default_factory=dict)  # timeframe + period


def interleave(firsts: list, seconds: list) -> list[tuple]:
    """Every (first, second) pair once, walked so that neighbours differ in both (the lengths
    must be coprime)."""
    count = len(firsts) * len(seconds)
    return [(firsts[i % len(firsts)], seconds[i % len(seconds)]) for i in range(count)]


async def ask(client: EmulatorClient, user: User, text: str) -> tuple[float, MessageRecord]:
    """Send `text` as `user`; the reply and its latency as the emulator recorded them."""
    sent = await client.send_message(user, text)
    (reply,) = await client.wait_for_bot_messages(user, after=sent, timeout=REPLY_TIMEOUT)
    return reply.monotonic - sent.monotonic, reply


async def ask_picture(client: EmulatorClient, user: User, text: str) -> tuple[float, str]:
    latency, reply = await ask(client, user, text)
    if reply.photo is None:
        raise RuntimeError(f"{text!r} was answered without a picture: {reply.body[:300]}")
    return latency, reply.photo.file_id


async def wait_for_candles(stack: Stack) -> float:
    """Until every coin has 1d candles (each coin's 1h come before its 1d in a candle run)."""
    client, start = stack.client, time.monotonic()
    user = await client.add_user("CandleProbe")
    waiting = list(COINS)
    while waiting:
        if time.monotonic() - start > CANDLES_TIMEOUT:
            raise RuntimeError(f"no 1d candles after {CANDLES_TIMEOUT:.0f} s for {waiting}")
        stack.check_alive()
        _, reply = await ask(client, user, f"/ta {waiting[0]} 1d")
        if (reply.text or "").startswith("No 1d candles"):
            await asyncio.sleep(0.5)
        else:
            waiting.pop(0)
    return time.monotonic() - start


async def charts(client: EmulatorClient, seen: set[str]) -> tuple[Figures, Figures]:
    """/chart fresh, each followed by the same ask again (served by file_id)."""
    user = await client.add_user("Charts")
    fresh, cached = Figures(), Figures()
    asks = [f"/chart {coin} {shape}" for coin, shape in interleave(COINS, CHART_SHAPES)]
    for i, text in enumerate(asks[: CHART_WARM_UPS + CHART_RUNS]):
        latency, file_id = await ask_picture(client, user, text)
        measured = i >= CHART_WARM_UPS
        if file_id in seen:
            fresh.skipped += measured
            continue
        seen.add(file_id)
        if measured:
            fresh.latencies.append(latency)
            fresh.by_shape.setdefault(text.split(" ", 2)[2], []).append(latency)
        await asyncio.sleep(CACHE_PAUSE)
        latency, again = await ask_picture(client, user, text)
        if again == file_id:
            if measured:
                cached.latencies.append(latency)
        else:
            seen.add(again)
            cached.skipped += measured
    reused = len(cached.latencies)
    cached.note = f"{reused} of {reused + cached.skipped} repeats reused the first file_id"
    if fresh.skipped:
        fresh.note = f"{fresh.skipped} of {CHART_RUNS} asks were served from the cache"
    return fresh, cached


async def ta(client: EmulatorClient) -> Figures:
    user = await client.add_user("Ta")
    figures = Figures()
    asks = [f"/ta {coin} {tf}" for coin, tf in interleave(COINS, TA_TIMEFRAMES)]
    for i in range(TA_WARM_UPS + TA_RUNS):
        text = asks[i % len(asks)]
        latency, reply = await ask(client, user, text)
        body = reply.text or ""
        if body.startswith(("No ", "I have ", "That didn't")) or "RSI" not in body:
            raise RuntimeError(f"{text!r} was answered with: {body[:300]}")
        if i >= TA_WARM_UPS:
            figures.latencies.append(latency)
    return figures


async def floor(client: EmulatorClient) -> Figures:
    user = await client.add_user("Floor")
    figures = Figures()
    for i in range(FLOOR_WARM_UPS + FLOOR_RUNS):
        latency, reply = await ask(client, user, "/help")
        if not reply.text:
            raise RuntimeError("/help was answered without text")
        if i >= FLOOR_WARM_UPS:
            figures.latencies.append(latency)
    return figures


async def pictures(
    client: EmulatorClient, asks: list[str], warm_ups: int, seen: set[str]
) -> Figures:
    """Fresh pictures: asks whose reply reused a known file_id are not counted."""
    user = await client.add_user("Pictures")
    figures = Figures()
    for i, text in enumerate(asks):
        latency, file_id = await ask_picture(client, user, text)
        if file_id in seen:
            figures.skipped += i >= warm_ups
            continue
        seen.add(file_id)
        if i >= warm_ups:
            figures.latencies.append(latency)
    if figures.skipped:
        figures.note = f"{figures.skipped} served from the cache, not counted"
    return figures


def start_profiler(pid: int, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling the bot (all threads, one root frame per thread) until stopped."""
    out.parent.mkdir(parents=True, exist_ok=True)
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    options = ["--format", "raw", "--threads", "--rate", "200", "--nonblocking", "-o", str(out)]
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profiler(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


async def run_stack(name: str, profile: Path | None) -> dict[str, Figures]:
    async with running_stack(name) as stack:
        await wait_ready(stack)
        waited = await wait_for_candles(stack)
        print(f"  (candles backfilled {waited:.1f} s after the bot first answered)", flush=True)
        client, seen = stack.client, set()
        profiler = None
        if profile is not None:
            out = profile / f"{name}-chart.txt"
            profiler = start_profiler(stack.pid, out)
            note = f"py-spy samples of the fresh /chart phase go to {out}"
            print(f"  ({note}; the /chart rows include its overhead)", flush=True)
        try:
            fresh, cached = await charts(client, seen)
        finally:
            if profiler is not None:
                stop_profiler(profiler)
        figures = {"chart_fresh": fresh, "chart_cached": cached, "ta": await ta(client)}
        compare_asks = [
            f"/compare {a} {b} {period}"
            for (a, b), period in interleave(COMPARE_PAIRS, COMPARE_PERIODS)
        ]
        figures["compare"] = await pictures(
            client, compare_asks[: COMPARE_WARM_UPS + COMPARE_RUNS], COMPARE_WARM_UPS, seen
        )
        figures["corr"] = await pictures(
            client, [f"/corr {a}" for a in CORR_ASKS], CORR_WARM_UPS, seen
        )
        figures["floor"] = await floor(client)
        print(f"  (bot resident memory afterwards: {rss_mib(stack.pid):.0f} MiB)", flush=True)
        return figures


ROWS = {
    "chart_fresh": "/chart, drawn fresh",
    "chart_cached": "/chart, again (file_id)",
    "ta": "/ta, stored candles",
    "compare": "/compare, drawn fresh",
    "corr": "/corr, drawn fresh",
    "floor": "/help (round-trip floor)",
}


def table(figures: dict[str, Figures]) -> str:
    lines = [
        f"  {'':26} {'n':>3} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   target (p50)",
    ]
    notes = []
    for key, label in ROWS.items():
        row = figures[key]
        values = row.latencies
        if not values:
            lines.append(f"  {label:26} {0:>3}   (no samples)")
            continue
        p50, p99, top = (1000 * v for v in (median(values), percentile(values, 0.99), max(values)))
        target = TARGETS_MS.get(key)
        verdict = (
            f"< {target:.0f} ms: {'met' if p50 < target else 'MISSED'}"
            if target
            else "(information)"
        )
        lines.append(
            f"  {label:26} {len(values):>3} {p50:>8.1f} {p99:>8.1f} {top:>8.1f}   {verdict}"
        )
        if row.note:
            notes.append(f"  {label}: {row.note}")
        if row.by_shape:
            shapes = ", ".join(
                f"{shape} {1000 * median(values):.0f} ms (n={len(values)})"
                for shape, values in row.by_shape.items()
            )
            notes.append(f"  {label}, p50 by timeframe and period: {shapes}")
    return "\n".join(lines + notes)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_stack_argument(parser)
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record py-spy samples of the bot during the fresh /chart phase into DIR",
    )
    args = parser.parse_args()
    for name in chosen_stacks(args):
        print(f"{STACKS[name]}:", flush=True)
        figures = asyncio.run(run_stack(name, args.profile))
        print(table(figures), flush=True)


if __name__ == "__main__":
    main()
