"""SIGTERM to `pythia bot` while a handler is in flight and the outbox holds a backlog: the
reply goes out, the claimed rows not sent are handed back at once (not after their 60 s lease),
the process exits 0 within ten seconds, and a second bot process sends the rest, each row once.

The handler in flight: Telegram (the emulator) holds the answer to its reply for three seconds,
so the handler is still running when the signal lands. The backlog: one finished-text row for
each of 40 people at OUTBOX_RATE=2, so the sender holds up to 30 chats' rows claimed while it
sends two a second.

tests/e2e/test_graceful_stop.py covers a handler that never ends (cut at the deadline).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from db.models import OutboxMessage
from db.outbox import OUTBOX_CHANNEL, enqueue
from tests.reliability.cluster import Cluster, cluster

pytestmark = [pytest.mark.reliability, pytest.mark.postgres, pytest.mark.redis]

PEOPLE = 40
HELD = 3.0  # seconds Telegram holds the answer to the handler's reply


async def backlog_counts(the: Cluster) -> tuple[int, int, int]:
    """(sent, pending and claimed, pending unclaimed) backlog rows."""
    now = datetime.now(UTC)
    row = OutboxMessage
    async with the.deps.sessions() as session:
        sent = await session.scalar(
            select(func.count()).where(row.kind == "backlog", row.status == "sent")
        )
        claimed = await session.scalar(
            select(func.count()).where(
                row.kind == "backlog", row.status == "pending", row.claimed_until > now
            )
        )
        free = await session.scalar(
            select(func.count()).where(
                row.kind == "backlog", row.status == "pending", row.claimed_until.is_(None)
            )
        )
    return sent or 0, claimed or 0, free or 0


async def test_sigterm_finishes_the_reply_hands_back_the_claims_and_exits_0_within_10s() -> None:
    async with cluster({"OUTBOX_RATE": "2"}) as the:
        people = await the.people(PEOPLE)
        first = the.start_bot()
        await the.wait_bot_answers()
        now = datetime.now(UTC)
        async with the.deps.sessions.begin() as session:
            for n, person in enumerate(people):
                text = {"text": f"backlog {n}"}
                await enqueue(session, person, "backlog", text, f"backlog:{n}", now, now)
        await the.deps.cache.publish(OUTBOX_CHANNEL, "1")
        deadline = time.monotonic() + 30
        while (counts := await backlog_counts(the))[0] < 3 or counts[1] < 10:
            assert time.monotonic() < deadline, f"the sender never got going: {counts}"
            await asyncio.sleep(0.2)

        asker = await the.client.add_user("Asker")
        await the.client.fail_next("sendMessage", chat=asker, mode="timeout_after", hold=HELD)
        asked = await the.client.send_message(asker, "/help")
        [reply] = await the.client.wait_for_bot_messages(asker, after=asked, timeout=15)
        _, claimed, _ = await backlog_counts(the)  # the reply's answer is held: in flight
        started = time.monotonic()
        first.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(first.wait, 20)
        took = time.monotonic() - started
        sent, still_claimed, handed_back = await backlog_counts(the)
        assert code == 0
        assert took < 10
        assert took >= HELD - 1  # it did wait for the handler (its reply's answer)
        assert still_claimed == 0
        assert sent + handed_back == PEOPLE
        calls = [c for c in await the.client.calls() if c.method == "sendMessage"]
        assert any(c.fault == "timeout_after" for c in calls)  # the held reply was the one

        the.bot = the._start("bot", "bot", {"OUTBOX_RATE": "30"})  # the rest, quickly
        deadline = time.monotonic() + 60
        while (await backlog_counts(the))[0] < PEOPLE:
            assert time.monotonic() < deadline, await backlog_counts(the)
            the.check_alive()
            await asyncio.sleep(0.5)
        texts = Counter(
            m.text for m in await the.client.bot_messages_since(0.0, 0, timeout=30)
            if (m.text or "").startswith("backlog ")
        )  # fmt: skip
        assert texts == Counter({f"backlog {n}": 1 for n in range(PEOPLE)})
        print(
            f"\n[graceful stop] SIGTERM with a reply in flight ({HELD:.0f} s held) and {claimed} "
            f"rows claimed: exit {code} in {took:.2f} s; after it {sent} sent, 0 claimed, "
            f"{handed_back} pending and free to claim (the claimed ones handed back); the "
            f"second process sent those {PEOPLE - sent}, each of the {PEOPLE} once",
            flush=True,
        )
        assert reply.text


async def test_sigterm_stops_pythia_workers_and_pythia_run_within_10s_locks_released() -> None:
    """`pythia workers` (jobs on a schedule, the matcher listening) and `pythia run` (bot and
    workers in one process, on the replay market) each exit 0 within ten seconds of SIGTERM,
    leaving no singleton lock held in Redis."""
    async with cluster() as the:
        workers = the.start_workers()
        await the.wait_workers_running(workers)
        run = the._start("run", "run", {"MARKET_SOURCE": "replay", "REPLAY_SPEED": "60"})
        the.workers.append(run)  # stopped by the cluster if the test fails first
        await the.wait_bot_answers()
        took = {}
        for name, proc in (("workers", workers), ("run", run)):
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(proc.wait, 20)
            took[name] = time.monotonic() - started
            assert code == 0, name
            assert took[name] < 10, took
        from redis.asyncio import Redis

        from tests.reliability.cluster import REL_REDIS_URL

        redis = Redis.from_url(REL_REDIS_URL)
        try:
            assert await redis.keys("lock:*") == []
        finally:
            await redis.aclose()
        print(
            f"\n[graceful stop] SIGTERM: pythia workers exit 0 in {took['workers']:.2f} s, "
            f"pythia run in {took['run']:.2f} s; no lock left in Redis",
            flush=True,
        )
