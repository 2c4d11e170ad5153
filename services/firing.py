"""Firing alerts: in one transaction, the alert is marked fired (or its cooldown starts) and its
message goes into the outbox, or neither happens.

Two guards make a second message impossible. The outbox row's dedupe key names the alert and
the triggering event (a tick's time, a candle's open time), so the same event seen twice — a
replayed tick, a second worker process — inserts nothing the second time. And the mark is a
conditional UPDATE (still active, the fire count it was read with), so of two processes racing
on different events only one fires: the other's UPDATE matches no row and its outbox row is
deleted again in the same transaction. No savepoints: SQLite's driver handles them poorly.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.message import Firing, alert_payload, quiet_until
from db.alerts import ALERTS_VERSION, spec_of
from db.models import Alert, Asset, OutboxMessage, User
from db.outbox import OUTBOX_CHANNEL, enqueue
from services.deps import Deps
from workers.alerting.rows import ALERT_COLUMNS

log = logging.getLogger(__name__)

BATCH = 500  # candidates per transaction


@dataclass(frozen=True, slots=True)
class Candidate:
    """An alert whose condition came true on an event; firing decides whether it fires."""

    alert_id: int
    symbol: str
    trigger: str  # the event, the same text wherever and however often it is seen
    at: datetime  # when it happened
    price: Decimal
    quote: str = "USD"
    change_pct: Decimal | None = None
    change_span: str = "24h"


@dataclass(frozen=True, slots=True)
class Fired:
    alert_id: int
    waits_until: datetime | None  # a recurring alert's cooldown; None: one-shot, now 'fired'


async def fire(deps: Deps, candidates: Sequence[Candidate]) -> list[Fired]:
    """Fire what is still due of `candidates`; returns the alerts that fired here and now.

    Raises on a database failure, having fired nothing of the failed batch.
    """
    fired: list[Fired] = []
    unique = {c.alert_id: c for c in sorted(candidates, key=lambda c: c.at, reverse=True)}
    ordered = [unique[i] for i in sorted(unique)]  # one lock order for every process
    try:
        for start in range(0, len(ordered), BATCH):
            chunk = ordered[start : start + BATCH]
            async with deps.sessions.begin() as session:
                fired += await _fire_batch(session, chunk, deps.clock.now())
    finally:
        if fired:
            await deps.cache.set(ALERTS_VERSION, uuid.uuid4().hex)
            await deps.cache.publish(OUTBOX_CHANNEL, str(len(fired)))
    return fired


async def _fire_batch(
    session: AsyncSession, candidates: Sequence[Candidate], now: datetime
) -> list[Fired]:
    ids = [c.alert_id for c in candidates]
    rows = {
        row.id: row
        for row in await session.execute(
            select(*ALERT_COLUMNS, *_FIRING_COLUMNS)
            .join(Asset, Asset.id == Alert.asset_id)
            .join(User, User.id == Alert.user_id)
            .where(Alert.id.in_(ids))
        )
    }
    fired = []
    for candidate in candidates:
        row = rows.get(candidate.alert_id)
        if row is None or not _due(row, candidate, now):
            continue
        if await _fire_one(session, row, candidate, now):
            cooldown = timedelta(seconds=row.cooldown_seconds)
            fired.append(Fired(row.id, candidate.at + cooldown if row.recurring else None))
    return fired


_FIRING_COLUMNS = (
    Alert.user_id,
    Alert.chat_id,
    Alert.fire_count,
    User.timezone,
    User.quiet_start,
    User.quiet_end,
)


def _due(row: Any, candidate: Candidate, now: datetime) -> bool:
    if row.status != "active":
        return False
    if row.expires_at is not None and row.expires_at <= now:
        return False
    cooldown_over = row.last_fired_at is None or (
        row.last_fired_at.timestamp() + row.cooldown_seconds <= candidate.at.timestamp()
    )
    return not row.recurring or cooldown_over


async def _fire_one(session: AsyncSession, row: Any, candidate: Candidate, now: datetime) -> bool:
    """Outbox row first (nothing if the event already fired it), then the conditional mark."""
    try:
        spec = spec_of(row, row.symbol)
    except (KeyError, TypeError, ValueError):
        log.warning("alert %s cannot be read; not fired", row.id)
        return False
    firing = Firing(
        row.id,
        row.user_id,
        spec,
        candidate.trigger,
        candidate.at,
        candidate.price,
        candidate.quote,
        candidate.change_pct,
        candidate.change_span,
        row.fire_count + 1,
    )
    zone = _zone(row.timezone)
    quiet = quiet_until(now, zone, row.quiet_start, row.quiet_end)
    payload = alert_payload(firing, zone, quiet=quiet is not None)
    outbox_id = await enqueue(
        session, row.chat_id, "alert", payload, firing.dedupe_key, quiet or now, now
    )
    if outbox_id is None:
        return False  # this event fired it already, here or in another process
    done = not row.recurring
    marked = await session.execute(
        update(Alert)
        .where(Alert.id == row.id, Alert.status == "active", Alert.fire_count == row.fire_count)
        .values(
            status="fired" if done else "active",
            last_fired_at=candidate.at,
            fire_count=row.fire_count + 1,
            updated_at=now,
        )
    )
    if marked.rowcount != 1:  # another process fired it (or it changed) since it was read
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id == outbox_id))
        return False
    return True


def _zone(name: str | None) -> str:
    """The person's time zone; UTC for one this Python does not know, rather than no message."""
    try:
        ZoneInfo(name or "UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return "UTC"
    return name or "UTC"
