"""One person floods the bot; how long do other people wait for /price meanwhile?

    .venv/bin/python bench/bench_flood.py                 # SQLite, then Postgres + Redis
    .venv/bin/python bench/bench_flood.py --stack sqlite

As in production: the emulator enforces Telegram's flood limits (about one message a second
to a private chat after a short burst, 30 a second overall) and Pythia queues its sends
within them (TELEGRAM_RATE_LIMIT on), with the default per-person limit (FLOOD_BURST 20,
FLOOD_RATE 1/s).

OTHERS people each ask `/price BTC` once a second (staggered), for PHASE seconds with nobody
flooding (the baseline), then for PHASE seconds from the moment one more person sends FLOOD
messages within one second. Printed per stack: the others' /price latency p50/p99 in both
phases and the ratio (aim: within 2x), how long the flood took to work off (from its first
message to the bot's last message in the flooder's chat), what the flooder got back, and the
429s the emulator answered.
"""

from __future__ import annotations

import argparse
import asyncio
import time

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

from core.settings import Settings

OTHERS = 5
PHASE = 25.0  # seconds of asking, with and without the flood
FLOOD = 200  # messages from one person ...
FLOOD_SECONDS = 1.0  # ... within this long
QUIET = 5.0  # seconds without a new message in the flooder's chat: the flood is worked off
LIMITS = {  # the defaults people get, written out: the harness turns the limit off
    "FLOOD_BURST": str(Settings.model_fields["flood_burst"].default),
    "FLOOD_RATE": str(Settings.model_fields["flood_rate"].default),
    "TELEGRAM_RATE_LIMIT": "true",
}


async def asking(client: EmulatorClient, others: list, seconds: float) -> list[float]:
    """Each of `others` sends /price BTC once a second, staggered; the latency of each reply."""
    sent = []
    start = time.monotonic()
    tick = 1.0 / len(others)
    n = 0
    while (due := start + n * tick) < start + seconds:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        sent.append(await client.send_message(others[n % len(others)], "/price BTC"))
        n += 1
    await asyncio.sleep(3.0)
    latencies = []
    for person in others:
        replies = await client.bot_messages(person)
        for message in (m for m in sent if m.chat_id == person.id):
            reply = next((r for r in replies if r.message_id > message.message_id), None)
            latencies.append(float("inf") if reply is None else reply.monotonic - message.monotonic)
    return latencies


async def flooding(client: EmulatorClient, flooder) -> list:
    """FLOOD messages from `flooder` within FLOOD_SECONDS, in ten slices."""
    sent = []
    for _ in range(10):
        batch = [(flooder, "/price BTC", None)] * (FLOOD // 10)
        sent += await client.send_messages(batch)
        await asyncio.sleep(FLOOD_SECONDS / 10)
    return sent


async def worked_off(client: EmulatorClient, flooder) -> list:
    """The bot's messages in the flooder's chat once none has come for QUIET seconds."""
    seen, still = -1, time.monotonic()
    while True:
        messages = await client.bot_messages(flooder)
        if len(messages) != seen:
            seen, still = len(messages), time.monotonic()
        elif time.monotonic() - still > QUIET:
            return messages
        await asyncio.sleep(0.5)


async def measure(client: EmulatorClient) -> dict[str, float]:
    others = [await client.add_user(f"Other{i}") for i in range(OTHERS)]
    flooder = await client.add_user("Flooder")
    await asking(client, others, 3.0)  # warm-up
    calm = await asking(client, others, PHASE)
    ask = asyncio.create_task(asking(client, others, PHASE))
    flood = await flooding(client, flooder)
    stormy = await ask
    answers = await worked_off(client, flooder)
    slow = [m for m in answers if m.text and m.text.startswith("⏳")]
    return {
        "calm_p50": 1000 * median(calm),
        "calm_p99": 1000 * percentile(calm, 0.99),
        "flood_p50": 1000 * median(stormy),
        "flood_p99": 1000 * percentile(stormy, 0.99),
        "samples": min(len(calm), len(stormy)),
        "worked_off": max(m.monotonic for m in answers) - min(m.monotonic for m in flood),
        "answers": len(answers) - len(slow),
        "slow_down": len(slow),
        "429s": len(await client.flood_violations()),
    }


async def run_stack(name: str) -> dict[str, float]:
    async with running_stack(name, env=LIMITS, flood_limits=True) as stack:
        await wait_ready(stack)
        return await measure(stack.client)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_stack_argument(parser)
    args = parser.parse_args()
    for name in chosen_stacks(args):
        print(f"{STACKS[name]}:", flush=True)
        r = asyncio.run(run_stack(name))
        print(
            f"  others' /price ({OTHERS} people, 1/s each, {r['samples']} asks a phase): "
            f"p50 {r['calm_p50']:.1f} ms, p99 {r['calm_p99']:.1f} ms without a flood; "
            f"p50 {r['flood_p50']:.1f} ms, p99 {r['flood_p99']:.1f} ms during it "
            f"(x{r['flood_p50'] / r['calm_p50']:.2f} p50, x{r['flood_p99'] / r['calm_p99']:.2f} "
            f"p99; aim <= x2)\n"
            f"  the flood ({FLOOD} messages in {FLOOD_SECONDS:.0f} s): worked off in "
            f"{r['worked_off']:.1f} s; the flooder got {r['answers']:.0f} answers and "
            f"{r['slow_down']:.0f} line(s) asking to slow down; the emulator answered "
            f"{r['429s']:.0f} sends with 429",
            flush=True,
        )


if __name__ == "__main__":
    main()
