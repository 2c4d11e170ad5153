"""A trade as a person records it, and the rules it must meet before it enters a ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from core.portfolio.display import format_quantity

Side = Literal["buy", "sell"]
CostMethod = Literal["fifo", "average"]
SIDES: tuple[str, ...] = ("buy", "sell")
COST_METHODS: tuple[str, ...] = ("fifo", "average")
MAX_PLACES = 18  # an ether has 18; more than that is a pasting accident, not a trade
MAX_AMOUNT = Decimal("1e18")  # beyond any token supply; keeps every sum exact (see ledger.EXACT)


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


def check_trade(trade: Trade, now: datetime | None = None) -> None:
    """Raise TradeRejected when `trade` could never be right, whatever else is in the ledger.

    Whether there was enough to sell depends on the ledger and is checked there. `now` is
    the moment the trade is recorded; without it the date is not compared with the clock.
    """
    if trade.side not in SIDES:
        raise TradeRejected(f"a trade is a buy or a sell, not {trade.side!r}")
    if not trade.asset:
        raise TradeRejected("the trade names no asset")
    when = trade.executed_at
    if when.tzinfo is None or when.utcoffset() is None:
        raise TradeRejected("the date has no time zone; give it in UTC")
    if now is not None and when > now:
        raise TradeRejected(f"the date {describe_moment(when)} is in the future")
    _check_amount(trade.quantity, "quantity")
    _check_amount(trade.price, "price")
    _check_amount(trade.fee, "fee", zero_allowed=True)


def _check_amount(value: Decimal, name: str, zero_allowed: bool = False) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TradeRejected(f"the {name} must be a number")
    if zero_allowed and value < 0:
        raise TradeRejected(f"the {name} cannot be negative")
    if not zero_allowed and value <= 0:
        raise TradeRejected(f"the {name} must be more than zero")
    if value >= MAX_AMOUNT:
        raise TradeRejected(f"the {name} is too large to be real")
    if value.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]  # finite: an int
        raise TradeRejected(f"the {name} has more than {MAX_PLACES} decimal places")


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
