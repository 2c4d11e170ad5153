"""Posting the digests that are due (the digests job, every minute): claimed in batches, one
transaction each; digests asking for the same sections and coins are composed once from one
read of the inputs (services.digest_inputs; read again only for the coins or sections a later
batch adds) and each gets its outbox row (notice `DigestPosted`, one per digest and slot).
Its next run is the first slot after *now*, so a digest that missed several slots (downtime,
a chat Pythia could not post to) posts once, late, not a burst. Chats Pythia may not post to
are not claimed at all."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.digest.compose import compose
from core.digest.facts import DigestFacts
from core.digest.inputs import DigestInputs
from core.digest.registry import ordered
from core.digest.schedule import Schedule, next_run
from core.notices import DigestPosted
from core.refusal import BadArgument
from db import outbox
from db.repos import digests as rows
from services.deps import Deps
from services.digest_inputs import gather

log = logging.getLogger(__name__)

BATCH = 500  # digests claimed per transaction
OUTBOX_KIND = DigestPosted.TYPE
CATCH_UP = timedelta(days=9)  # how far back a late daily or weekly digest's slot is looked for


@dataclass(frozen=True, slots=True)
class Posted:
    """One post_due: digests claimed, compositions made (one per distinct sections and coins),
    outbox rows written, claimed digests not posted (an unreadable schedule, a slot queued)."""

    claimed: int = 0
    groups: int = 0
    posted: int = 0
    skipped: int = 0

    def __add__(self, other: Posted) -> Posted:
        return Posted(
            self.claimed + other.claimed,
            self.groups + other.groups,
            self.posted + other.posted,
            self.skipped + other.skipped,
        )


Key = tuple[tuple[str, ...], tuple[str, ...]]  # a digest's (sections, coins)


@dataclass
class _Read:
    """What one post_due has read and composed, reused by its later batches: inputs are read
    again only for sections or coins not read yet."""

    sections: frozenset[str] = frozenset()
    coins: frozenset[str] = frozenset()
    inputs: DigestInputs | None = None
    composed: dict[Key, tuple[DigestFacts, dict[str, Any]]] = field(default_factory=dict)

    async def inputs_for(
        self, deps: Deps, sections: frozenset[str], coins: frozenset[str], now: datetime
    ) -> DigestInputs:
        if self.inputs is None or not (sections <= self.sections and coins <= self.coins):
            self.sections, self.coins = self.sections | sections, self.coins | coins
            self.inputs = await gather(deps, ordered(self.sections), sorted(self.coins), now)
            self.composed.clear()
        return self.inputs


async def post_due(deps: Deps, now: datetime | None = None, batch: int = BATCH) -> Posted:
    """Post every digest due at `now` (default: the clock's) in chats Pythia may post to."""
    now = now or deps.clock.now()
    total, read = Posted(), _Read()
    while True:
        async with deps.write() as session:
            due = await rows.claim_due(session, now, batch)
            if due:
                total += await _post(deps, session, due, now, read)
        if len(due) < batch:
            break
    if total.posted:
        await deps.cache.publish(outbox.OUTBOX_CHANNEL, str(total.posted))
    return total


async def _post(
    deps: Deps, session: AsyncSession, due: list[rows.Due], now: datetime, read: _Read
) -> Posted:
    """One batch: each distinct (sections, coins) composed once (in this run), from one read
    of the inputs."""
    alike: dict[Key, list[rows.Due]] = {}
    for digest in due:
        alike.setdefault((ordered(digest.sections), digest.coins), []).append(digest)
    sections = frozenset(s for key in alike for s in key[0])
    coins = frozenset(c for key in alike for c in key[1])
    inputs = await read.inputs_for(deps, sections, coins, now)
    changes: dict[int, dict[str, Any]] = {}
    queued: list[outbox.Queued] = []
    composed = 0
    for key, digests in alike.items():
        if key not in read.composed:
            made = compose(inputs, key[0], key[1], now)
            read.composed[key] = (made, made.model_dump(mode="json"))  # dumped once for all
            composed += 1
        facts, shared = read.composed[key]
        for digest in digests:
            try:
                schedule = Schedule.from_text(digest.schedule)
            except BadArgument:
                log.warning("digest %s has no schedule it can read: %r", digest.id, digest.schedule)
                changes[digest.id] = {"next_run_at": None}
                continue
            slot = _slot(schedule, digest.timezone, digest.next_run_at, now)
            notice = DigestPosted(
                digest_id=digest.id,
                thread_id=digest.thread_id,
                slot=slot,
                schedule=schedule.text,
                facts=facts,
            )
            payload = payload_of(notice, shared)
            unique = dedupe_key(digest.id, slot)
            queued.append(outbox.Queued(digest.chat_id, OUTBOX_KIND, payload, unique, now))
            changes[digest.id] = {
                "last_sent_at": slot,
                "next_run_at": next_run(schedule, digest.timezone, now),
            }
    posted = len(await outbox.enqueue_many(session, queued, now))
    await rows.set_next_runs(session, changes)
    return Posted(len(due), composed, posted, len(due) - posted)


def payload_of(notice: DigestPosted, facts: dict[str, Any]) -> dict[str, Any]:
    """`to_payload(notice)` with its facts dumped already (`facts`, shared by the group)."""
    own = notice.model_dump(mode="json", exclude={"facts"})
    return {"quiet": False, "notice": {**own, "facts": facts}}


def _slot(schedule: Schedule, zone: str, due: datetime, now: datetime) -> datetime:
    """The slot a due digest posts for: the latest of its slots up to `now` (after downtime,
    the one just missed, not the first), else the one it was due at."""
    back = timedelta(hours=schedule.every_hours or 1) if schedule.kind == "every" else CATCH_UP
    slot, after = due, max(due, now - back) - timedelta(microseconds=1)
    while (upcoming := next_run(schedule, zone, after)) <= now:
        slot = after = upcoming
    return slot


def dedupe_key(digest_id: int, slot: datetime) -> str:
    """One outbox row per digest and slot, however often or wherever the job runs."""
    return f"digest:{digest_id}:{slot:%Y%m%d%H%M}"
