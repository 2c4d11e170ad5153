"""A 15,000-trade CSV import, and everyone else's writes meanwhile.

    .venv/bin/python bench/bench_import.py                 # SQLite, then Postgres + Redis
    .venv/bin/python bench/bench_import.py --stack sqlite [--rows N]

OTHERS people each send `/watch SOL` and `/unwatch SOL` by turns (each one a write) once a
second, staggered: for PHASE seconds with nobody importing (the baseline), then from the moment
one more person sends a file of ROWS trades until that import is recorded (they press Confirm
as soon as the preview arrives). Printed per stack: the others' reply latency p50/p99/max in
both phases and the ratio; the import's time from sending the file to the preview (read,
checked and staged), from Confirm to "Recorded", and in all; and how many runs of the price
ingestion job the scheduler skipped while it took (a run skipped means the last one was still
going: the event loop or the database was held).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

from harness import (
    STACKS,
    EmulatorClient,
    Stack,
    add_stack_argument,
    chosen_stacks,
    median,
    percentile,
    running_stack,
    wait_ready,
)

OTHERS = 5
PHASE = 20.0  # seconds of the baseline
ROWS = 15_000
COINS = ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE")
SKIPPED = 'Execution of job "ingest_prices'  # APScheduler's warning when a run is skipped


def trades_csv(rows: int) -> bytes:
    """`rows` trades over the tracked coins, a sell now and then of what is held."""
    rng, held = random.Random(7), dict.fromkeys(COINS, 0)
    start = datetime(2021, 1, 1, tzinfo=UTC)
    lines = ["date,side,symbol,quantity,price,fee"]
    for n in range(rows):
        coin = rng.choice(COINS)
        sell = held[coin] >= 2 and rng.random() < 0.4
        held[coin] += -1 if sell else 2
        moment = (start + timedelta(minutes=37 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        side, quantity = ("sell", 1) if sell else ("buy", 2)
        lines.append(f"{moment},{side},{coin},{quantity},{rng.randint(1, 60_000)}.25,0.1")
    return "\n".join(lines).encode()


class Writers:
    """OTHERS people writing by turns, once a second each, until stopped; their latencies."""

    def __init__(self, client: EmulatorClient, people: list) -> None:
        self.client, self.people = client, people
        self.sent: list = []
        self._stop = asyncio.Event()

    async def run(self) -> None:
        tick, n, start = 1.0 / len(self.people), 0, time.monotonic()
        while not self._stop.is_set():
            await asyncio.sleep(max(0.0, start + n * tick - time.monotonic()))
            person = self.people[n % len(self.people)]
            verb = "/watch" if (n // len(self.people)) % 2 == 0 else "/unwatch"
            self.sent.append(await self.client.send_message(person, f"{verb} SOL"))
            n += 1

    def stop(self) -> None:
        self._stop.set()

    async def latencies(self, since: float, until: float) -> list[float]:
        await asyncio.sleep(3.0)
        found = []
        for person in self.people:
            replies = await self.client.bot_messages(person)
            for message in self.sent:
                if message.chat_id != person.id or not since <= message.monotonic <= until:
                    continue
                reply = next((r for r in replies if r.message_id > message.message_id), None)
                found.append(float("inf") if reply is None else reply.monotonic - message.monotonic)
        return found


async def import_file(client: EmulatorClient, person, content: bytes) -> dict[str, float]:
    """Send the file, press Confirm on the preview, wait for "Recorded"; the moments."""
    sent = await client.send_document(person, "trades.csv", content)
    (preview,) = await client.wait_for_bot_messages(person, after=sent, timeout=300)
    previewed = preview.monotonic  # the emulator's clock: CLOCK_MONOTONIC, as this process's
    assert preview.buttons, preview.text
    await client.press_button(person, preview, text="✅ Confirm")
    pressed = time.monotonic()
    while True:
        shown = next(
            m for m in await client.bot_messages(person) if m.message_id == preview.message_id
        )
        if shown.text and shown.text.startswith("✅ Recorded"):
            return {"sent": sent.monotonic, "previewed": previewed, "pressed": pressed,
                    "recorded": time.monotonic(), "text": shown.text}  # fmt: skip
        if shown.text != preview.text:
            raise RuntimeError(f"the import was not recorded: {shown.text}")
        await asyncio.sleep(0.05)


def skipped_runs(stack: Stack) -> int:
    return (stack.data_dir / "pythia.stderr").read_text(errors="replace").count(SKIPPED)


async def measure(stack: Stack, rows: int) -> dict[str, float]:
    client = stack.client
    people = [await client.add_user(f"Writer{i}") for i in range(OTHERS)]
    importer = await client.add_user("Importer")
    content = trades_csv(rows)
    writers = Writers(client, people)
    running = asyncio.create_task(writers.run())
    await asyncio.sleep(3.0)  # warm-up
    calm_from = time.monotonic()
    await asyncio.sleep(PHASE)
    calm_to = time.monotonic()
    skipped_before = skipped_runs(stack)
    moments = await import_file(client, importer, content)
    skipped = skipped_runs(stack) - skipped_before
    writers.stop()
    await running
    calm = await writers.latencies(calm_from, calm_to)
    busy = await writers.latencies(moments["sent"], moments["recorded"])
    return {
        "calm_p50": 1000 * median(calm),
        "calm_p99": 1000 * percentile(calm, 0.99),
        "calm_max": 1000 * max(calm),
        "busy_p50": 1000 * median(busy),
        "busy_p99": 1000 * percentile(busy, 0.99),
        "busy_max": 1000 * max(busy),
        "busy_n": len(busy),
        "read": moments["previewed"] - moments["sent"],
        "confirm": moments["recorded"] - moments["pressed"],
        "total": moments["recorded"] - moments["sent"],
        "skipped": skipped,
    }


async def run_stack(name: str, rows: int) -> dict[str, float]:
    async with running_stack(name) as stack:
        await wait_ready(stack)
        return await measure(stack, rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_stack_argument(parser)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    for name in chosen_stacks(args):
        print(f"{STACKS[name]}:", flush=True)
        r = asyncio.run(run_stack(name, args.rows))
        print(
            f"  others' /watch and /unwatch ({OTHERS} people, 1/s each): p50 {r['calm_p50']:.1f} "
            f"ms, p99 {r['calm_p99']:.1f} ms, max {r['calm_max']:.0f} ms with nobody importing; "
            f"p50 {r['busy_p50']:.1f} ms, p99 {r['busy_p99']:.1f} ms, max {r['busy_max']:.0f} ms "
            f"during the import ({r['busy_n']:.0f} writes; x{r['busy_p99'] / r['calm_p99']:.2f} "
            f"p99)\n"
            f"  the import of {args.rows:,} trades: {r['total']:.1f} s in all — file to preview "
            f"{r['read']:.1f} s, Confirm to recorded {r['confirm']:.2f} s; price ingestion runs "
            f"skipped meanwhile: {r['skipped']:.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
