"""Recording, undoing, listing, exporting and importing a person's trades.

Every change is checked against the person's ledger inside the transaction that makes it, under
a per-person lock, so two presses or two processes cannot slip a trade past the checks. Nothing
here reads or writes another person's trades.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.people import ChatSeen, PersonSeen
from core.periods import BadArgument
from core.portfolio import Ledger, Side, Trade, TradeRejected, admit
from core.symbols import SymbolProblem, resolve
from core.trade_args import parse_trade
from core.trades_csv import DELIMITERS, NEEDED, ImportResult, export_trades, import_trades
from db.portfolio import (
    PortfolioSettings,
    book_quote,
    current_prices,
    ledger_trades,
    read_settings,
    to_trade,
)
from db.repos import trades as trade_rows
from db.repos.people import register
from services.deps import Deps

PAGE_SIZE = 10
LOCK_TTL = 60.0  # seconds; far longer than any recording takes
LOCK_WAIT = 10.0


class UnknownAsset(ValueError):
    """The symbol a person typed is not a coin Pythia knows."""

    def __init__(self, problem: SymbolProblem) -> None:
        super().__init__(problem.text)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class PreparedTrade:
    """A trade ready to be confirmed: checked against the ledger as it stood when asked."""

    trade: Trade
    at_market: bool  # priced at the market price now, not at a price the person gave
    timezone: str


async def _ledger(session: AsyncSession, user_id: int) -> tuple[list[Trade], PortfolioSettings]:
    settings = await read_settings(session, user_id)
    return ledger_trades(await trade_rows.all_trades(session, user_id), settings), settings


@asynccontextmanager
async def _one_at_a_time(deps: Deps, user_id: int) -> AsyncIterator[None]:
    """Changes to one person's trades happen one after the other, across processes."""
    async with deps.cache.lock(f"trades:{user_id}", LOCK_TTL, LOCK_WAIT) as held:
        if not held:
            raise TradeRejected("your trades are being changed right now; try again in a moment")
        yield


async def find_asset(deps: Deps, text: str) -> str:
    """The coin `text` names (BTC, btc, $BTC, bitcoin); UnknownAsset if none.

    Any coin Pythia knows will do, listed on a followed exchange or not: a trade at a price
    the person gives needs no market.
    """
    directory = await deps.current_directory()
    found = resolve([text], directory.symbols, directory.names, limit=1)
    if not found.symbols:
        raise UnknownAsset(found.problems[0] if found.problems else SymbolProblem(text, "shape"))
    return found.symbols[0]


async def prepare_trade(deps: Deps, user_id: int, side: Side, args: list[str]) -> PreparedTrade:
    """`/buy BTC 0.5 @ 64000 …` as a trade that fits the person's ledger now.

    Raises BadArgument (what was typed), UnknownAsset, or TradeRejected (the ledger says no).
    """
    now = deps.clock.now()
    async with deps.sessions() as session:
        existing, settings = await _ledger(session, user_id)
    request = parse_trade(args, now, settings.timezone)
    asset = await find_asset(deps, request.symbol)
    price = request.price
    if price is None:
        price = (await current_prices(deps, [asset], settings.quote)).get(asset)
        if price is None:
            raise BadArgument(
                f"I have no current price for {asset} in {settings.quote}; give one, like "
                f"/{side} {asset} {request.quantity} @ PRICE"
            )
    trade = Trade(
        None,
        asset,
        side,
        request.quantity,
        price,
        request.fee,
        request.executed_at or now,
        settings.quote,
    )
    Ledger.replay(existing, settings.method).record(trade, now)
    return PreparedTrade(trade, request.price is None, settings.timezone)


async def record_trades(
    deps: Deps, person: PersonSeen, chat: ChatSeen, trades: Sequence[Trade]
) -> list[Trade]:
    """Record `trades` all together or none of them, checked against the ledger as it is now.

    Returns them with their ids, in ledger order; raises TradeRejected saying why not.
    """
    now = deps.clock.now()
    directory = await deps.current_directory()
    unknown = sorted({t.asset for t in trades} - set(directory.ids))
    if unknown:
        raise TradeRejected(f"{unknown[0]} is no longer a coin I know")
    async with _one_at_a_time(deps, person.id), deps.sessions.begin() as session:
        await register(session, person, chat, now)
        existing, settings = await _ledger(session, person.id)
        booked = [replace(t, quote=book_quote(t.quote, settings.quote)) for t in trades]
        if any(t.quote != settings.quote for t in booked):
            raise TradeRejected(f"your portfolio is now kept in {settings.quote}; ask again")
        _, refused = admit(existing, booked, settings.method, now)
        if refused:
            index, reason = refused[0]
            if len(booked) == 1:
                raise TradeRejected(reason)
            raise TradeRejected(
                f"{len(refused)} of the {len(booked)} trades no longer fit your ledger; the "
                f"first, a {booked[index].side} of {booked[index].asset}: {reason}"
            )
        rows = [
            (directory.ids[t.asset], t.side, t.quantity, t.price, t.fee, t.executed_at, t.quote)
            for t in booked
        ]
        ids = await trade_rows.add(session, person.id, rows, now)
    return [replace(t, id=i) for t, i in zip(booked, ids, strict=True)]


def _without(trades: Sequence[Trade], trade_id: int, settings: PortfolioSettings) -> None:
    """Raise TradeRejected when the ledger does not hold together without trade `trade_id`."""
    Ledger.replay([t for t in trades if t.id != trade_id], settings.method)


async def last_trade(deps: Deps, user_id: int) -> Trade | None:
    """The person's last recorded trade, if it can be undone; TradeRejected if it cannot."""
    async with deps.sessions() as session:
        row = await trade_rows.last_recorded(session, user_id)
        if row is None:
            return None
        existing, settings = await _ledger(session, user_id)
    _without(existing, row[0], settings)
    return to_trade(row)


async def undo_trade(deps: Deps, user_id: int, trade_id: int) -> Trade:
    """Remove the person's trade `trade_id`, still their last one; TradeRejected if it cannot go."""
    async with _one_at_a_time(deps, user_id), deps.sessions.begin() as session:
        row = await trade_rows.last_recorded(session, user_id)
        if row is None or row[0] != trade_id:
            raise TradeRejected("your last trade changed since you asked; send /undo again")
        existing, settings = await _ledger(session, user_id)
        _without(existing, trade_id, settings)
        await trade_rows.remove(session, user_id, trade_id)
    return to_trade(row)


@dataclass(frozen=True, slots=True)
class TradePage:
    trades: list[Trade]  # newest first
    page: int  # from 0
    pages: int
    total: int
    timezone: str


async def trade_page(deps: Deps, user_id: int, page: int, asset: str | None = None) -> TradePage:
    """One page of the person's trades (of one asset), newest first; past the end: the last."""
    directory = await deps.current_directory()
    asset_id = None if asset is None else directory.ids.get(asset)
    async with deps.sessions() as session:
        settings = await read_settings(session, user_id)
        if asset is not None and asset_id is None:
            return TradePage([], 0, 1, 0, settings.timezone)
        rows, total = await trade_rows.page(session, user_id, page * PAGE_SIZE, PAGE_SIZE, asset_id)
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages:
            page = pages - 1
            rows, total = await trade_rows.page(
                session, user_id, page * PAGE_SIZE, PAGE_SIZE, asset_id
            )
    return TradePage([to_trade(r) for r in rows], page, pages, total, settings.timezone)


async def export_csv(deps: Deps, user_id: int) -> str | None:
    """The person's trades as Pythia's CSV; None when they have none."""
    async with deps.sessions() as session:
        rows = await trade_rows.all_trades(session, user_id)
    return export_trades(to_trade(r) for r in rows) if rows else None


async def read_import(deps: Deps, user_id: int, content: bytes) -> ImportResult:
    """The trades in a CSV file that can join the person's ledger, and the lines refused.

    Raises CsvUnreadable when the file as a whole cannot be read.
    """
    now = deps.clock.now()
    async with deps.sessions() as session:
        existing, settings = await _ledger(session, user_id)
    directory = await deps.current_directory()
    try:
        original = content.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        return import_trades(content, now=now)  # raises CsvUnreadable, saying what would work
    lines, screened = _screen(original, set(directory.ids), settings.quote)
    result = import_trades("\n".join(lines), existing, now=now, default_quote=settings.quote)
    refused = [(n, original[n - 1], reason) for n, _, reason in result.refused]
    return ImportResult(result.trades, sorted([*refused, *screened]))


def _screen(
    original: list[str], known: set[str], quote: str
) -> tuple[list[str], list[tuple[int, str, str]]]:
    """The file's lines as the import should read them, and the lines refused here.

    A line of a coin Pythia doesn't know, or priced in a currency the portfolio is not kept
    in, is refused and blanked out (blank lines are skipped, so every other line keeps its
    number). A currency the portfolio books as its own (USDT in a USD one) is left empty,
    which the import reads as the portfolio's.
    """
    lines = list(original)
    first = next((n for n, line in enumerate(lines) if line.strip()), len(lines))
    for delimiter in DELIMITERS:
        header = lines[first] if first < len(lines) else ""
        names = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter), [])]
        if set(names) >= NEEDED:
            break
    else:
        return lines, []  # the import says what is wrong with the first line
    symbol_at = names.index("symbol")
    quote_at = names.index("quote") if "quote" in names else len(names)
    refused = []
    for n in range(first + 1, len(lines)):
        cells = next(csv.reader([lines[n]], delimiter=delimiter), [])
        symbol = cells[symbol_at].strip().upper() if symbol_at < len(cells) else ""
        priced_in = cells[quote_at].strip().upper() if quote_at < len(cells) else ""
        reason = ""
        if symbol and symbol not in known:
            reason = f"{_shown(symbol)} is not a coin I know"
        elif priced_in and book_quote(priced_in, quote) != quote:
            reason = f"this portfolio is kept in {quote}, not {_shown(priced_in)}"
        if reason:
            refused.append((n + 1, lines[n], reason))
            lines[n] = ""
        elif priced_in:
            cells[quote_at] = ""
            out = io.StringIO()
            csv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells)
            lines[n] = out.getvalue()
    return lines, refused


def _shown(symbol: str) -> str:
    return symbol if re.fullmatch(r"[A-Z0-9]{1,15}", symbol) else symbol[:15] + "…"


def dump_trades(trades: Sequence[Trade]) -> list[list[str]]:
    """Trades as JSON-ready values, numbers as exact decimal text."""
    return [
        [t.asset, t.side, str(t.quantity), str(t.price), str(t.fee), t.executed_at.isoformat(),
         t.quote]
        for t in trades
    ]  # fmt: skip


def load_trades(data: Sequence[Sequence[str]]) -> list[Trade]:
    return [
        Trade(None, asset, side, Decimal(q), Decimal(p), Decimal(f), datetime.fromisoformat(w), qc)  # type: ignore[arg-type]
        for asset, side, q, p, f, w, qc in data
    ]
