"""What a ledger is worth at given prices: holdings, totals, P&L over a period, daily snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from core.portfolio.booking import EXACT, ZERO
from core.portfolio.ledger import Ledger, Position
from core.portfolio.trades import CostMethod, Trade
from core.refusal import BadArgument

PERIODS: tuple[str, ...] = ("day", "week", "month", "year", "all")
ALL_TIME = datetime(1970, 1, 1, tzinfo=UTC)  # "all" of a ledger without trades
_RATIO = Context(prec=28, rounding=ROUND_HALF_EVEN)  # percentages are for reading, not booking


@dataclass(frozen=True, slots=True)
class HoldingView:
    """One asset held, valued at its price; value and what follows are None without a price."""

    asset: str
    quantity: Decimal
    average_cost: Decimal  # per unit, fees included
    cost_basis: Decimal
    realised: Decimal
    price: Decimal | None
    value: Decimal | None
    unrealised: Decimal | None
    unrealised_pct: Decimal | None  # of the cost basis; None also when that is zero
    share_pct: Decimal | None  # of the total value of priced holdings

    @property
    def priced(self) -> bool:
        return self.price is not None


@dataclass(frozen=True, slots=True)
class PortfolioView:
    """A ledger at current prices. Totals of value, cost and unrealised leave `unpriced` out."""

    quote: str | None
    at: datetime
    holdings: tuple[HoldingView, ...]  # largest value first, unpriced ones last
    value: Decimal
    cost_basis: Decimal
    unrealised: Decimal
    unrealised_pct: Decimal | None
    realised: Decimal  # every sell of every asset: it needs no price
    net_invested: Decimal
    unpriced: tuple[str, ...]  # held, but no price was given: listed, left out of totals

    @property
    def total_pnl(self) -> Decimal:
        return self.realised + self.unrealised

    @property
    def complete(self) -> bool:
        return not self.unpriced


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One day's line in the value history; `value` leaves `unpriced` holdings out."""

    day: date
    value: Decimal
    invested: Decimal
    realised: Decimal
    unpriced: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PeriodPnL:
    """P&L from `start` to `end`: sells realised within it, and how unrealised P&L moved.

    With every price known, `total` = value_end − value_start − invested (the net cash put in
    during the period). Assets in `unpriced` lacked a price at one end while held, and are
    left out of the unrealised and value figures at both ends.
    """

    start: datetime
    end: datetime
    realised: Decimal
    unrealised_start: Decimal
    unrealised_end: Decimal
    value_start: Decimal
    value_end: Decimal
    invested: Decimal
    unpriced: tuple[str, ...] = ()

    @property
    def unrealised_change(self) -> Decimal:
        return self.unrealised_end - self.unrealised_start

    @property
    def total(self) -> Decimal:
        return self.realised + self.unrealised_change


def valuation(ledger: Ledger, prices: Mapping[str, Decimal], now: datetime) -> PortfolioView:
    """The ledger's holdings at `prices` (in the ledger's quote currency), as of `now`."""
    held = ledger.holdings()
    with localcontext(EXACT):
        value, cost, unpriced = _worth(held, prices)
        holdings = sorted(
            (_holding_view(position, prices.get(position.asset), value) for position in held),
            key=lambda h: (h.value is None, -(h.value or ZERO), h.asset),
        )
        unrealised = value - cost
    return PortfolioView(
        quote=ledger.quote,
        at=now,
        holdings=tuple(holdings),
        value=value,
        cost_basis=cost,
        unrealised=unrealised,
        unrealised_pct=_percent(unrealised, cost),
        realised=ledger.realised,
        net_invested=ledger.net_invested,
        unpriced=unpriced,
    )


def snapshot(ledger: Ledger, prices: Mapping[str, Decimal], day: date) -> Snapshot:
    """The ledger's line in the daily value history; give it the ledger as it stood that day."""
    with localcontext(EXACT):
        value, _, unpriced = _worth(ledger.holdings(), prices)
    return Snapshot(day, value, ledger.net_invested, ledger.realised, unpriced)


def pnl_over(
    trades: Iterable[Trade],
    method: CostMethod,
    prices_at_start: Mapping[str, Decimal],
    prices_now: Mapping[str, Decimal],
    start: datetime,
    now: datetime,
) -> PeriodPnL:
    """P&L of the period [start, now]: trades at `start` belong to it, trades after `now` don't."""
    until_now = [t for t in trades if t.executed_at <= now]
    before = Ledger.replay([t for t in until_now if t.executed_at < start], method)
    after = Ledger.replay(until_now, method)  # stored trades: replayed as valuation's are
    held_at_start, held_now = before.holdings(), after.holdings()
    missing = {p.asset for p in held_at_start if prices_at_start.get(p.asset) is None}
    missing |= {p.asset for p in held_now if prices_now.get(p.asset) is None}
    with localcontext(EXACT):
        value_start, cost_start, _ = _worth(
            [p for p in held_at_start if p.asset not in missing], prices_at_start
        )
        value_end, cost_end, _ = _worth([p for p in held_now if p.asset not in missing], prices_now)
        return PeriodPnL(
            start=start,
            end=now,
            realised=after.realised - before.realised,
            unrealised_start=value_start - cost_start,
            unrealised_end=value_end - cost_end,
            value_start=value_start,
            value_end=value_end,
            invested=after.net_invested - before.net_invested,
            unpriced=tuple(sorted(missing)),
        )


def period_start(
    name: str, now: datetime, tz: tzinfo, first_trade: datetime | None = None
) -> datetime:
    """When "day" (local midnight), "week" (Monday), "month", "year" or "all" began, in UTC;
    BadArgument `pnl.period` for another name.

    "all" began with the ledger's `first_trade`, whenever that was: then nothing was held
    before it, and all-time P&L is what the holdings show now (ALL_TIME without trades)."""
    if name == "all":
        return ALL_TIME if first_trade is None else first_trade
    today = now.astimezone(tz).date()
    if name == "day":
        first = today
    elif name == "week":
        first = today - timedelta(days=today.weekday())
    elif name == "month":
        first = today.replace(day=1)
    elif name == "year":
        first = today.replace(month=1, day=1)
    else:
        raise BadArgument("pnl.period", typed=name[:20], periods=PERIODS)
    return datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)


def _worth(
    held: Iterable[Position], prices: Mapping[str, Decimal]
) -> tuple[Decimal, Decimal, tuple[str, ...]]:
    """Value and cost basis of the priced holdings, and the unpriced ones; in EXACT."""
    value = cost = ZERO
    unpriced: list[str] = []
    for position in held:
        price = prices.get(position.asset)
        if price is None:
            unpriced.append(position.asset)
        else:
            value += position.quantity * price
            cost += position.cost_basis
    return value, cost, tuple(unpriced)


def _holding_view(position: Position, price: Decimal | None, total: Decimal) -> HoldingView:
    value = None if price is None else position.quantity * price
    gain = None if value is None else value - position.cost_basis
    return HoldingView(
        asset=position.asset,
        quantity=position.quantity,
        average_cost=_RATIO.divide(position.cost_basis, position.quantity),
        cost_basis=position.cost_basis,
        realised=position.realised,
        price=price,
        value=value,
        unrealised=gain,
        unrealised_pct=None if gain is None else _percent(gain, position.cost_basis),
        share_pct=None if value is None else _percent(value, total),
    )


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return _RATIO.multiply(_RATIO.divide(part, whole), 100) if whole else None
