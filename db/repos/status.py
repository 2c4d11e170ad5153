"""What an operator's /status counts: the freshness of what the workers ingest, the outbox's
backlog, failed jobs, people, alerts, digests and paused chats. Reads only; each query an
aggregate the database does, so its cost does not grow with what is counted (except where
said)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import (
    Alert,
    Candle,
    Chat,
    DigestSubscription,
    JobRun,
    LatestPrice,
    Market,
    OutboxMessage,
    User,
)
from db.news import NewsCoverage, NewsFeed

BROADCAST_KIND = "broadcast"  # the outbox `kind` of a /broadcast's rows


async def latest_prices(session: AsyncSession) -> dict[str, datetime]:
    """Per exchange, the time of its newest ticker."""
    rows = await session.execute(
        select(Market.exchange, func.max(LatestPrice.ts))
        .join(LatestPrice, LatestPrice.market_id == Market.id)
        .group_by(Market.exchange)
    )
    return {exchange: ts for exchange, ts in rows if ts is not None}


async def latest_candles(session: AsyncSession, timeframe: str) -> dict[str, datetime]:
    """Per exchange, the open time of its newest `timeframe` candle: one index lookup per
    market (the newest of each market's candles), not a scan of the candles."""
    newest = (
        select(func.max(Candle.ts))
        .where(Candle.market_id == Market.id, Candle.timeframe == timeframe)
        .correlate(Market)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Market.exchange, func.max(newest)).where(Market.active).group_by(Market.exchange)
    )
    return {exchange: ts for exchange, ts in rows if ts is not None}


async def feeds(session: AsyncSession) -> list[Any]:
    """Each feed's publisher, last good fetch, failures in a row and last error."""
    rows = await session.execute(
        select(
            NewsFeed.publisher, NewsFeed.last_ok_at, NewsFeed.failures, NewsFeed.last_error
        ).order_by(NewsFeed.publisher)
    )
    return list(rows.all())


async def latest_articles(session: AsyncSession) -> dict[str, datetime]:
    """Per publisher, when its newest item was published (grows with the news kept, which
    housekeeping bounds)."""
    rows = await session.execute(
        select(NewsCoverage.publisher, func.max(NewsCoverage.published_at)).group_by(
            NewsCoverage.publisher
        )
    )
    return {publisher: ts for publisher, ts in rows if ts is not None}


async def workers_seen(session: AsyncSession, since: datetime) -> dict[str, datetime]:
    """Per worker process, when it last finished a job (since `since`)."""
    rows = await session.execute(
        select(JobRun.worker, func.max(JobRun.finished_at))
        .where(JobRun.started_at >= since)
        .group_by(JobRun.worker)
    )
    return {worker: ts for worker, ts in rows if ts is not None}


async def failed_jobs(
    session: AsyncSession, since: datetime
) -> list[tuple[str, int, str, datetime]]:
    """Per job that failed since `since`: how often, its last failure's summary and time."""
    counts = await session.execute(
        select(JobRun.job, func.count(), func.max(JobRun.id))
        .where(JobRun.started_at >= since, JobRun.ok.is_(False))
        .group_by(JobRun.job)
    )
    found = {job: (count, last) for job, count, last in counts}
    if not found:
        return []
    last_runs = await session.execute(
        select(JobRun.id, JobRun.summary, JobRun.started_at).where(
            JobRun.id.in_([last for _, last in found.values()])
        )
    )
    said = {row.id: (row.summary or "", row.started_at) for row in last_runs}
    return sorted((job, count, *said[last]) for job, (count, last) in found.items() if last in said)


async def outbox_backlog(session: AsyncSession, now: datetime) -> tuple[int, int, datetime | None]:
    """Rows waiting to be sent; of them, those due by `now` (not held for later, as a digest's
    next slot or quiet hours hold theirs), and since when the longest-waiting one was due."""
    row = OutboxMessage
    found = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(row.not_before <= now),
                func.min(row.not_before),
            ).where(row.status == "pending")
        )
    ).one()
    oldest = found[2] if found[2] is not None and found[2] <= now else None
    return int(found[0]), int(found[1]), oldest


async def outbox_settled(session: AsyncSession, since: datetime) -> tuple[int, int]:
    """Of the rows due since `since`: how many failed, and how many were sent but Telegram's
    answer was lost (maybe sent: never sent again). By due time, which the (status, due)
    index serves: the outbox keeps every row sent, and a scan of them would grow forever."""
    row = OutboxMessage
    failed = await session.scalar(
        select(func.count()).where(row.status == "failed", row.not_before >= since)
    )
    maybe = await session.scalar(
        select(func.count()).where(
            row.status == "sent",
            row.not_before >= since,
            row.telegram_message_id.is_(None),
            row.last_error.is_not(None),
        )
    )
    return int(failed or 0), int(maybe or 0)


async def people(session: AsyncSession, day: datetime, week: datetime) -> tuple[int, int, int, int]:
    """People: all, seen since `day`, seen since `week`, who blocked the bot."""
    row = (
        await session.execute(
            select(
                func.count(),
                func.count().filter(User.last_seen_at >= day),
                func.count().filter(User.last_seen_at >= week),
                func.count().filter(User.blocked_at.is_not(None)),
            ).select_from(User)
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


async def active_alerts(session: AsyncSession) -> dict[str, int]:
    """Active alerts by kind."""
    rows = await session.execute(
        select(Alert.kind, func.count()).where(Alert.status == "active").group_by(Alert.kind)
    )
    return {kind: int(count) for kind, count in rows}


async def digests(session: AsyncSession, soon: datetime, late: datetime) -> tuple[int, int, int]:
    """Active digests; how many of them are due before `soon`; how many were due before
    `late` and are still waiting (the digests job posts what is due every minute)."""
    due = DigestSubscription.next_run_at
    row = (
        await session.execute(
            select(
                func.count(), func.count().filter(due <= soon), func.count().filter(due < late)
            ).where(DigestSubscription.active)
        )
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


async def paused_chats(session: AsyncSession) -> dict[str, int]:
    """Chats Pythia no longer posts in, by why ('removed', 'unlinked')."""
    rows = await session.execute(
        select(Chat.paused_reason, func.count())
        .where(Chat.paused_reason.is_not(None))
        .group_by(Chat.paused_reason)
    )
    return {str(reason): int(count) for reason, count in rows}


def audience() -> Any:
    """The people a broadcast reaches: a private chat Pythia is still in, with a person who
    has not blocked it."""
    return (
        select(User.id)
        .join(Chat, Chat.id == User.id)
        .where(Chat.type == "private", Chat.active, User.blocked_at.is_(None))
    )


async def audience_size(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(audience().subquery())) or 0)


async def audience_ids(session: AsyncSession) -> list[int]:
    return list(await session.scalars(audience().order_by(User.id)))


async def broadcasts(
    session: AsyncSession, since: datetime, limit: int = 3
) -> list[tuple[str, datetime, dict[str, int]]]:
    """The newest broadcasts sent out since `since` (at most `limit`): id, when, and their
    rows by status (found through the (status, due) index: a broadcast's rows are due when
    it is sent)."""
    row = OutboxMessage
    rows = (
        select(
            row.payload[("notice", "broadcast_id")].as_string().label("id"),
            row.created_at,
            row.status,
        )
        .where(
            row.status.in_(("pending", "sent", "failed")),  # every row: so the index serves
            row.not_before >= since,
            row.kind == BROADCAST_KIND,
        )
        .subquery()
    )  # grouped outside: Postgres sees the JSON path of a GROUP BY as a new parameter
    counted = await session.execute(
        select(rows.c.id, rows.c.status, func.count(), func.min(rows.c.created_at)).group_by(
            rows.c.id, rows.c.status
        )
    )
    found: dict[str, tuple[datetime, dict[str, int]]] = {}
    for key, status, count, at in counted:
        first, by_status = found.setdefault(str(key), (at, {}))
        by_status[str(status)] = int(count)
        found[str(key)] = (min(first, at), by_status)
    newest = sorted(found.items(), key=lambda item: item[1][0], reverse=True)[:limit]
    return [(key, at, by_status) for key, (at, by_status) in newest]
