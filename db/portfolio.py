"""A person's portfolio as commands and jobs need it: their settings, their ledger, its prices.

Everything here is scoped to one person id; nothing reads or writes another person's trades.
Prices come from the cross-exchange quotes the workers keep; USD and the dollar stablecoins
count as one currency ("USD") unless the person chose a stablecoin as their quote currency.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.currencies import USD_QUOTES
from core.market import TIMEFRAMES
from core.people import ChatSeen, PersonSeen
from core.portfolio import (
    CostMethod,
    Ledger,
    PeriodPnL,
    PortfolioView,
    Trade,
    period_start,
    pnl_over,
    valuation,
)
from db.candles import load_candles, market_ids_for
from db.models import Asset, User
from db.models import Trade as TradeModel
from db.repos import trades as trade_rows
from db.repos.people import get_user, register
from db.repos.trades import TradeRow
from services._legacy import latest_quotes
from services.deps import Deps

DEFAULT_QUOTE = "USD"
DOLLAR_LIKE = frozenset(USD_QUOTES) | {"BUSD", "DAI", "FDUSD", "TUSD", "USDP", "PYUSD"}
QUOTE_CURRENCIES = ("USD", "USDT", "USDC")  # what a person may choose: what Pythia can price


@dataclass(frozen=True, slots=True)
class PortfolioSettings:
    method: CostMethod = "fifo"
    quote: str = DEFAULT_QUOTE
    timezone: str = "UTC"


def to_trade(row: TradeRow) -> Trade:
    trade_id, asset, side, quantity, price, fee, executed_at, quote = row
    return Trade(trade_id, asset, side, quantity, price, fee, executed_at, quote)  # type: ignore[arg-type]


def book_quote(quote: str, chosen: str) -> str:
    """The currency a trade priced in `quote` is booked in, for a person who chose `chosen`."""
    quote = quote.upper()
    if chosen == DEFAULT_QUOTE and quote in DOLLAR_LIKE:
        return DEFAULT_QUOTE
    return quote


async def read_settings(session: AsyncSession, user_id: int) -> PortfolioSettings:
    user = await get_user(session, user_id)
    if user is None:
        return PortfolioSettings()
    method: CostMethod = "average" if user.cost_basis == "average" else "fifo"
    return PortfolioSettings(method, user.quote_currency or DEFAULT_QUOTE, user.timezone or "UTC")


async def save_settings(
    session: AsyncSession, user_id: int, *, method: str | None = None, quote: str | None = None
) -> None:
    values: dict[str, str] = {}
    if method is not None:
        values["cost_basis"] = method
    if quote is not None:
        values["quote_currency"] = quote
    if values:
        await session.execute(update(User).where(User.id == user_id).values(**values))


def ledger_trades(rows: Iterable[TradeRow], settings: PortfolioSettings) -> list[Trade]:
    """The person's stored trades as the ledger books them (dollar stablecoins as USD)."""
    trades = []
    for row in rows:
        trade = to_trade(row)
        booked = book_quote(trade.quote, settings.quote)
        if booked != trade.quote:
            trade = Trade(
                trade.id,
                trade.asset,
                trade.side,
                trade.quantity,
                trade.price,
                trade.fee,
                trade.executed_at,
                booked,
            )
        trades.append(trade)
    return trades


async def load_ledger(
    session: AsyncSession, user_id: int, settings: PortfolioSettings | None = None
) -> tuple[Ledger, PortfolioSettings]:
    """The person's ledger, replayed from their stored trades with their cost-basis method."""
    settings = settings or await read_settings(session, user_id)
    trades = ledger_trades(await trade_rows.all_trades(session, user_id), settings)
    return Ledger.replay(trades, settings.method), settings


async def current_prices(deps: Deps, assets: Sequence[str], quote: str) -> dict[str, Decimal]:
    """The latest price of each asset in `quote`; an asset Pythia cannot price is left out.

    The cross-exchange price is a median over USD and dollar-stablecoin markets, so it serves
    "USD" and the dollar stablecoins alike (their pegs hold to well under the spread shown).
    """
    if quote not in DOLLAR_LIKE:
        return {}
    quotes = await latest_quotes(deps, list(assets))
    return {asset: q.price for asset, q in quotes.items() if q.quote.upper() in DOLLAR_LIKE}


def prices_of(held: Iterable[str], prices: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {asset: prices[asset] for asset in held if asset in prices}


# ---- what the read commands (/portfolio, /pnl) and the settings commands need --------------

LEDGER_CACHE_SIZE = 128  # people whose replayed ledger this process keeps
# Per engine (so two stacks in one test process never share), least recently used last:
# (person, method, quote) -> (the version of their trades, the ledger replayed from them).
_Version = tuple[int, int | None, datetime | None]  # count, last id, last recorded at
_Cached = OrderedDict[tuple[int, str, str], tuple[_Version, Ledger]]
_ledgers: WeakKeyDictionary[AsyncEngine, _Cached] = WeakKeyDictionary()
# How far before a moment the last candle may have closed and still give its price then.
PRICE_AT_TIMEFRAMES = (("1h", timedelta(days=2)), ("1d", timedelta(days=7)))


async def _trades_version(session: AsyncSession, user_id: int) -> _Version:
    """Changes whenever the person's trades do: one more or one fewer changes the count, and a
    trade recorded in place of one removed has a later id or a later recording time."""
    row = (
        await session.execute(
            select(func.count(), func.max(TradeModel.id), func.max(TradeModel.created_at)).where(
                TradeModel.user_id == user_id
            )
        )
    ).one()
    return row[0], row[1], row[2]


async def shared_ledger(
    deps: Deps, session: AsyncSession, user_id: int, settings: PortfolioSettings
) -> Ledger:
    """The person's ledger as load_ledger replays it, reused while their trades and settings
    stay as they were; after trades were only added, just those are read (reading 10,000 trades
    takes far longer than replaying them). Read the ledger; never record into it.
    """
    cache = _ledgers.setdefault(deps.engine, OrderedDict())
    key = (user_id, settings.method, settings.quote)
    version = await _trades_version(session, user_id)
    seen = cache.get(key)
    if seen is not None and seen[0] == version:
        ledger = seen[1]
    else:
        added = await _added_since(session, user_id, settings, seen[0], version) if seen else None
        if seen is not None and added is not None:
            ledger = Ledger.replay([*seen[1].trades, *added], settings.method)
        else:
            ledger, _ = await load_ledger(session, user_id, settings)
        for other in [k for k in cache if k[0] == user_id]:
            del cache[other]
        cache[key] = version, ledger
        while len(cache) > LEDGER_CACHE_SIZE:
            cache.popitem(last=False)
    cache.move_to_end(key)
    return ledger


async def _added_since(
    session: AsyncSession,
    user_id: int,
    settings: PortfolioSettings,
    before: _Version,
    now: _Version,
) -> list[Trade] | None:
    """The trades recorded since `before` as the ledger books them, if adding them is all that
    happened (none of the earlier ones went away); else None."""
    count, last_id, _ = before
    if last_id is None or now[0] <= count:
        return None
    rows = await session.execute(
        select(
            TradeModel.id,
            Asset.symbol,
            TradeModel.side,
            TradeModel.quantity,
            TradeModel.price,
            TradeModel.fee,
            TradeModel.executed_at,
            TradeModel.quote_currency,
        )
        .join(Asset, Asset.id == TradeModel.asset_id)
        .where(TradeModel.user_id == user_id, TradeModel.id > last_id)
    )
    added = ledger_trades([tuple(row) for row in rows], settings)  # type: ignore[misc]
    return added if count + len(added) == now[0] else None


async def portfolio_now(deps: Deps, user_id: int) -> tuple[PortfolioView, PortfolioSettings]:
    """The person's holdings at the latest prices, and the settings they were valued with.

    Raises TradeRejected when the stored trades do not replay (a stored sell that oversells).
    """
    async with deps.sessions() as session:
        settings = await read_settings(session, user_id)
        ledger = await shared_ledger(deps, session, user_id, settings)
    prices = await current_prices(deps, [p.asset for p in ledger.holdings()], settings.quote)
    return valuation(ledger, prices, deps.clock.now()), settings


async def prices_at(deps: Deps, assets: Iterable[str], moment: datetime) -> dict[str, Decimal]:
    """Each asset's price at a past `moment`: the close of the last stored candle that had
    closed by then — hourly if one closed within PRICE_AT_TIMEFRAMES' age, else daily. An asset
    without such a candle is left out (its P&L over the period cannot be told)."""
    prices: dict[str, Decimal] = {}
    async with deps.sessions() as session:
        for asset in sorted(set(assets)):
            for timeframe, max_age in PRICE_AT_TIMEFRAMES:
                markets = await market_ids_for(session, asset, timeframe)
                if not markets:
                    continue
                step = TIMEFRAMES[timeframe]
                # open times < moment − step + 1 µs: candles that had closed by `moment`
                until = moment - step + timedelta(microseconds=1)
                last = await load_candles(session, markets[0][0], timeframe, until=until, limit=1)
                if last and moment - (last[0].ts + step) <= max_age:
                    prices[asset] = last[0].close
                    break
    return prices


@dataclass(frozen=True, slots=True)
class PeriodReport:
    """P&L over a named period, with the value history to draw (daily snapshots, then now)."""

    period: str
    pnl: PeriodPnL
    quote: str
    timezone: str
    history: tuple[tuple[datetime, Decimal], ...]


async def period_report(deps: Deps, user_id: int, period: str) -> PeriodReport | None:
    """P&L of the person's portfolio over `period` (core's PERIODS), in their time zone; None
    when they have no trades. Raises BadArgument for another period, TradeRejected as
    portfolio_now does.

    Prices at the period's start come from stored candles (prices_at), not from the daily
    snapshots: pnl_over needs each asset's price to split unrealised P&L from cash put in or
    taken out, and a snapshot keeps only the total. Snapshots draw the value line instead.
    """
    now = deps.clock.now()
    async with deps.sessions() as session:
        settings = await read_settings(session, user_id)
        zone = _zone(settings.timezone)
        start = period_start(period, now, zone)
        ledger = await shared_ledger(deps, session, user_id, settings)
        if not ledger.trades:
            return None
        stored = await trade_rows.snapshots(session, user_id, since=start)
    trades = ledger.trades
    earlier = {t.asset for t in trades if t.executed_at < start}
    held_now = [p.asset for p in ledger.holdings()]
    at_start = await prices_at(deps, earlier, start) if earlier else {}
    prices = await current_prices(deps, held_now, settings.quote)
    pnl = pnl_over(trades, settings.method, at_start, prices, start, now)
    history = [(day, value) for day, value, _ in stored if day <= now]
    if not history or history[-1][0] < now:
        history.append((now, valuation(ledger, prices, now).value))
    return PeriodReport(period, pnl, ledger.quote or settings.quote, zone.key, tuple(history))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def settings_of(deps: Deps, user_id: int) -> PortfolioSettings:
    async with deps.sessions() as session:
        return await read_settings(session, user_id)


@dataclass(frozen=True, slots=True)
class SettingChange:
    """What a settings command did: `changed` False with `refusal` set means nothing was
    written; with neither, the setting already was `value`."""

    value: str
    changed: bool = False
    refusal: str = ""
    trades: int = 0


async def change_cost_method(
    deps: Deps, person: PersonSeen, chat: ChatSeen, method: str
) -> SettingChange:
    """Set the person's cost-basis method ("fifo" or "average"; checked by the caller). Their
    ledger is replayed from the trades with it the next time it is read."""
    async with deps.sessions.begin() as session:
        current = await read_settings(session, person.id)
        count = await trade_rows.count(session, person.id)
        if current.method == method:
            return SettingChange(method, trades=count)
        await register(session, person, chat, deps.clock.now())
        await save_settings(session, person.id, method=method)
    return SettingChange(method, changed=True, trades=count)


async def change_quote(deps: Deps, person: PersonSeen, chat: ChatSeen, quote: str) -> SettingChange:
    """Set the person's quote currency (one of QUOTE_CURRENCIES; checked by the caller), unless
    trades they have would then book in another currency than `quote`; nothing is written then.
    """
    async with deps.sessions.begin() as session:
        current = await read_settings(session, person.id)
        if current.quote == quote:
            return SettingChange(quote)
        booked = await session.scalars(
            select(TradeModel.quote_currency).distinct().where(TradeModel.user_id == person.id)
        )
        other = sorted({book_quote(q, quote) for q in booked} - {quote})
        if other:
            return SettingChange(current.quote, refusal=", ".join(other))
        await register(session, person, chat, deps.clock.now())
        await save_settings(session, person.id, quote=quote)
    return SettingChange(quote, changed=True)
