"""A person's portfolio as /portfolio and /pnl show it: holdings at the latest prices, and
P&L over a period with the value history to draw. Each reads in one transaction.

Prices come from the cross-exchange quotes the workers keep; USD and the dollar stablecoins
count as one currency ("USD") unless the person chose a stablecoin as their quote currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.dates import zone as zone_named
from core.market import TIMEFRAMES
from core.people import CostMethod, Preferences
from core.portfolio import (
    PERIODS,
    PeriodPnL,
    PortfolioView,
    TradeRejected,
    period_start,
    pnl_over,
    valuation,
)
from core.refusal import BadArgument
from db.candles import load_candles, market_ids_for
from db.repos import people
from db.repos import trades as trade_rows
from services.deps import Deps
from services.ledgers import in_zone, shared_ledger
from services.prices import prices_in

# How far before a moment the last candle may have closed and still give its price then.
PRICE_AT_TIMEFRAMES = (("1h", timedelta(days=2)), ("1d", timedelta(days=7)))


@dataclass(frozen=True, slots=True)
class Holdings:
    """The person's portfolio now, and how its cost basis is counted."""

    view: PortfolioView
    method: CostMethod


@dataclass(frozen=True, slots=True)
class PeriodReport:
    """P&L over a named period, with the value history to draw (daily snapshots, then now)."""

    period: str
    pnl: PeriodPnL
    quote: str
    timezone: str
    history: tuple[tuple[datetime, Decimal], ...]


async def _chosen(session: AsyncSession, user_id: int) -> Preferences:
    return await people.preferences(session, user_id) or Preferences()


async def portfolio_now(deps: Deps, user_id: int) -> Holdings:
    """The person's holdings at the latest prices.

    Raises TradeRejected when the stored trades do not replay (a stored sell that oversells).
    """
    async with deps.read() as session:
        chosen = await _chosen(session, user_id)
        try:
            ledger = await shared_ledger(deps, session, user_id, chosen)
        except TradeRejected as rejected:
            raise in_zone(rejected, chosen.timezone) from None
        held = [p.asset for p in ledger.holdings()]
        prices = await prices_in(deps, session, held, chosen.quote)
    return Holdings(valuation(ledger, prices, deps.clock.now()), chosen.method)


async def prices_at(
    session: AsyncSession, assets: Iterable[str], moment: datetime
) -> dict[str, Decimal]:
    """Each asset's price at a past `moment`: the close of the last stored candle that had
    closed by then — hourly if one closed within PRICE_AT_TIMEFRAMES' age, else daily. An asset
    without such a candle is left out (its P&L over the period cannot be told)."""
    prices: dict[str, Decimal] = {}
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


async def period_report(deps: Deps, user_id: int, period: str) -> PeriodReport | None:
    """P&L of the person's portfolio over `period` (day, week, month, year or all, as typed),
    in their time zone; None when they have no trades. Raises BadArgument `pnl.period` for
    another period, TradeRejected as portfolio_now does.

    Prices at the period's start come from stored candles (prices_at), not from the daily
    snapshots: pnl_over needs each asset's price to split unrealised P&L from cash put in or
    taken out, and a snapshot keeps only the total. Snapshots draw the value line instead.
    """
    name = period.strip().lower()
    if name not in PERIODS:
        raise BadArgument("pnl.period", typed=period.strip()[:20], periods=PERIODS)
    now = deps.clock.now()
    async with deps.read() as session:
        chosen = await _chosen(session, user_id)
        tz = zone_named(chosen.timezone)
        zone = tz.key
        try:
            ledger = await shared_ledger(deps, session, user_id, chosen)
        except TradeRejected as rejected:
            raise in_zone(rejected, zone) from None
        if not ledger.trades:
            return None
        start = period_start(name, now, tz, ledger.trades[0].executed_at)
        stored = await trade_rows.snapshots(session, user_id, since=start)
        earlier = {t.asset for t in ledger.trades if t.executed_at < start}
        at_start = await prices_at(session, earlier, start) if earlier else {}
        held = [p.asset for p in ledger.holdings()]
        prices = await prices_in(deps, session, held, chosen.quote)
    pnl = pnl_over(ledger.trades, chosen.method, at_start, prices, start, now)
    history = [(day, value) for day, value, _ in stored if day <= now]
    if not history or history[-1][0] < now:
        history.append((now, valuation(ledger, prices, now).value))
    return PeriodReport(name, pnl, ledger.quote or chosen.quote, zone, tuple(history))
