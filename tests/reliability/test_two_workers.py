"""Exactly-once firing: a tick seen twice fires nothing twice, even by two workers processes.

Two `pythia workers` processes on one Postgres (+ Redis) and `pythia bot`, against the
emulator. 1,000 alerts for 50 people, half one-shot, half recurring (`every 1h`), all with
levels that one tick crosses. The test publishes that tick on the price channel — where the
ingest job publishes — and then publishes the very same tick again (a replay): both processes
match both copies, so four matchers race to fire each alert. Then a later tick crosses the same
levels again, inside the recurring alerts' cooldown. Counted in the database (alert fire counts,
outbox rows) and in the emulator (messages per alert): each alert exactly once, no process
killed so no exception for messages in flight.

tests/integration/test_alert_firing.py covers two matchers in one process, on SQLite too.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from tests.reliability.cluster import cluster, settled

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.redis]

PEOPLE, PER_PERSON = 50, 10  # of each kind


async def test_the_same_tick_in_two_workers_processes_and_replayed_fires_each_alert_once() -> None:
    async with cluster({"OUTBOX_RATE": "1000"}) as the:
        people = await the.people(PEOPLE)
        once = await the.price_alerts(people, PER_PERSON)
        every = await the.price_alerts(people, PER_PERSON, "every 1h", start=len(once))
        alerts = set(once) | set(every)
        first, second = the.start_workers(), the.start_workers()
        the.start_bot()
        await the.wait_bot_answers()
        await the.wait_workers_running(first)
        await the.wait_workers_running(second)

        at = await the.storm_tick()
        await the.storm_tick(at)  # the same tick again, as a replay would send it
        await settled(the, len(alerts), timeout=120)
        await the.storm_tick()  # a later tick, inside the recurring alerts' cooldown
        await asyncio.sleep(3)  # what it would fire has time to be written
        await settled(the, len(alerts), timeout=120)

        fired = await the.fired()
        assert {a: fired[a] for a in alerts if fired[a] != 1} == {}
        assert await the.outbox_rows() == len(alerts)
        messages = await the.wait_delivered(alerts, timeout=60)
        per_alert = Counter(alert for alert, _ in messages)
        assert set(per_alert) == alerts
        assert {a: n for a, n in per_alert.items() if n != 1} == {}
        print(
            f"\n[two workers] {len(alerts)} alerts, the tick seen 2 x 2 times and a later one: "
            f"{sum(per_alert.values())} messages, {len(per_alert)} alerts",
            flush=True,
        )
        assert first.poll() is None and second.poll() is None
