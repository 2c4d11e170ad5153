"""A person's ledger: their trades in time order, booked per asset, and what may enter it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext
from itertools import chain

from core.portfolio.booking import EXACT, ZERO, Book, book_trades
from core.portfolio.trades import (
    COST_METHODS,
    CostMethod,
    Trade,
    TradeRejected,
    check_trade,
    in_ledger_order,
    starves,
    trade_order,
)


@dataclass(frozen=True, slots=True)
class Lot:
    """What is left of one buy, under FIFO."""

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
    cost_basis: Decimal  # of the quantity held, fees included
    realised: Decimal

    @property
    def average_cost(self) -> Decimal | None:
        """Cost per unit held, fees included; None when nothing is held."""
        return self.cost_basis / self.quantity if self.quantity else None


class Ledger:
    """A person's trades in one quote currency, replayed in time order (ties by id).

    Build one with `Ledger.replay(trades)`, add to it with `record(trade, now)`. A trade that
    cannot enter raises TradeRejected and leaves the ledger as it was. Assets are booked
    apart from each other: only the order of one asset's trades matters to its position.
    """

    __slots__ = ("_books", "_method", "_quote", "_trades")

    def __init__(self, method: CostMethod = "fifo") -> None:
        if method not in COST_METHODS:
            raise ValueError(f"cost basis method is fifo or average, not {method!r}")
        self._method: CostMethod = method
        self._quote: str | None = None
        self._books: dict[str, Book] = {}
        self._trades: dict[str, list[Trade]] = {}  # per asset, in ledger order

    @classmethod
    def replay(
        cls, trades: Iterable[Trade], method: CostMethod = "fifo", *, now: datetime | None = None
    ) -> Ledger:
        """A ledger of `trades` in time order, or TradeRejected for one that cannot enter."""
        ledger = cls(method)
        by_asset = ledger._trades
        for trade in trades:
            check_trade(trade, now)
            if trade.quote != ledger._quote:
                ledger._check_quote(trade)
                ledger._quote = trade.quote
            if (asset_trades := by_asset.get(trade.asset)) is None:
                asset_trades = by_asset[trade.asset] = []
            asset_trades.append(trade)
        fifo = method == "fifo"
        with localcontext(EXACT):
            for asset, asset_trades in ledger._trades.items():
                asset_trades[:] = in_ledger_order(asset_trades)
                book = ledger._books[asset] = Book()
                _, rejected = book_trades(book, asset_trades, 0, fifo)
                if rejected is not None:
                    raise rejected
        return ledger

    def record(self, trade: Trade, now: datetime) -> None:
        """Add `trade`, dated any time up to `now`; or raise TradeRejected, changing nothing."""
        book, trades = self._with(trade, now)
        self._quote = trade.quote
        self._books[trade.asset], self._trades[trade.asset] = book, trades

    def check(self, trade: Trade, now: datetime) -> None:
        """Raise TradeRejected if `trade` could not be recorded; the ledger never changes (so a
        ledger shared between readers may be asked)."""
        self._with(trade, now)

    def _with(self, trade: Trade, now: datetime) -> tuple[Book, list[Trade]]:
        """The asset's book and trades once `trade` is in, worked out on copies."""
        check_trade(trade, now)
        self._check_quote(trade)
        earlier = self._trades.get(trade.asset, [])
        if earlier and trade_order(trade) < trade_order(earlier[-1]):
            # Back-dated: what it does to every later trade of the asset has to be seen again.
            rebuilt, refused = admit(earlier, [trade], self._method, now)
            if refused:
                raise refused[0][1]
            return rebuilt._books[trade.asset], rebuilt._trades[trade.asset]
        book = self._books[trade.asset].copy() if earlier else Book()
        with localcontext(EXACT):
            _, rejected = book_trades(book, [trade], 0, self._method == "fifo")
        if rejected is not None:
            raise rejected
        return book, [*earlier, trade]

    @property
    def method(self) -> CostMethod:
        return self._method

    @property
    def quote(self) -> str | None:
        """The currency prices, fees and results are in; None until the first trade."""
        return self._quote

    @property
    def trades(self) -> tuple[Trade, ...]:
        """All trades in ledger order."""
        return tuple(in_ledger_order(chain.from_iterable(self._trades.values())))

    @property
    def realised(self) -> Decimal:
        """Realised P&L of every sell so far, all assets."""
        with localcontext(EXACT):
            return sum((book.realised for book in self._books.values()), ZERO)

    @property
    def net_invested(self) -> Decimal:
        """Cash put in: buy costs with fees, less sell proceeds net of fees."""
        # Per asset that is the cost of what is held less the realised P&L: each buy adds its
        # cost to the first, each sell takes the cost of what it sold from it, and adds
        # proceeds less that same cost to the second.
        with localcontext(EXACT):
            return sum((book.cost - book.realised for book in self._books.values()), ZERO)

    def position(self, asset: str) -> Position | None:
        book = self._books.get(asset)
        return None if book is None else Position(asset, book.quantity, book.cost, book.realised)

    def positions(self) -> list[Position]:
        """Every asset ever traded, open or closed, by symbol."""
        return [
            Position(asset, book.quantity, book.cost, book.realised)
            for asset, book in sorted(self._books.items())
        ]

    def holdings(self) -> list[Position]:
        """The assets held now, by symbol."""
        return [p for p in self.positions() if p.quantity]

    def lots(self, asset: str) -> tuple[Lot, ...]:
        """What is left of each buy of `asset`, oldest first; none under average cost."""
        book = self._books.get(asset)
        return tuple(
            Lot(left, cost, bought.executed_at, bought.id)
            for left, cost, bought in (book.lots if book else ())
        )

    def _check_quote(self, trade: Trade) -> None:
        if trade.quote != self._quote and self._quote is not None:
            raise TradeRejected("trade.other_currency", kept=self._quote, quote=trade.quote)


def admit(
    existing: Sequence[Trade],
    candidates: Sequence[Trade],
    method: CostMethod = "fifo",
    now: datetime | None = None,
) -> tuple[Ledger, list[tuple[int, TradeRejected]]]:
    """A ledger of `existing` with as many `candidates` as can enter it, in time order.

    Returns it and (index in `candidates`, why) for each one left out. `existing` trades
    are trusted. A candidate sell is left out when there was not enough to sell at its
    moment, or when it would leave too little for a later sell already recorded (then the
    latest candidate sell before that one goes, and the asset is replayed again). Candidates
    at the same moment as existing trades come after them, in their own order.
    """
    ledger = Ledger(method)
    refused: dict[int, TradeRejected] = {}
    for trade in existing:
        ledger._check_quote(trade)
        ledger._quote = trade.quote
        ledger._trades.setdefault(trade.asset, []).append(trade)
    queue: dict[str, list[tuple[Trade, int | None]]] = {
        asset: [(trade, None) for trade in trades] for asset, trades in ledger._trades.items()
    }
    for index, trade in sorted(enumerate(candidates), key=lambda pair: trade_order(pair[1])):
        try:
            check_trade(trade, now)
            ledger._check_quote(trade)
        except TradeRejected as rejected:
            refused[index] = rejected
        else:
            ledger._quote = trade.quote
            queue.setdefault(trade.asset, []).append((trade, index))
    with localcontext(EXACT):
        for asset, entries in queue.items():
            entries.sort(key=lambda entry: trade_order(entry[0]))  # stable: see the docstring
            ledger._books[asset], ledger._trades[asset] = _admit_asset(
                entries, refused, method == "fifo"
            )
    return ledger, sorted(refused.items())


def _admit_asset(
    entries: list[tuple[Trade, int | None]], refused: dict[int, TradeRejected], fifo: bool
) -> tuple[Book, list[Trade]]:
    """One asset's part of admit(): its book and the trades in it; adds to `refused`."""
    while True:  # once more each time a candidate is found to starve a recorded sell
        entries = [(trade, index) for trade, index in entries if index not in refused]
        trades = [trade for trade, _ in entries]
        book, start = Book(), 0
        while True:
            stop, rejected = book_trades(book, trades, start, fifo)
            if rejected is None:
                return book, [trade for trade, index in entries if index not in refused]
            later, index = entries[stop]
            if index is not None:
                refused[index] = rejected
                start = stop + 1
                continue
            culprit = next(
                (i for t, i in reversed(entries[:stop]) if t.side == "sell" and i is not None
                 and i not in refused),
                None,
            )  # fmt: skip
            if culprit is None or later.side != "sell" or later.quantity <= book.quantity:
                raise rejected  # the recorded trades do not replay on their own
            refused[culprit] = starves(later)
            break
