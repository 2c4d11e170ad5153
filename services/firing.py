"""Firing alerts: in one transaction, the alert is marked fired (or its cooldown starts) and its
notice (`core.notices.AlertFired`: the facts, which the bot says in the recipient's language
when it sends) goes into the outbox, or neither happens.

Two guards make a second message impossible. The outbox row's dedupe key names the alert and
the triggering event (a tick's time, a candle's open time), so the same event seen twice — a
replayed tick, a second worker process — inserts nothing the second time. And the mark is a
conditional UPDATE (still active, the fire count it was read with), so of two processes racing
on different events only one fires: the other's UPDATE matches no row and its outbox row is
deleted again in the same transaction. No savepoints: SQLite's driver handles them poorly.

A notice carries stories of its coin (`core.alerts.news.shown_stories`: a price alert's latest,
a sentiment alert's strongest, a burst's own), read in the same transaction by one query per
batch for every coin in it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.news import CoinStory, shown_stories, story_span
from core.alerts.storage import condition_of
from core.alerts.watched import readable_spec
from core.notices import AlertFired, ForecastRecord, Headline, to_payload
from core.quiet_hours import quiet_until
from db import outbox
from db.repos import alert_news
from db.repos import alerts as alert_rows
from services.alerts import alerts_changed
from services.deps import Deps

log = logging.getLogger(__name__)

BATCH = 500  # candidates per transaction
DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An alert whose condition came true on an event; firing decides whether it fires."""

    alert_id: int
    symbol: str
    trigger: str  # the event, the same text wherever and however often it is seen
    at: datetime  # when it happened
    price: Decimal | None  # None: no price known (a news alert)
    quote: str = "USD"
    change_pct: Decimal | None = None
    change_window: timedelta | None = DAY  # what change_pct is measured over
    value: Decimal | None = None  # a news alert's: the sentiment index, or the stories counted
    stories: tuple[int, ...] = ()  # a burst's stories
    record: ForecastRecord | None = None  # a forecast alert's: the served forecasts' record


@dataclass(frozen=True, slots=True)
class Fired:
    alert_id: int
    waits_until: datetime | None  # a recurring alert's cooldown; None: one-shot, now 'fired'


def dedupe_key(alert_id: int, trigger: str) -> str:
    """One outbox row per alert and event, whoever sees the event and however often."""
    return f"alert:{alert_id}:{trigger}"


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
            async with deps.write() as session:
                assets = (await deps.directory_in(session)).ids
                fired += await _fire_batch(session, chunk, deps.clock.now(), assets)
    finally:
        if fired:
            await alerts_changed(deps.cache)
            await deps.cache.publish(outbox.OUTBOX_CHANNEL, str(len(fired)))
    return fired


async def _fire_batch(
    session: AsyncSession,
    candidates: Sequence[Candidate],
    now: datetime,
    assets: Mapping[str, int],
) -> list[Fired]:
    rows = await alert_rows.for_firing(session, [c.alert_id for c in candidates])
    due = [(rows[c.alert_id], c) for c in candidates if c.alert_id in rows]
    due = [(row, c) for row, c in due if _due(row, c, now)]
    stories = await _stories(session, due, now, assets)
    fired = []
    for row, candidate in due:
        if await _fire_one(session, row, candidate, now, stories.get(candidate.symbol, [])):
            cooldown = timedelta(seconds=row.cooldown_seconds)
            fired.append(Fired(row.id, candidate.at + cooldown if row.recurring else None))
    return fired


def _due(row: Any, candidate: Candidate, now: datetime) -> bool:
    if row.status != "active":
        return False
    if row.expires_at is not None and row.expires_at <= now:
        return False
    cooldown_over = row.last_fired_at is None or (
        row.last_fired_at.timestamp() + row.cooldown_seconds <= candidate.at.timestamp()
    )
    return not row.recurring or cooldown_over


async def _stories(
    session: AsyncSession,
    due: Sequence[tuple[Any, Candidate]],
    now: datetime,
    assets: Mapping[str, int],
) -> dict[str, list[CoinStory]]:
    """The stories of the coins of the alerts due, by symbol: one query, reaching as far back
    as the furthest of them needs."""
    specs = [(readable_spec(row), c) for row, c in due]
    spans = [c.at - story_span(spec.condition) for spec, c in specs if spec is not None]
    ids = {assets[c.symbol]: c.symbol for _, c in due if c.symbol in assets}
    if not spans or not ids:
        return {}
    found = await alert_news.tagged_stories(session, list(ids), min(spans), now)
    by_symbol: dict[str, list[CoinStory]] = {}
    for story in found:
        by_symbol.setdefault(ids[story.asset_id], []).append(story)
    return by_symbol


def _headline(story: CoinStory) -> Headline:
    return Headline(
        title=story.title,
        url=story.url,
        source=story.source,
        published_at=story.published_at,
        sentiment=story.sentiment,
        publishers=story.publishers,
    )


async def _fire_one(
    session: AsyncSession,
    row: Any,
    candidate: Candidate,
    now: datetime,
    stories: Sequence[CoinStory],
) -> bool:
    """Outbox row first (nothing if the event already fired it), then the conditional mark."""
    spec = readable_spec(row)
    if spec is None:
        log.warning("alert %s cannot be read; not fired", row.id)
        return False
    shown = shown_stories(spec.condition, candidate.at, stories, candidate.stories)
    quiet = None  # a group's alert posts when it fires: its admin's quiet hours are theirs
    if row.chat_id == row.user_id:  # the person's own, in their private chat
        quiet = quiet_until(now, row.timezone, row.quiet_start, row.quiet_end)
    notice = AlertFired(
        alert_id=row.id,
        user_id=row.user_id,
        condition=condition_of(spec),
        at=candidate.at,
        price=candidate.price,
        quote=candidate.quote,
        change_pct=candidate.change_pct,
        change_window=candidate.change_window,
        fire_count=row.fire_count + 1,
        quiet=quiet is not None,
        headlines=tuple(_headline(story) for story in shown),
        value=candidate.value,
        record=candidate.record,
        thread_id=row.thread_id,
    )
    key = dedupe_key(row.id, candidate.trigger)
    outbox_id = await outbox.enqueue(
        session, row.chat_id, "alert", to_payload(notice), key, quiet or now, now
    )
    if outbox_id is None:
        return False  # this event fired it already, here or in another process
    done = not row.recurring
    if not await alert_rows.mark_fired(session, row.id, row.fire_count, done, candidate.at, now):
        await outbox.withdraw(session, outbox_id)  # another process fired it (or it changed)
        return False
    return True
