"""A person's trades out as CSV (/export), and in from a CSV file they send (recorded on their
Confirm, by services.trades.confirm)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.people import Preferences
from core.portfolio import TradeRejected, dump_trades
from core.trades_csv import ImportResult, export_trades, import_file
from db.repos import people
from db.repos import trades as trade_rows
from services import pending
from services.deps import Deps
from services.ledgers import in_zone, shared_ledger
from services.trades import RECORD


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
    trades kept pending. Raises CsvUnreadable when the file as a whole cannot be read, and
    TradeRejected when the person's stored trades do not replay."""
    now = deps.clock.now()
    async with deps.write_for(user_id) as session:
        chosen = await people.preferences(session, user_id) or Preferences()
        try:
            ledger = await shared_ledger(deps, session, user_id, chosen)
        except TradeRejected as rejected:
            raise in_zone(rejected, chosen.timezone) from None
        known = set((await deps.directory_in(session)).ids)
        result = import_file(content, ledger.trades, known=known, quote=chosen.quote, now=now)
        for _, _, why in result.refused:
            in_zone(why, chosen.timezone)
        token = None
        if result.trades:
            payload = {"trades": dump_trades(result.trades), "import": True}
            token = await pending.ask(session, user_id, RECORD, payload, now)
    return ImportAsked(result, token, chosen.timezone)
