"""The daily snapshot job: one row per person and day however often it runs, worth what core's
valuation says at the prices of the moment it ran."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.market import PriceQuote
from core.people import ChatSeen, PersonSeen
from core.portfolio import Ledger, Trade, valuation
from core.settings import Settings
from db.models import PortfolioSnapshot
from db.repos import trades as trade_rows
from db.repos.people import register
from services.deps import Deps, build_deps, close_deps
from services.snapshots import day_of, record_snapshots
from workers.jobs import snapshots
from workers.jobs.base import WorkerDeps
from workers.runtime import default_jobs

NOW = datetime(2026, 11, 26, 0, 7, tzinfo=UTC)  # just after midnight, when the job is due
D = Decimal
ALICE, BOB, CAROL = 1, 2, 3


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    settings = Settings(database_url=db_url, symbols=["BTC", "ETH", "SOL"])
    base: Deps = await build_deps(settings, FixedClock(NOW))
    yield WorkerDeps(**{f.name: getattr(base, f.name) for f in fields(Deps)})
    await close_deps(base)


async def set_prices(deps: Deps, **prices: str) -> dict[str, Decimal]:
    """Latest prices in the cache, as the ticker job leaves them."""
    await deps.cache.set_prices(
        [PriceQuote(a, D(p), "USDT", "binance", deps.clock.now()) for a, p in prices.items()]
    )
    return {asset: D(price) for asset, price in prices.items()}


async def seed(deps: Deps, user_id: int, trades: list[tuple], quote: str = "USD") -> list[Trade]:
    """Store (asset, side, quantity, price, days ago) trades as /buy and /sell store them."""
    now = deps.clock.now()
    rows = [
        (deps.directory.ids[a], side, D(q), D(p), D(0), now - timedelta(days=days), quote)
        for a, side, q, p, days in trades
    ]
    async with deps.sessions.begin() as session:
        await register(
            session, PersonSeen(user_id, f"P{user_id}"), ChatSeen(user_id, "private"), now
        )
        ids = await trade_rows.add(session, user_id, rows, now)
    return [
        Trade(i, a, side, D(q), D(p), D(0), now - timedelta(days=days), "USD")
        for i, (a, side, q, p, days) in zip(ids, trades, strict=True)
    ]


async def stored(deps: Deps) -> list[tuple[int, datetime, Decimal, Decimal, str]]:
    async with deps.sessions() as session:
        rows = await session.execute(
            select(
                PortfolioSnapshot.user_id,
                PortfolioSnapshot.day,
                PortfolioSnapshot.value,
                PortfolioSnapshot.invested,
                PortfolioSnapshot.quote_currency,
            ).order_by(PortfolioSnapshot.user_id, PortfolioSnapshot.day)
        )
        return [tuple(row) for row in rows]


async def test_two_runs_on_one_day_leave_one_snapshot_each_worth_the_valuation(
    deps: WorkerDeps,
) -> None:
    alices = await seed(
        deps, ALICE, [("BTC", "buy", "0.5", "30000", 9), ("ETH", "buy", "2", "1500", 4)]
    )
    bobs = await seed(
        deps, BOB, [("SOL", "buy", "10", "20", 3), ("SOL", "sell", "4", "25", 1)], "USDT"
    )
    prices = await set_prices(deps, BTC="40000.5", ETH="1800.25", SOL="22.10")
    first = await snapshots.run(deps)
    second = await snapshots.run(deps)
    assert first.ok and first.summary == "2 snapshots for 2026-11-26"
    assert second.ok and second.summary == "0 snapshots for 2026-11-26"
    midnight = datetime(2026, 11, 26, tzinfo=UTC)
    expected = []
    for user_id, trades in ((ALICE, alices), (BOB, bobs)):
        view = valuation(Ledger.replay(trades), prices, NOW)
        expected.append((user_id, midnight, view.value, view.net_invested, "USD"))
    assert await stored(deps) == expected
    assert expected[0][2] == D("23600.75") and expected[1][2] == D("132.60")


async def test_taking_a_day_again_replaces_it_and_the_next_day_adds_one(deps: WorkerDeps) -> None:
    await seed(deps, ALICE, [("BTC", "buy", "1", "30000", 2)])
    await set_prices(deps, BTC="31000")
    day = day_of(NOW)
    assert (await record_snapshots(deps, [ALICE], day)).written == 1
    await set_prices(deps, BTC="32000")
    assert (await record_snapshots(deps, [ALICE], day)).written == 1
    assert [row[2] for row in await stored(deps)] == [D("32000")]
    deps.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    await snapshots.run(deps)
    assert [(row[1].day, row[2]) for row in await stored(deps)] == [
        (26, D("32000")),
        (27, D("32000")),
    ]


async def test_trades_that_do_not_replay_cost_only_their_owner_a_snapshot(deps: WorkerDeps) -> None:
    await seed(deps, ALICE, [("BTC", "sell", "1", "30000", 2)])  # nothing held to sell
    await seed(deps, BOB, [("ETH", "buy", "1", "1500", 2)])
    await set_prices(deps, ETH="1600")
    result = await snapshots.run(deps)
    assert not result.ok
    assert result.summary == "1 snapshots for 2026-11-26; 1 people's trades do not replay"
    assert [row[0] for row in await stored(deps)] == [BOB]


async def test_a_holding_without_a_price_is_left_out_of_the_value(deps: WorkerDeps) -> None:
    await seed(deps, CAROL, [("BTC", "buy", "1", "30000", 2), ("ETH", "buy", "1", "1500", 2)])
    await set_prices(deps, ETH="1600")
    await snapshots.run(deps)
    assert [(row[2], row[3]) for row in await stored(deps)] == [(D("1600"), D("31500"))]


def test_the_job_is_scheduled_as_a_singleton_that_runs_at_start() -> None:
    (spec,) = [s for s in default_jobs(Settings()) if s.name == "snapshots"]
    assert spec.singleton and spec.at_start and spec.every <= timedelta(minutes=15)
