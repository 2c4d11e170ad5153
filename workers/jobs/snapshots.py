"""Daily portfolio snapshots: what each person's portfolio is worth, once a day, for /pnl's chart.

The job runs at start and then every CHECK_EVERY; each run snapshots the people with trades
who have no snapshot for today (UTC) yet. So everyone's snapshot is taken shortly after UTC
midnight (and a new trader's within CHECK_EVERY of their first trade), and a restart or a
second worker adds nothing: a snapshot is keyed by (person, day) and written as an upsert.
A snapshot holds the value at the latest prices when it was taken, holdings without a price
left out, as core's `snapshot` counts it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from core.portfolio import TradeRejected, snapshot
from db.models import PortfolioSnapshot
from db.portfolio import current_prices, load_ledger
from db.repos import trades as trade_rows
from services.deps import Deps
from workers.jobs.base import JobResult, WorkerDeps

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=10)


def day_of(moment: datetime) -> datetime:
    """The UTC midnight starting the day `moment` falls in: the key of that day's snapshot."""
    return datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)


async def due(deps: Deps, day: datetime) -> list[int]:
    """The people with trades and no snapshot for `day`."""
    async with deps.sessions() as session:
        owners = {user_id for user_id, _ in await trade_rows.owners(session)}
        done = await session.scalars(
            select(PortfolioSnapshot.user_id).where(PortfolioSnapshot.day == day)
        )
        return sorted(owners - set(done))


async def record_snapshots(deps: Deps, user_ids: Iterable[int], day: datetime) -> tuple[int, int]:
    """Value each person's ledger at the latest prices and store it as their snapshot of
    `day`, replacing one stored before; (written, refused: trades that do not replay)."""
    written = refused = 0
    for user_id in user_ids:
        async with deps.sessions() as session:
            try:
                ledger, settings = await load_ledger(session, user_id)
            except TradeRejected as exc:
                log.warning("no snapshot for user %s: %s", user_id, exc.reason)
                refused += 1
                continue
        held = [position.asset for position in ledger.holdings()]
        taken = snapshot(ledger, await current_prices(deps, held, settings.quote), day.date())
        async with deps.sessions.begin() as session:
            await trade_rows.save_snapshot(
                session, user_id, day, taken.value, taken.invested, ledger.quote or settings.quote
            )
        written += 1
    return written, refused


async def run(deps: WorkerDeps) -> JobResult:
    """Snapshot everyone with trades who has no snapshot for today (UTC) yet."""
    day = day_of(deps.clock.now())
    written, refused = await record_snapshots(deps, await due(deps, day), day)
    summary = f"{written} snapshots for {day:%Y-%m-%d}"
    if refused:
        summary += f"; {refused} people's trades do not replay"
    return JobResult(ok=not refused, summary=summary)
