"""A trade as a person records it, and the rules it must meet before it enters a ledger."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Literal

from core.portfolio.display import format_quantity

Side = Literal["buy", "sell"]
CostMethod = Literal["fifo", "average"]
SIDES: tuple[str, ...] = ("buy", "sell")
COST_METHODS: tuple[str, ...] = ("fifo", "average")
_TIME_AND_ID = attrgetter("executed_at", "id")
MAX_AMOUNT = Decimal("1e18")  # beyond any token's supply: a typing accident, not a trade
_ZERO = Decimal(0)  # compared with Decimals, twice as fast as 0


class TradeRejected(ValueError):
    """A trade that cannot enter the ledger; `reason` is one short sentence for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Trade:
    """`quantity` of `asset` bought or sold at `price` per unit; price and fee are in `quote`."""

    id: int | None
    asset: str
    side: Side
    quantity: Decimal
    price: Decimal
    fee: Decimal
    executed_at: datetime  # aware; stored and exported as UTC
    quote: str


def trade_order(trade: Trade) -> tuple[datetime, bool, int]:
    """Ledger order: by time, then by id; trades not yet stored come after stored ones."""
    return (trade.executed_at, trade.id is None, trade.id or 0)


def in_ledger_order(trades: Iterable[Trade]) -> list[Trade]:
    """`trades` sorted by trade_order; stable, so same-moment trades without ids keep theirs."""
    listed = list(trades)
    try:  # the same order, several times faster, unless a stored and an unstored trade tie
        listed.sort(key=_TIME_AND_ID)
    except TypeError:
        listed.sort(key=trade_order)
    return listed


def check_trade(trade: Trade, now: datetime | None = None) -> None:
    """Raise TradeRejected when `trade` could never be right, whatever else is in the ledger.

    Whether there was enough to sell depends on the ledger and is checked there. `now` is
    the moment the trade is recorded; without it the date is not compared with the clock.
    """
    q, price, fee, when = trade.quantity, trade.price, trade.fee, trade.executed_at
    try:  # the rules of _what_is_wrong in one expression: replays check thousands of trades
        fine = (
            trade.side in SIDES
            and bool(trade.asset)
            and type(q) is Decimal
            and type(price) is Decimal
            and type(fee) is Decimal
            and _ZERO < q < MAX_AMOUNT
            and _ZERO < price < MAX_AMOUNT
            and _ZERO <= fee < MAX_AMOUNT
            and type(when) is datetime
            and (when.tzinfo is UTC or when.utcoffset() is not None)
            and (now is None or when <= now)
        )
    except (ArithmeticError, TypeError):  # NaN cannot be compared
        fine = False
    reason = None if fine else _what_is_wrong(trade, now)
    if reason:
        raise TradeRejected(reason)


def _what_is_wrong(trade: Trade, now: datetime | None) -> str | None:
    if trade.side not in SIDES:
        return f"a trade is a buy or a sell, not {trade.side!r}"
    if not trade.asset:
        return "the trade names no asset"
    for name, value in (("quantity", trade.quantity), ("price", trade.price), ("fee", trade.fee)):
        if not isinstance(value, Decimal) or not value.is_finite():
            return f"the {name} must be a number"
        if name == "fee" and value < 0:
            return "the fee cannot be negative"
        if name != "fee" and value <= 0:
            return f"the {name} must be more than zero"
        if value >= MAX_AMOUNT:
            return f"the {name} is too large to be real"
    when = trade.executed_at
    if not isinstance(when, datetime):
        return "the date must be a date and time"
    if when.utcoffset() is None:
        return "the date has no time zone; give it in UTC"
    if now is not None and when > now:
        return f"the date {describe_moment(when)} is in the future"
    return None


def describe_moment(when: datetime) -> str:
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def describe_oversell(trade: Trade, held: Decimal) -> str:
    moment = describe_moment(trade.executed_at)
    if not held:
        return f"you held no {trade.asset} on {moment}, so there was nothing to sell"
    return (
        f"you held only {format_quantity(held, trade.asset, exact=True)} on {moment}, "
        f"less than the {format_quantity(trade.quantity, trade.asset, exact=True)} sold"
    )
