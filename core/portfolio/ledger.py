"""Trades replayed in time order into positions: lots, cost basis, realised P&L, cash invested.

Conventions, as an accountant would book them:
- A buy costs quantity × price + fee; the fee is part of what the bought units cost.
- A sell brings in quantity × price − fee; its realised P&L is that less the cost of the units
  sold: the oldest lots first under "fifo", the moving average cost under "average".
- Sums and products are exact (see EXACT). The one division, the cost of part of a lot (or of
  part of an average-cost holding), is rounded half-even to COST_PLACES places and the rest of
  the cost stays with what is still held, so nothing is lost: selling everything leaves a cost
  basis of exactly zero, and realised + unrealised = value − net cash invested, to the last digit.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from core.portfolio.display import format_quantity
from core.portfolio.trades import (
    COST_METHODS,
    CostMethod,
    Trade,
    TradeRejected,
    check_trade,
    describe_moment,
    describe_oversell,
    trade_order,
)

# Amounts are below 10^18 with at most 18 places (trades.MAX_*), so a product has at most 72
# digits and a sum of a billion of them 81: at 100 digits nothing but a division ever rounds.
EXACT = Context(
    prec=100, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
COST_PLACES = 12
_COST_QUANTUM = Decimal(1).scaleb(-COST_PLACES)
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Lot:
    """What is left of one buy under FIFO."""

    quantity: Decimal
    cost: Decimal  # of the quantity left, its share of the buy's fee included
    acquired_at: datetime
    trade_id: int | None = None

    @property
    def unit_cost(self) -> Decimal:
        return self.cost / self.quantity


@dataclass(frozen=True, slots=True)
class Position:
    """One asset in a ledger; a closed position (quantity 0) still carries its realised P&L."""

    asset: str
    quantity: Decimal
    cost_basis: Decimal  # of the quantity held
    realised: Decimal
    lots: tuple[Lot, ...] = ()  # oldest first under FIFO; none under average cost

    @property
    def average_cost(self) -> Decimal | None:
        """Cost per unit held, fees included; None when nothing is held."""
        return self.cost_basis / self.quantity if self.quantity else None


class _Book:
    """One asset's running totals while trades are replayed."""

    __slots__ = ("cost", "lots", "quantity", "realised")

    def __init__(self) -> None:
        self.quantity = ZERO
        self.cost = ZERO
        self.realised = ZERO
        self.lots: deque[Lot] = deque()


class Ledger:
    """A person's trades in one quote currency, replayed in time order (ties by id).

    Build one with `Ledger.replay(trades)`, add to it with `record(trade, now)`. A trade that
    cannot enter raises TradeRejected and leaves the ledger as it was.
    """

    __slots__ = ("_books", "_invested", "_method", "_quote", "_realised", "_trades")

    def __init__(self, method: CostMethod = "fifo", quote: str | None = None) -> None:
        if method not in COST_METHODS:
            raise ValueError(f"cost basis method is fifo or average, not {method!r}")
        self._method: CostMethod = method
        self._quote = quote
        self._books: dict[str, _Book] = {}
        self._trades: list[Trade] = []
        self._realised = ZERO
        self._invested = ZERO

    @classmethod
    def replay(
        cls, trades: Iterable[Trade], method: CostMethod = "fifo", *, now: datetime | None = None
    ) -> Ledger:
        """A ledger of `trades` in time order; TradeRejected names the first that cannot be."""
        ledger = cls(method)
        with localcontext(EXACT):
            for trade in sorted(trades, key=trade_order):
                check_trade(trade, now)
                ledger._apply(trade)
        return ledger

    def record(self, trade: Trade, now: datetime) -> None:
        """Add `trade`, dated any time up to `now`; or raise TradeRejected, changing nothing."""
        check_trade(trade, now)
        if not self._trades or trade_order(trade) >= trade_order(self._trades[-1]):
            with localcontext(EXACT):
                self._apply(trade)
            return
        # Back-dated: what it does to every later trade has to be seen again.
        rebuilt, refused = admit(self._trades, [trade], self._method, now)
        if refused:
            raise TradeRejected(refused[0][1])
        self._adopt(rebuilt)

    @property
    def method(self) -> CostMethod:
        return self._method

    @property
    def quote(self) -> str | None:
        """The currency prices, fees and results are in; None until the first trade."""
        return self._quote

    @property
    def trades(self) -> tuple[Trade, ...]:
        """In ledger order."""
        return tuple(self._trades)

    @property
    def realised(self) -> Decimal:
        """Realised P&L of every sell so far, all assets."""
        return self._realised

    @property
    def net_invested(self) -> Decimal:
        """Cash put in: buy costs with fees, less sell proceeds net of fees."""
        return self._invested

    def position(self, asset: str) -> Position | None:
        book = self._books.get(asset)
        return None if book is None else self._position(asset, book)

    def positions(self) -> list[Position]:
        """Every asset ever traded, open or closed, by symbol."""
        return [self._position(asset, self._books[asset]) for asset in sorted(self._books)]

    def holdings(self) -> list[Position]:
        """The assets held now, by symbol."""
        return [p for p in self.positions() if p.quantity]

    def _position(self, asset: str, book: _Book) -> Position:
        return Position(asset, book.quantity, book.cost, book.realised, tuple(book.lots))

    def _apply(self, trade: Trade) -> None:
        """Book one valid trade that comes after all others; call within localcontext(EXACT)."""
        if trade.quote != self._quote and self._quote is not None:
            raise TradeRejected(f"this portfolio is kept in {self._quote}, not {trade.quote}")
        book = self._books.get(trade.asset)
        quantity = trade.quantity
        if trade.side == "sell" and (book is None or quantity > book.quantity):
            raise TradeRejected(describe_oversell(trade, book.quantity if book else ZERO))
        # Valid from here on: nothing above has changed the ledger.
        self._quote = trade.quote
        if book is None:
            book = self._books[trade.asset] = _Book()
        if trade.side == "buy":
            cost = quantity * trade.price + trade.fee
            book.quantity += quantity
            book.cost += cost
            if self._method == "fifo":
                book.lots.append(Lot(quantity, cost, trade.executed_at, trade.id))
            self._invested += cost
        else:
            if quantity == book.quantity:
                sold_cost = book.cost
                book.lots.clear()
            elif self._method == "fifo":
                sold_cost = _take_from_lots(book.lots, quantity)
            else:
                sold_cost = _share(book.cost, quantity, book.quantity)
            proceeds = quantity * trade.price - trade.fee
            book.quantity -= quantity
            book.cost -= sold_cost
            book.realised += proceeds - sold_cost
            self._realised += proceeds - sold_cost
            self._invested -= proceeds
        self._trades.append(trade)

    def _adopt(self, other: Ledger) -> None:
        self._quote, self._books, self._trades = other._quote, other._books, other._trades
        self._realised, self._invested = other._realised, other._invested


def _take_from_lots(lots: deque[Lot], quantity: Decimal) -> Decimal:
    """Cost of `quantity` taken from the oldest lots on (less than they hold in all)."""
    cost = ZERO
    while quantity:
        lot = lots[0]
        if lot.quantity <= quantity:
            cost += lot.cost
            quantity -= lot.quantity
            lots.popleft()
        else:
            part = _share(lot.cost, quantity, lot.quantity)
            lots[0] = Lot(lot.quantity - quantity, lot.cost - part, lot.acquired_at, lot.trade_id)
            cost += part
            quantity = ZERO
    return cost


def _share(cost: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """The cost of `part` of `whole`, rounded to COST_PLACES, never more than `cost` itself."""
    exact = cost * part / whole
    rounded = exact.quantize(_COST_QUANTUM)
    return min(exact if rounded == exact else rounded, cost)  # 121, not 121.000000000000


def admit(
    existing: Sequence[Trade],
    candidates: Sequence[Trade],
    method: CostMethod = "fifo",
    now: datetime | None = None,
) -> tuple[Ledger, list[tuple[int, str]]]:
    """A ledger of `existing` with as many `candidates` as can enter it, in time order.

    Returns it and (index in `candidates`, reason) for each one left out. `existing` trades
    are trusted; a candidate sell is left out when there was not enough to sell at its
    moment, or when it would leave too little for a later sell already recorded (then the
    latest such candidate goes, and the replay starts again). Candidates at the same moment
    as existing trades come after them, and keep their own order among themselves.
    """
    refused: dict[int, str] = {}
    for index, trade in enumerate(candidates):
        try:
            check_trade(trade, now)
        except TradeRejected as rejected:
            refused[index] = rejected.reason
    merged: list[tuple[Trade, int | None]] = [(trade, None) for trade in existing]
    merged += [(trade, index) for index, trade in enumerate(candidates)]
    merged.sort(key=lambda pair: trade_order(pair[0]))  # stable: see the docstring
    quote = existing[0].quote if existing else None
    while True:
        ledger, blocked = Ledger(method, quote), None
        sells: dict[str, list[int]] = {}
        with localcontext(EXACT):
            for trade, index in merged:
                if index in refused:
                    continue
                try:
                    ledger._apply(trade)
                except TradeRejected as rejected:
                    if index is not None:
                        refused[index] = rejected.reason
                        continue
                    if not sells.get(trade.asset):
                        raise  # the recorded trades do not replay on their own
                    blocked = trade, sells[trade.asset].pop()
                    break
                if index is not None and trade.side == "sell":
                    sells.setdefault(trade.asset, []).append(index)
        if blocked is None:
            return ledger, sorted(refused.items())
        later, culprit = blocked
        refused[culprit] = (
            f"it would leave too little {later.asset} for the sell of "
            f"{format_quantity(later.quantity, later.asset, exact=True)} "
            f"on {describe_moment(later.executed_at)}"
        )
