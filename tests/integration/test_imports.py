"""Large imports, on SQLite and Postgres: the file is read outside any transaction, its trades
staged in short batches where no ledger sees them, and the person's Confirm records them all at
once or none — checked again if their trades changed in between."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select

from core.clock import FixedClock
from core.people import ChatSeen, PersonSeen
from core.portfolio import Ledger
from core.refusal import Refusal
from core.settings import Settings
from core.trades_csv import MAX_LINE, CsvUnreadable
from db.models import PendingAction, Trade
from db.repos import trades as trade_rows
from db.staging import StagedTrade
from services import housekeeping, imports, trades
from services.deps import Deps, build_deps, close_deps

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
ANA = PersonSeen(21, "Ana", "ana", "es")
HEADER = "date,side,symbol,quantity,price,fee"


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:
    built = await build_deps(Settings(database_url=db_url, symbols=["BTC", "ETH"]), FixedClock(NOW))
    yield built
    await close_deps(built)


def csv_of(rows: list[str]) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def many(count: int) -> list[str]:
    """`count` trades: buys of BTC, every tenth a sell of what the buys before it hold."""
    return [
        f"2024-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}Z,{'sell' if n % 10 == 9 else 'buy'},"
        f"BTC,1,{100 + n},0"
        for n in range(count)
    ]


async def count(deps: Deps, model: type) -> int:
    async with deps.read() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def confirm(deps: Deps, token: str, yes: bool = True) -> trades.Outcome:
    return await trades.confirm(deps, ANA, ChatSeen(ANA.id, "private"), token, yes)


async def test_an_import_is_staged_in_batches_and_recorded_whole_on_confirm(deps: Deps) -> None:
    rows = many(imports.STAGE_BATCH * 2 + 7)  # three batches
    asked = await imports.read_import(deps, ANA.id, csv_of(rows))
    assert asked.token is not None and len(asked.result.trades) == len(rows)
    assert await count(deps, StagedTrade) == len(rows)
    assert await count(deps, Trade) == 0  # nobody's ledger has any of it yet
    outcome = await confirm(deps, asked.token)
    assert isinstance(outcome, trades.Recorded) and outcome.count == len(rows)
    assert await count(deps, StagedTrade) == 0
    async with deps.read() as session:
        stored = await trade_rows.all_trades(session, ANA.id)
    assert [(t.side, t.price) for t in stored] == [(t.side, t.price) for t in asked.result.trades]
    assert [t.id for t in stored] == sorted(t.id for t in stored if t.id is not None)
    Ledger.replay(stored)  # the ledger holds together


async def test_trades_at_the_same_moment_keep_the_files_order(deps: Deps) -> None:
    rows = [f"2024-01-01,{side},BTC,1,{price},0" for side, price in [("buy", 1), ("sell", 2)] * 3]
    asked = await imports.read_import(deps, ANA.id, csv_of(rows))
    assert asked.token is not None
    await confirm(deps, asked.token)
    async with deps.read() as session:
        stored = await trade_rows.all_trades(session, ANA.id)
    assert [t.side for t in stored] == ["buy", "sell"] * 3


async def test_a_sell_recorded_between_the_preview_and_confirm_is_checked_again(
    deps: Deps,
) -> None:
    first = await imports.read_import(deps, ANA.id, csv_of(["2024-01-01,buy,BTC,2,100,0"]))
    assert first.token is not None
    await confirm(deps, first.token)
    file_sells = await imports.read_import(deps, ANA.id, csv_of(["2024-02-01,sell,BTC,2,100,0"]))
    assert file_sells.token is not None and len(file_sells.result.trades) == 1  # fits now
    asked = await trades.prepare_trade(deps, ANA.id, "sell", ["BTC", "1", "@", "100"])
    assert isinstance(await confirm(deps, asked.token), trades.Recorded)  # 1 BTC left
    outcome = await confirm(deps, file_sells.token)
    assert isinstance(outcome, trades.NotDone)
    assert outcome.refusal.code == "trade.starves_sell"  # the later /sell needs that BTC
    async with deps.read() as session:
        stored = await trade_rows.all_trades(session, ANA.id)
    assert [(t.side, t.quantity) for t in stored] == [("buy", 2), ("sell", 1)]


async def test_a_trade_between_that_changes_nothing_lets_the_import_through(deps: Deps) -> None:
    asked = await imports.read_import(deps, ANA.id, csv_of(many(30)))
    assert asked.token is not None
    buy = await trades.prepare_trade(deps, ANA.id, "buy", ["ETH", "1", "@", "100"])
    await confirm(deps, buy.token)
    outcome = await confirm(deps, asked.token)
    assert isinstance(outcome, trades.Recorded) and outcome.count == 30
    assert await count(deps, Trade) == 31


async def test_cancel_records_nothing_and_housekeeping_forgets_what_was_staged(
    deps: Deps,
) -> None:
    asked = await imports.read_import(deps, ANA.id, csv_of(many(12)))
    assert asked.token is not None
    assert isinstance(await confirm(deps, asked.token, yes=False), trades.Cancelled)
    assert await count(deps, Trade) == 0
    later = Deps(deps.settings, deps.engine, deps.sessions, deps.cache,
                 FixedClock(NOW + housekeeping.KEEP_STAGED * 2))  # fmt: skip
    assert (await housekeeping.prune(later)).staged_trades == 12
    assert await count(deps, StagedTrade) == 0


@pytest.mark.parametrize(
    "content",
    [
        csv_of(["2024-01-01,buy,BTC,1," + "9" * (128 * 1024 + 1) + ",0"]),
        csv_of(["2024-01-01,buy,BTC,1,1,0"] * 20_000),
        b"\x00\xff" * 600_000,
        "date;côté\n".encode("latin-1"),
    ],
    ids=["field over 128 KiB", "too many lines", "too big", "not UTF-8"],
)
async def test_a_file_refused_whole_writes_nothing(deps: Deps, content: bytes) -> None:
    with pytest.raises(CsvUnreadable):
        await imports.read_import(deps, ANA.id, content)
    assert (await count(deps, StagedTrade), await count(deps, PendingAction)) == (0, 0)
    assert MAX_LINE < 128 * 1024


async def test_an_import_whose_staged_trades_are_gone_records_nothing(deps: Deps) -> None:
    asked = await imports.read_import(deps, ANA.id, csv_of(many(12)))
    assert asked.token is not None
    async with deps.write() as session:  # as if housekeeping had pruned part of it
        await session.execute(delete(StagedTrade).where(StagedTrade.id % 2 == 0))
    with pytest.raises(Refusal) as refused:
        await confirm(deps, asked.token)
    assert refused.value.code == "confirm.expired"
    assert await count(deps, Trade) == 0
