"""Exactly-once delivery: an alert storm survives SIGKILLs and a Postgres restart.

10,000 one-shot price alerts (25 each for 400 people) whose levels one tick crosses, with
`pythia workers` and `pythia bot` running as real processes on Postgres + Redis against the
emulator. Counted in the emulator, by the alert each message's Pause button names: every alert
arrives, and none twice, except the messages in flight at the instant the bot was killed (sent
to Telegram, not yet marked sent: the sender's documented window). Those are counted, printed
and bounded by the sender's in-flight limit.

Speed: the emulator runs without flood limits and the sender with OUTBOX_RATE=1000 (it still
keeps one message a second per person, so 400 people take at least 25 s). At Telegram's 30 a
second the storm alone would take over five minutes; what is tested here (nothing lost, nothing
doubled) does not depend on the rate, and the pacing itself is tested against the emulator's
limits in tests/integration/test_outbox_sender.py and bench/bench_delivery.py.

Ticks enter the workers as the ingest job's do: published on the cache's price channel
(a low price then a high one, every half second, as a live market keeps ticking: what a killed
workers process did not fire, the next tick after its restart fires).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.delivery.sender import IN_FLIGHT
from tests.reliability.cluster import Cluster, cluster, settled

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.redis]

PEOPLE, PER_PERSON = 400, 25
ALERTS = PEOPLE * PER_PERSON
FAST = {"OUTBOX_RATE": "1000"}
PATIENCE = 300.0  # seconds for the whole storm; a killed bot's claims wait out their lease


async def until(check, timeout: float = 120.0, every: float = 0.02):
    """Until `await check()` returns something truthy; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if got := await check():
            return got
        await asyncio.sleep(every)
    raise TimeoutError(f"{check} never came true")


async def started(the: Cluster) -> tuple[set[int], subprocess.Popen[bytes]]:
    """People, alerts, workers and bot up; returns the alert ids and the workers process."""
    people = await the.people(PEOPLE)
    alerts = set(await the.price_alerts(people, PER_PERSON))
    workers = the.start_workers()
    the.start_bot()
    await the.wait_bot_answers()
    await the.wait_workers_running(workers)
    return alerts, workers


def report(title: str, figures: dict[str, object]) -> None:
    print(f"\n[storm] {title}: " + ", ".join(f"{k} {v}" for k, v in figures.items()), flush=True)


async def delivered_once(the: Cluster, alerts: set[int]) -> tuple[Counter[int], int]:
    """Everything settled: each alert fired once, one outbox row each, and the count of each
    alert's messages in the emulator; returns that count and the duplicates."""
    await settled(the, ALERTS, PATIENCE)
    messages = await the.wait_delivered(alerts, 60)
    per_alert = Counter(alert for alert, _ in messages)
    assert set(per_alert) == alerts, f"{len(alerts - set(per_alert))} alerts never arrived"
    fired = await the.fired()
    assert {a for a in alerts if fired[a] != 1} == set()  # each fired exactly once
    assert await the.outbox_rows() == ALERTS  # one message each in the outbox
    return per_alert, sum(n - 1 for n in per_alert.values())


async def test_storm_with_workers_killed_while_firing_and_bot_killed_while_sending() -> None:
    async with cluster(FAST) as the:
        alerts, workers = await started(the)
        begun = time.monotonic()
        async with the.ticking():
            # the workers die as soon as the first firing batch has committed
            await until(the.outbox_rows)
            the.kill(workers)
            rows_at_kill = await the.outbox_rows()
            the.start_workers()
            # the bot dies with 3,000 messages delivered (and the rest queued or in flight)
            await the.client.bot_messages_since(0.0, 3_000, timeout=120)
            the.kill(the.bot)
            bot_killed_at = time.monotonic()
            the.start_bot()
            per_alert, duplicates = await delivered_once(the, alerts)
        messages = await the.alert_messages()
        doubled = {a for a, n in per_alert.items() if n > 1}
        first_sent = {a: m.monotonic for a, m in reversed(messages)}
        report(
            "workers and bot SIGKILLed",
            {
                "alerts": ALERTS,
                "outbox rows when the workers were killed": rows_at_kill,
                "delivered": len(per_alert),
                "messages": len(messages),
                "duplicates": duplicates,
                "duplicates first sent within (s) before the bot's kill": max(
                    (round(bot_killed_at - first_sent[a], 3) for a in doubled), default="-"
                ),
                "seconds": round(time.monotonic() - begun, 1),
            },
        )
        assert duplicates <= IN_FLIGHT  # one kill of the bot: its sends in flight at most
        # a doubled message was one the killed bot had sent just before it died
        assert all(first_sent[a] <= bot_killed_at for a in doubled)


def _others_use_postgres() -> list[str]:
    """pytest runs on this machine other than this one (and its parents)."""
    mine, pid = set(), os.getpid()
    while pid > 1:
        mine.add(pid)
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        pid = int(stat[1])
    found = subprocess.run(["pgrep", "-af", "pytest"], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if int(line.split()[0]) not in mine]


async def no_one_else_on_postgres(patience: float = 300) -> None:
    """Wait (a few minutes at most) until no one else's tests run on this machine: a Postgres
    restart would break them."""
    deadline = time.monotonic() + patience
    others = _others_use_postgres()
    while others and time.monotonic() < deadline:
        await asyncio.sleep(2)
        others = _others_use_postgres()
    if others:
        pytest.fail(f"other tests use Postgres; not restarting it under them: {others}")


def restart_postgres() -> None:
    """Restart the machine's Postgres (pg_ctlcluster, as root on the CI machine)."""
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[0]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    subprocess.run(command, check=True, capture_output=True)


async def test_storm_with_postgres_restarted_while_delivering() -> None:
    await no_one_else_on_postgres()
    async with cluster(FAST) as the:
        alerts, _ = await started(the)
        begun = time.monotonic()
        async with the.ticking():
            await the.client.bot_messages_since(0.0, 3_000, timeout=120)
            await no_one_else_on_postgres()
            delivered_before = len({a for a, _ in await the.alert_messages()})
            restart_began = time.monotonic()
            await asyncio.to_thread(restart_postgres)
            restart_took = time.monotonic() - restart_began
            per_alert, duplicates = await delivered_once(the, alerts)
        report(
            "Postgres restarted",
            {
                "alerts": ALERTS,
                "delivered before the restart": delivered_before,
                "delivered": len(per_alert),
                "duplicates": duplicates,
                "restart (s)": round(restart_took, 1),
                "seconds": round(time.monotonic() - begun, 1),
            },
        )
        assert duplicates <= IN_FLIGHT
