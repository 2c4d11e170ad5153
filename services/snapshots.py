"""Daily portfolio snapshots: what each person's portfolio is worth, once a day, for /pnl's chart.

A snapshot is keyed by (person, UTC day) and written as an upsert, so taking a day again
replaces it and a second worker adds nothing. It holds the value at the latest prices when it
was taken, holdings without a price left out, as core's `snapshot` counts it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from core.people import Preferences
from core.portfolio import TradeRejected, snapshot
from db.repos import people
from db.repos import trades as trade_rows
from services.deps import Deps
from services.ledgers import load_ledger
from services.prices import prices_in

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SnapshotsTaken:
    day: datetime
    written: int
    refused: int  # people whose trades do not replay


def day_of(moment: datetime) -> datetime:
    """The UTC midnight starting the day `moment` falls in: the key of that day's snapshot."""
    return datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)


async def due(deps: Deps, day: datetime) -> list[int]:
    """The people with trades and no snapshot for `day`."""
    async with deps.read() as session:
        owners = await trade_rows.owners(session)
        done = await trade_rows.snapshotted(session, day)
    return [user_id for user_id in owners if user_id not in done]


async def record_snapshots(deps: Deps, user_ids: Iterable[int], day: datetime) -> SnapshotsTaken:
    """Value each person's ledger at the latest prices and store it as their snapshot of
    `day`, replacing one stored before: one transaction per person, serialised with their
    trades, so a snapshot is of one state of their ledger."""
    written = refused = 0
    for user_id in user_ids:
        async with deps.write_for(user_id) as session:
            chosen = await people.preferences(session, user_id) or Preferences()
            try:
                ledger = await load_ledger(session, user_id, chosen)
            except TradeRejected as rejected:
                log.warning("no snapshot for user %s: %s", user_id, rejected)
                refused += 1
                continue
            held = [position.asset for position in ledger.holdings()]
            prices = await prices_in(deps, session, held, chosen.quote)
            taken = snapshot(ledger, prices, day.date())
            quote = ledger.quote or chosen.quote
            await trade_rows.save_snapshot(
                session, user_id, day, taken.value, taken.invested, quote
            )
        written += 1
    return SnapshotsTaken(day, written, refused)


async def take_snapshots(deps: Deps) -> SnapshotsTaken:
    """Snapshot everyone with trades who has no snapshot for today (UTC) yet."""
    day = day_of(deps.clock.now())
    return await record_snapshots(deps, await due(deps, day), day)
