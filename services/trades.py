"""Recording and undoing a person's trades, each after their Confirm; listing them.

Asking (`prepare_trade`, `prepare_undo`, and an import in services/imports) checks the trade
against the person's ledger and keeps it pending (services/pending); `confirm` takes the
pending action and acts in one transaction, serialised with every other change to the
person's data (`deps.write_for`), so two presses, or two processes, act once and never slip a
trade past the checks. Nothing here reads or writes another person's trades.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.people import ChatSeen, PersonSeen, Preferences
from core.portfolio import (
    Ledger,
    Side,
    Trade,
    TradeRejected,
    admit,
    booked_in,
    dump_trades,
    load_trades,
)
from core.refusal import Refusal
from core.symbols import SymbolProblem, resolve
from core.trade_args import parse_trade
from db.repos import people
from db.repos import trades as trade_rows
from services import pending
from services.deps import Deps
from services.ledgers import in_zone, shared_ledger, stored_trades
from services.prices import prices_in

PAGE_SIZE = 10
RECORD, UNDO = "record", "undo"  # the kinds of pending action confirmed here


@dataclass(frozen=True, slots=True)
class TradeAsked:
    """A trade that fits the person's ledger now, pending their Confirm under `token`."""

    trade: Trade
    at_market: bool  # priced at the market price now, not at a price the person gave
    token: str
    zone: str


@dataclass(frozen=True, slots=True)
class UndoAsked:
    """The person's last trade, which can go, pending their Confirm under `token`."""

    trade: Trade
    token: str
    zone: str


@dataclass(frozen=True, slots=True)
class Recorded:
    trades: tuple[Trade, ...]  # with their ids, in ledger order (none for a staged import)
    imported: bool
    zone: str
    count: int  # trades recorded


@dataclass(frozen=True, slots=True)
class Undone:
    trade: Trade
    zone: str


@dataclass(frozen=True, slots=True)
class Cancelled:
    """Answered with Cancel: nothing changed."""


@dataclass(frozen=True, slots=True)
class NotDone:
    """Confirmed, but the ledger changed since the question and says no: the confirmation is
    used up and nothing else changed. Of an import, `refused` of its `of` trades no longer fit,
    `first` the first of them."""

    action: str  # RECORD or UNDO
    refusal: Refusal
    refused: int = 1
    of: int = 1
    first: Trade | None = None


Outcome = Recorded | Undone | Cancelled | NotDone


@dataclass(frozen=True, slots=True)
class TradePage:
    trades: list[Trade]  # newest first
    page: int  # from 0
    pages: int
    total: int
    asset: str | None  # the one coin listed, or None for all
    zone: str


async def _chosen(session: AsyncSession, user_id: int) -> Preferences:
    return await people.preferences(session, user_id) or Preferences()


async def find_coin(deps: Deps, session: AsyncSession, typed: str) -> str:
    """The coin `typed` names (BTC, btc, $BTC, bitcoin); Refusal `trade.unknown_coin` if none.

    Any coin Pythia knows will do, listed on a followed exchange or not: a trade at a price
    the person gives needs no market.
    """
    directory = await deps.directory_in(session)
    found = resolve([typed], directory.symbols, directory.names, limit=1)
    if found.symbols:
        return found.symbols[0]
    problem = found.problems[0] if found.problems else SymbolProblem(typed, "shape")
    raise Refusal(
        "trade.unknown_coin",
        typed=problem.text,
        reason=problem.reason,
        suggestions=problem.suggestions,
        examples=tuple(deps.settings.symbols),
    )


async def prepare_trade(
    deps: Deps, user_id: int, side: Side, args: Sequence[str], *, decimal_comma: bool = False
) -> TradeAsked:
    """`/buy BTC 0.5 @ 64000 …` as a trade that fits the person's ledger now, kept pending.

    Raises BadArgument (what was typed), Refusal `trade.unknown_coin` or `trade.no_price`, or
    TradeRejected (the ledger says no).
    """
    now = deps.clock.now()
    async with deps.write_for(user_id) as session:
        chosen = await _chosen(session, user_id)
        request = parse_trade(list(args), now, chosen.timezone, decimal_comma=decimal_comma)
        asset = await find_coin(deps, session, request.symbol)
        price = request.price
        if price is None:
            price = (await prices_in(deps, session, [asset], chosen.quote)).get(asset)
            if price is None:
                raise Refusal("trade.no_price", asset=asset, quote=chosen.quote)
        when = request.executed_at or now
        trade = Trade(None, asset, side, request.quantity, price, request.fee, when, chosen.quote)
        try:
            ledger = await shared_ledger(deps, session, user_id, chosen)
            ledger.check(trade, now)
        except TradeRejected as rejected:
            raise in_zone(rejected, chosen.timezone) from None
        token = await pending.ask(session, user_id, RECORD, {"trades": dump_trades([trade])}, now)
    return TradeAsked(trade, request.price is None, token, chosen.timezone)


async def prepare_undo(deps: Deps, user_id: int) -> UndoAsked | None:
    """The person's last recorded trade, kept pending for removal; None when they have none.
    Refusal `undo.sell_depends` when a later sell needs it."""
    now = deps.clock.now()
    async with deps.write_for(user_id) as session:
        last = await trade_rows.last_recorded(session, user_id)
        if last is None:
            return None
        chosen = await _chosen(session, user_id)
        refused = await _without(session, user_id, last, chosen)
        if refused is not None:
            raise refused
        token = await pending.ask(session, user_id, UNDO, {"id": last.id}, now)
    return UndoAsked(last, token, chosen.timezone)


async def confirm(deps: Deps, person: PersonSeen, chat: ChatSeen, token: str, yes: bool) -> Outcome:
    """The person's answer to a pending action: take it (once: a conditional update) and, on
    yes, act — in one transaction. Raises Refusal `confirm.expired`, `confirm.not_yours` or
    `confirm.answered` (nothing changes then); a refusal of the ledger comes back as NotDone.
    """
    now = deps.clock.now()
    async with deps.write_for(person.id) as session:
        kind, payload = await pending.take(session, token, person.id, now)
        if kind not in (RECORD, UNDO):  # not a trade's: nothing is taken (rolled back)
            raise Refusal("confirm.expired")
        if not yes:
            return Cancelled()
        await people.register(session, person, chat, now)
        chosen = await _chosen(session, person.id)
        if kind == UNDO:
            return await _undo(session, person.id, payload, chosen)
        return await _record(deps, session, person.id, payload, chosen, now)


async def _record(
    deps: Deps,
    session: AsyncSession,
    user_id: int,
    payload: dict[str, Any],
    chosen: Preferences,
    now: datetime,
) -> Recorded | NotDone:
    """Record the pending trades all together or none of them, checked against the ledger."""
    if "staged" in payload:
        return await _record_staged(deps, session, user_id, payload, chosen, now)
    trades, imported = load_trades(payload["trades"]), bool(payload.get("import"))
    directory = await deps.directory_in(session)
    gone = sorted({t.asset for t in trades} - set(directory.ids))
    if gone:
        return NotDone(RECORD, Refusal("trade.coin_gone", asset=gone[0]))
    booked = booked_in(trades, chosen.quote)
    if any(t.quote != chosen.quote for t in booked):
        return NotDone(RECORD, Refusal("trade.quote_changed", kept=chosen.quote))
    try:
        ledger = await shared_ledger(deps, session, user_id, chosen)
        if len(booked) == 1:
            ledger.check(booked[0], now)
        else:
            _, refused = admit(ledger.trades, booked, chosen.method, now)
            if refused:
                index, why = refused[0]
                why = in_zone(why, chosen.timezone)
                return NotDone(RECORD, why, len(refused), len(booked), booked[index])
    except TradeRejected as rejected:
        return NotDone(RECORD, in_zone(rejected, chosen.timezone))
    rows = [
        (directory.ids[t.asset], t.side, t.quantity, t.price, t.fee, t.executed_at, t.quote)
        for t in booked
    ]
    ids = await trade_rows.add(session, user_id, rows, now)
    recorded = tuple(replace(t, id=i) for t, i in zip(booked, ids, strict=True))
    return Recorded(recorded, imported, chosen.timezone, len(recorded))


async def _record_staged(
    deps: Deps,
    session: AsyncSession,
    user_id: int,
    payload: dict[str, Any],
    chosen: Preferences,
    now: datetime,
) -> Recorded | NotDone:
    """Record an import staged in batches (services/imports) all at once, or none of it. It
    was checked against the ledger at a version of the person's trades; only if they changed
    since is it checked again, here."""
    batch, checked = payload["staged"], payload["checked"]
    directory = await deps.directory_in(session)
    coins = await trade_rows.staged_assets(session, batch)
    gone = sorted(s for s, i in coins.items() if directory.ids.get(s) != i)
    if gone:
        return NotDone(RECORD, Refusal("trade.coin_gone", asset=gone[0]))
    if checked["quote"] != chosen.quote:
        return NotDone(RECORD, Refusal("trade.quote_changed", kept=chosen.quote))
    version = await trade_rows.version(session, user_id)
    if trade_rows.version_json(version) != checked["version"]:
        trades = await trade_rows.staged(session, batch, user_id)
        try:
            ledger = await shared_ledger(deps, session, user_id, chosen)
        except TradeRejected as rejected:
            return NotDone(RECORD, in_zone(rejected, chosen.timezone))
        _, refused = admit(ledger.trades, trades, chosen.method, now)
        if refused:
            index, why = refused[0]
            why = in_zone(why, chosen.timezone)
            return NotDone(RECORD, why, len(refused), len(trades), trades[index])
    count = await trade_rows.record_staged(session, batch, user_id, now)
    if count != payload["count"]:  # staged rows gone (pruned): raising rolls it all back
        raise Refusal("confirm.expired")
    return Recorded((), True, chosen.timezone, count)


async def _undo(
    session: AsyncSession, user_id: int, payload: dict[str, Any], chosen: Preferences
) -> Undone | NotDone:
    """Remove the pending trade if it is still the person's last one and can go."""
    last = await trade_rows.last_recorded(session, user_id)
    if last is None or last.id is None or last.id != payload["id"]:
        return NotDone(UNDO, Refusal("undo.changed"))
    refused = await _without(session, user_id, last, chosen)
    if refused is not None:
        return NotDone(UNDO, refused)
    await trade_rows.remove(session, user_id, last.id)
    return Undone(last, chosen.timezone)


async def _without(
    session: AsyncSession, user_id: int, last: Trade, chosen: Preferences
) -> Refusal | None:
    """Why the ledger would not hold together without `last`, or None if it would.

    Only its asset's trades can be affected: assets are booked apart."""
    same = [
        t for t in await stored_trades(session, user_id, chosen)
        if t.asset == last.asset and t.id != last.id
    ]  # fmt: skip
    try:
        Ledger.replay(same, chosen.method)
    except TradeRejected as rejected:
        if rejected.code != "trade.oversold":
            return in_zone(rejected, chosen.timezone)
        p = rejected.params
        return Refusal(
            "undo.sell_depends",
            asset=p["asset"],
            held=p["held"],
            sold=p["sold"],
            at=p["at"],
            zone=chosen.timezone,
        )
    return None


async def trade_page(deps: Deps, user_id: int, page: int, asset: str | None = None) -> TradePage:
    """One page of the person's trades (of one coin, as typed), newest first; past the end:
    the last. Refusal `trade.unknown_coin` for a coin Pythia does not know."""
    page = max(page, 0)
    async with deps.read() as session:
        chosen = await _chosen(session, user_id)
        asset_id = None
        if asset is not None:
            asset = await find_coin(deps, session, asset)
            asset_id = (await deps.directory_in(session)).ids[asset]
        trades, total = await trade_rows.page(
            session, user_id, page * PAGE_SIZE, PAGE_SIZE, asset_id
        )
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages:
            page = pages - 1
            trades, total = await trade_rows.page(
                session, user_id, page * PAGE_SIZE, PAGE_SIZE, asset_id
            )
    return TradePage(trades, page, pages, total, asset, chosen.timezone)
