"""How one asset's trades become its running totals: quantity, cost basis, realised P&L.

Conventions, as an accountant would book them:
- A buy costs quantity × price + fee; the fee is part of what the bought units cost.
- A sell brings in quantity × price − fee; its realised P&L is that less the cost of the units
  sold: the oldest lots first under FIFO, the moving average cost otherwise (a sell leaves
  the average cost of what remains as it was).
- Sums and products are exact (EXACT traps anything that would round). The one division, the
  cost of part of a lot (or of part of an average-cost holding), is rounded half-even to
  COST_PLACES places and the rest of the cost stays with what is still held. So nothing is
  lost: selling everything leaves a cost basis of exactly zero, and
  realised + unrealised = value − net cash invested, to the last digit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)

from core.portfolio.trades import Trade, TradeRejected, oversold

# Amounts are below 10^18, so any realistic sum or product fits in 100 digits; a trade whose
# digits would not (a quantity with 90 decimals) is refused rather than rounded.
EXACT = Context(
    prec=100,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
_DIVIDING = Context(prec=100, rounding=ROUND_HALF_EVEN)
COST_PLACES = 12
_COST_QUANTUM = Decimal(1).scaleb(-COST_PLACES)
ZERO = Decimal(0)


# While trades are replayed a lot is a plain tuple (quantity left, cost left, the buy): there
# are thousands of them, and a sell that eats into one replaces it rather than changing it.
_OpenLot = tuple[Decimal, Decimal, Trade]


class Book:
    """One asset's running totals while trades are replayed."""

    __slots__ = ("cost", "lots", "quantity", "realised")

    def __init__(self) -> None:
        self.quantity = self.cost = self.realised = ZERO
        self.lots: deque[_OpenLot] = deque()

    def copy(self) -> Book:
        twin = Book()
        twin.quantity, twin.cost, twin.realised = self.quantity, self.cost, self.realised
        twin.lots = deque(self.lots)
        return twin


def book_trades(
    book: Book, trades: Sequence[Trade], start: int, fifo: bool
) -> tuple[int, TradeRejected | None]:
    """Book trades[start:] of one asset, in order, into `book`; within localcontext(EXACT).

    Stops at the first trade that cannot enter, returning its index and why, `book` standing
    just before it; or (len(trades), None). A trade goes in whole or not at all: everything is
    worked out before anything changes.
    """
    quantity, cost, realised, lots = book.quantity, book.cost, book.realised, book.lots
    index = start
    try:
        for index in range(start, len(trades)):
            trade = trades[index]
            amount = trade.quantity
            if trade.side == "buy":
                paid = amount * trade.price + trade.fee
                quantity, cost = quantity + amount, cost + paid
                if fifo:
                    lots.append((amount, paid, trade))
                continue
            if amount > quantity:
                return index, oversold(trade, quantity)
            if amount == quantity:
                sold, used, rest = cost, len(lots), None
            elif fifo:
                sold, used, rest = _cost_from_lots(lots, amount)
            else:
                sold, used, rest = _share(cost, amount, quantity), 0, None
            gain = amount * trade.price - trade.fee - sold
            quantity, cost, realised = quantity - amount, cost - sold, realised + gain
            for _ in range(used):
                lots.popleft()
            if rest is not None:
                lots[0] = rest
        return len(trades), None
    except Inexact:
        return index, TradeRejected("trade.too_many_digits")
    finally:
        book.quantity, book.cost, book.realised = quantity, cost, realised


def _cost_from_lots(
    lots: deque[_OpenLot], quantity: Decimal
) -> tuple[Decimal, int, _OpenLot | None]:
    """Cost of `quantity` (less than the lots hold) from the oldest lots on; how many lots that
    uses up, and what is left of the next one (None when it is used up too)."""
    cost = ZERO
    for used, (left, lot_cost, bought) in enumerate(lots):
        if left > quantity:
            part = _share(lot_cost, quantity, left)
            return cost + part, used, (left - quantity, lot_cost - part, bought)
        cost += lot_cost
        quantity -= left
        if not quantity:
            return cost, used + 1, None
    raise AssertionError("the lots hold less than their book")  # the caller checked the quantity


def _share(cost: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """The cost of `part` of `whole`, to COST_PLACES places, never more than `cost` itself."""
    share = _DIVIDING.divide(cost * part, whole)  # the product is exact: see EXACT
    rounded = _DIVIDING.quantize(share, _COST_QUANTUM)
    if rounded > cost:
        return cost
    return share if rounded == share else rounded  # 121, not 121.000000000000
