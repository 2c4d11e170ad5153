"""A person's trades out as CSV (/export), and in from a CSV file they send (recorded on their
Confirm, by services.trades.confirm).

A file may hold up to 20,000 trades (core.trades_csv bounds it), and reading one must not make
anyone else wait: on SQLite every writer waits for the one before it, and on any backend the
event loop serves everyone. So `read_import` is the one use case here with more than one
transaction, each short:

1. a read: the person's preferences, their ledger, the coins Pythia knows, and the version of
   their trades (read *before* the ledger: if anything changes while the ledger is read, the
   version no longer matches at Confirm, which then checks again);
2. no transaction at all: the file is parsed and checked against that ledger on a thread;
3. the trades it can record are staged (db.repos.trades.stage) in batches of STAGE_BATCH, each
   batch its own transaction, with a pause between them so other people's writes go first;
4. one more: the action pending the person's Confirm, naming the staged batch and the version
   and currency it was checked against.

Nothing of the import is in anyone's ledger before the Confirm: staged trades are read by no
ledger. The Confirm (services.trades.confirm, in the person's serialised transaction) records
the whole batch with one INSERT … SELECT — on SQLite about as long as writing one small row per
hundred trades — or nothing: if the person's trades changed since they were read (a /buy in
between), or the portfolio's currency did, it checks the staged trades against the ledger as it
is then, as a /buy's Confirm does. A failure part-way (a crash while staging) leaves a batch no
pending action names; housekeeping prunes it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.people import Preferences
from core.portfolio import Trade, TradeRejected
from core.trades_csv import ImportResult, export_trades, import_file
from db.repos import people
from db.repos import trades as trade_rows
from services import pending
from services.deps import Deps
from services.ledgers import in_zone, shared_ledger
from services.trades import RECORD

STAGE_BATCH = 500  # trades a staging transaction writes
STAGE_PAUSE = 0.02  # seconds between two, at least: see _stage


@dataclass(frozen=True, slots=True)
class Export:
    csv: str  # Pythia's layout, in ledger order
    count: int
    at: datetime


@dataclass(frozen=True, slots=True)
class ImportAsked:
    """What a file holds for the person's ledger; its trades pending their Confirm under
    `token` (None when there is nothing to record)."""

    result: ImportResult
    token: str | None
    zone: str


async def export(deps: Deps, user_id: int) -> Export | None:
    """The person's trades as Pythia's CSV; None when they have none."""
    async with deps.read() as session:
        trades = await trade_rows.all_trades(session, user_id)
    if not trades:
        return None
    return Export(export_trades(trades), len(trades), deps.clock.now())


async def read_import(deps: Deps, user_id: int, content: bytes) -> ImportAsked:
    """The trades in a CSV file that can join the person's ledger, and the lines refused; the
    trades staged, pending the person's Confirm. Raises CsvUnreadable when the file as a whole
    cannot be read, and TradeRejected when the person's stored trades do not replay."""
    now = deps.clock.now()
    async with deps.read() as session:
        chosen = await people.preferences(session, user_id) or Preferences()
        version = await trade_rows.version(session, user_id)
        try:
            ledger = await shared_ledger(deps, session, user_id, chosen)
        except TradeRejected as rejected:
            raise in_zone(rejected, chosen.timezone) from None
        ids = dict((await deps.directory_in(session)).ids)
    # Parsing thousands of lines takes a while: on a thread, the event loop keeps serving.
    result = await asyncio.to_thread(
        import_file, content, ledger.trades, known=set(ids), quote=chosen.quote, now=now
    )
    for _, _, why in result.refused:
        in_zone(why, chosen.timezone)
    token = None
    if result.trades:
        batch = await _stage(deps, user_id, result.trades, ids, now)
        checked = {"version": trade_rows.version_json(version), "quote": chosen.quote}
        payload = {"staged": batch, "count": len(result.trades), "checked": checked}
        async with deps.write() as session:
            token = await pending.ask(session, user_id, RECORD, payload, now)
    return ImportAsked(result, token, chosen.timezone)


async def _stage(
    deps: Deps, user_id: int, trades: Sequence[Trade], ids: Mapping[str, int], now: datetime
) -> str:
    """Stage `trades` in batches, each in a transaction of its own; the batch's name.

    After each batch the database is left alone for as long as the batch held it (at least
    STAGE_PAUSE): on SQLite a writer kept waiting does not queue, it retries every so often
    (up to every 100 ms), and must find the database free when it does. Free half the time
    makes that likely, and costs the import no more than twice its writing time."""
    batch = secrets.token_urlsafe(12)
    rows = [
        (ids[t.asset], t.side, t.quantity, t.price, t.fee, t.executed_at, t.quote) for t in trades
    ]
    loop = asyncio.get_running_loop()
    for start in range(0, len(rows), STAGE_BATCH):
        began = loop.time()
        async with deps.write() as session:
            await trade_rows.stage(session, batch, user_id, rows[start : start + STAGE_BATCH], now)
        await asyncio.sleep(max(STAGE_PAUSE, loop.time() - began))
    return batch
