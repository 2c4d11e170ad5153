"""Claims look at the oldest rows only, never the whole backlog, and still hand out each chat's
oldest row first: a chat with a long queue takes one claim's turn, then the others go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db import outbox
from db.outbox import LOOK_AHEAD, Queued

NOW = datetime(2026, 12, 6, 8, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def test_each_chat_gets_its_oldest_row_and_a_long_queue_waits_its_turn(
    session: AsyncSession,
) -> None:
    busy, quiet_ones = -100, range(-200, -200 - 40, -1)
    backlog = [  # one group with far more rows than a claim looks at, all of them oldest
        Queued(busy, "digest", {"n": i}, f"busy:{i}", NOW - timedelta(hours=1, seconds=-i))
        for i in range(3 * 5 * LOOK_AHEAD)
    ]
    others = [  # forty chats with two rows each, the second written first
        Queued(chat, "digest", {"n": n}, f"{chat}:{n}", NOW - timedelta(minutes=30 - n))
        for chat in quiet_ones
        for n in (1, 0)
    ]
    await outbox.enqueue_many(session, backlog + others, NOW)

    first = await outbox.claim(session, NOW, LEASE, chats=5)
    assert [(m.chat_id, m.dedupe_key) for m in first] == [(busy, "busy:0")]  # its oldest

    second = await outbox.claim(session, NOW, LEASE, chats=5)  # the busy chat is claimed
    assert [m.chat_id for m in second] == list(quiet_ones)[:5]
    assert all(m.payload == {"n": 0} for m in second)  # each chat's oldest row

    third = await outbox.claim(session, NOW, LEASE, chats=50)
    assert {m.chat_id for m in third} == set(list(quiet_ones)[5:])
    assert len(third) == 35 and all(m.payload == {"n": 0} for m in third)
