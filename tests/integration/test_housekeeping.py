"""Housekeeping deletes what is past its use — 1m candles beyond their retention, old job
runs, pending actions long expired, the files of models that no longer serve — and nothing
else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.market import Candle
from core.settings import Settings
from db.candles import save_candles
from db.models import Candle as CandleRow
from db.models import JobRun, PendingAction
from db.repos import job_runs, pending
from db.repos.assets import ensure_market
from services.deps import build_deps, close_deps
from workers.jobs import housekeeping
from workers.jobs.base import WorkerDeps

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    settings = Settings(_env_file=None, database_url=db_url, symbols=["BTC"], keep_1m_days=7)
    base = await build_deps(settings, FixedClock(NOW))
    yield WorkerDeps.of(base)
    await close_deps(base)


def flat(ts: datetime) -> Candle:
    one = Decimal("1.5")
    return Candle(ts, one, one, one, one, one)


async def test_old_minute_candles_are_pruned_hourly_ones_kept(deps: WorkerDeps) -> None:
    async with deps.write() as session:
        market_id = await ensure_market(session, "replay", "BTC/USDT", "BTC", "USDT", NOW)
        minutes = [flat(NOW - 8 * DAY), flat(NOW - 6 * DAY)]
        await save_candles(session, market_id, "1m", minutes)
        await save_candles(session, market_id, "1h", [flat(NOW - 400 * DAY)])
    result = await housekeeping.run(deps)
    assert result.ok and "1 1m candles" in result.summary
    async with deps.read() as session:
        counts = dict(
            (
                await session.execute(
                    select(CandleRow.timeframe, func.count()).group_by(CandleRow.timeframe)
                )
            ).all()
        )
    assert counts == {"1m": 1, "1h": 1}


async def test_job_runs_are_kept_three_days(deps: WorkerDeps) -> None:
    async with deps.write() as session:
        for age in (4 * DAY, 2 * DAY, HOUR):
            started = NOW - age
            await job_runs.add(session, "ingest_prices", "w", started, started, True, "ok")
    await housekeeping.run(deps)
    async with deps.read() as session:
        kept = await session.scalars(select(JobRun.started_at).order_by(JobRun.started_at))
        assert list(kept) == [NOW - 2 * DAY, NOW - HOUR]


async def test_pending_actions_expired_over_a_day_ago_are_forgotten(deps: WorkerDeps) -> None:
    """A Confirm pressed soon after its action expired still finds it (and says "expired");
    a day later nobody will press it."""
    expiries = {
        "long-expired": NOW - 2 * DAY,
        "just-expired": NOW - HOUR,
        "waiting": NOW + 5 * MINUTE,
    }
    async with deps.write() as session:
        for token, expires_at in expiries.items():
            created = expires_at - 10 * MINUTE
            await pending.add(session, token, 7, "buy", {"asset": "BTC"}, created, expires_at)
    result = await housekeeping.run(deps)
    assert "1 pending actions" in result.summary
    async with deps.read() as session:
        kept = await session.scalars(select(PendingAction.token).order_by(PendingAction.token))
        assert list(kept) == ["just-expired", "waiting"]


async def test_settled_outbox_rows_are_kept_a_week_pending_ones_always(deps: WorkerDeps) -> None:
    from sqlalchemy import update

    from db import outbox
    from db.models import OutboxMessage

    rows = {  # key: (written how long ago, status)
        "old-sent": (8 * DAY, "sent"),
        "old-failed": (8 * DAY, "failed"),
        "old-pending": (30 * DAY, "pending"),  # somebody's message, however late
        "recent-sent": (6 * DAY, "sent"),
    }
    async with deps.write() as session:
        for key, (age, status) in rows.items():
            written = NOW - age
            row_id = await outbox.enqueue(
                session, 42, "alert", {"text": key}, key, written, written
            )
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(status=status)
            )
    result = await housekeeping.run(deps)
    assert "2 settled outbox rows" in result.summary
    async with deps.read() as session:
        kept = await session.scalars(select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id))
        assert list(kept) == ["old-pending", "recent-sent"]


async def test_news_pushes_are_kept_a_week(deps: WorkerDeps) -> None:
    """The per-day cap looks back 24 h and a story is pushed only while fresh (hours): a row
    older than a week guards nothing, and there is one per person per story pushed."""
    from core.people import ChatSeen, PersonSeen
    from db.models import NewsPush
    from db.news import NewsArticle
    from db.repos.people import register

    async with deps.write() as session:
        await register(session, PersonSeen(7, "Ann"), ChatSeen(7, "private"), NOW)
        stories = [
            NewsArticle(
                source="feed", url=f"https://example.com/{age}", title=f"story {age}",
                title_key=f"story {age}", published_at=NOW - age, fetched_at=NOW - age,
            )
            for age in (8 * DAY, 6 * DAY, HOUR)
        ]  # fmt: skip
        session.add_all(stories)
        await session.flush()
        session.add_all(
            NewsPush(user_id=7, article_id=s.id, pushed_at=s.published_at) for s in stories
        )
    result = await housekeeping.run(deps)
    assert result.summary.endswith("1 news pushes, 0 model files")
    async with deps.read() as session:
        kept = await session.scalars(select(NewsPush.pushed_at).order_by(NewsPush.pushed_at))
        assert list(kept) == [NOW - 6 * DAY, NOW - HOUR]
        assert await session.scalar(select(func.count()).select_from(NewsArticle)) == 3


async def test_model_files_are_kept_while_they_serve_or_are_newest_or_a_month(
    deps: WorkerDeps,
) -> None:
    """The rows stay (version, metrics, and what predictions point at); a file goes once no
    forecast, backtest or comparison reads it: not the champion, not its coin and horizon's
    newest (it serves the base rate when none is champion), trained over a month ago."""
    from db.models import Asset, ModelVersion
    from db.repos import model_registry
    from db.repos.assets import ensure_assets

    async with deps.write() as session:
        await ensure_assets(session, ["BTC", "ETH"], NOW)
        ids = dict((await session.execute(select(Asset.symbol, Asset.id))).tuples().all())
        btc, eth = ids["BTC"], ids["ETH"]
        made = [  # (asset, horizon, version, status, age)
            (btc, "1h", 1, "retired", 90 * DAY),  # goes
            (btc, "1h", 2, "champion", 60 * DAY),  # serves
            (btc, "1h", 3, "rejected", 40 * DAY),  # goes
            (btc, "1h", 4, "rejected", 29 * DAY),  # a month not yet
            (btc, "1h", 5, "rejected", 35 * DAY),  # newest (an older clock's: still kept)
            (btc, "4h", 1, "rejected", 50 * DAY),  # goes
            (btc, "4h", 2, "rejected", 45 * DAY),  # newest: serves "no edge found"
            (eth, "1h", 1, "rejected", 60 * DAY),  # newest
        ]
        for asset_id, horizon, version, status, age in made:
            await model_registry.add(
                session, asset_id=asset_id, horizon=horizon, version=version, status=status,
                metrics={}, features={}, artifact=b"model", trained_from=NOW - age - DAY,
                trained_to=NOW - age, created_at=NOW - age,
            )  # fmt: skip
    result = await housekeeping.run(deps)
    assert result.summary.endswith("3 model files")
    async with deps.read() as session:
        rows = await session.execute(
            select(ModelVersion.asset_id, ModelVersion.horizon, ModelVersion.version,
                   ModelVersion.artifact).order_by(ModelVersion.asset_id, ModelVersion.horizon,
                                                   ModelVersion.version)
        )  # fmt: skip
        files = {(a, h, v): f for a, h, v, f in rows}
    assert len(files) == len(made)  # every row kept
    gone = {key for key, f in files.items() if f is None}
    assert gone == {(btc, "1h", 1), (btc, "1h", 3), (btc, "4h", 1)}
    assert "0 model files" in (await housekeeping.run(deps)).summary  # once
