"""A trade as a person records it, and the rules it must meet before it enters a ledger."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Literal, cast

from core.currencies import book_quote
from core.dates import EARLIEST
from core.refusal import Refusal

Side = Literal["buy", "sell"]
CostMethod = Literal["fifo", "average"]
SIDES: tuple[str, ...] = ("buy", "sell")
COST_METHODS: tuple[str, ...] = ("fifo", "average")
_TIME_AND_ID = attrgetter("executed_at", "id")
MAX_AMOUNT = Decimal("1e18")  # beyond any token's supply: a typing accident, not a trade
# The first moment of Bitcoin's first day anywhere (UTC+14): no coin was traded before it.
FIRST_MOMENT = datetime.combine(EARLIEST, time(0), tzinfo=UTC) - timedelta(hours=14)
_ZERO = Decimal(0)  # compared with Decimals, twice as fast as 0


class TradeRejected(Refusal):
    """A trade that cannot enter the ledger: `code` says why, `params` the facts.

    Codes: trade.not_a_side (side), trade.no_asset, trade.not_a_number (what),
    trade.not_positive (what), trade.negative_fee, trade.too_large (what), trade.no_moment,
    trade.naive_date, trade.future (at), trade.too_early (earliest: a date),
    trade.oversold (asset, held, sold, at),
    trade.too_many_digits, trade.other_currency (kept, quote), trade.starves_sell (asset,
    quantity, at). `what` is quantity, price or fee; `at` an aware UTC moment.
    """


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

    @property
    def total(self) -> Decimal:
        """What a buy cost or a sell brought in, fee included."""
        gross = self.quantity * self.price
        return gross + self.fee if self.side == "buy" else gross - self.fee


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


def booked_in(trades: Iterable[Trade], quote: str) -> list[Trade]:
    """`trades` as a portfolio kept in `quote` books them (in a USD one, dollar stablecoins
    as USD)."""
    return [
        trade if (booked := book_quote(trade.quote, quote)) == trade.quote
        else replace(trade, quote=booked)
        for trade in trades
    ]  # fmt: skip


def check_trade(trade: Trade, now: datetime | None = None) -> None:
    """Raise TradeRejected when `trade` could never be right, whatever else is in the ledger.

    Whether there was enough to sell depends on the ledger and is checked there. `now` is
    the moment the trade is recorded: then it must lie between FIRST_MOMENT and `now`.
    Without it (trades already stored, replayed) the date is not compared with either, so a
    row stored before these rules still replays.
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
            and (now is None or FIRST_MOMENT <= when <= now)
        )
    except (ArithmeticError, TypeError):  # NaN cannot be compared
        fine = False
    rejected = None if fine else _what_is_wrong(trade, now)
    if rejected is not None:
        raise rejected


def _what_is_wrong(trade: Trade, now: datetime | None) -> TradeRejected | None:
    if trade.side not in SIDES:
        return TradeRejected("trade.not_a_side", side=str(trade.side)[:20])
    if not trade.asset:
        return TradeRejected("trade.no_asset")
    for name, value in (("quantity", trade.quantity), ("price", trade.price), ("fee", trade.fee)):
        if not isinstance(value, Decimal) or not value.is_finite():
            return TradeRejected("trade.not_a_number", what=name)
        if name == "fee" and value < 0:
            return TradeRejected("trade.negative_fee")
        if name != "fee" and value <= 0:
            return TradeRejected("trade.not_positive", what=name)
        if value >= MAX_AMOUNT:
            return TradeRejected("trade.too_large", what=name)
    when = trade.executed_at
    if not isinstance(when, datetime):
        return TradeRejected("trade.no_moment")
    if when.utcoffset() is None:
        return TradeRejected("trade.naive_date")
    if now is not None and when > now:
        return TradeRejected("trade.future", at=when.astimezone(UTC))
    if now is not None and when < FIRST_MOMENT:
        return TradeRejected("trade.too_early", earliest=EARLIEST)
    return None


def oversold(trade: Trade, held: Decimal) -> TradeRejected:
    """The refusal of a sell of more than the `held` quantity."""
    return TradeRejected(
        "trade.oversold",
        asset=trade.asset,
        held=held,
        sold=trade.quantity,
        at=trade.executed_at.astimezone(UTC),
    )


def starves(later: Trade) -> TradeRejected:
    """The refusal of a trade that would leave too little for the `later` sell."""
    return TradeRejected(
        "trade.starves_sell",
        asset=later.asset,
        quantity=later.quantity,
        at=later.executed_at.astimezone(UTC),
    )


# ---- trades kept as JSON (a pending confirmation's payload) ------------------------------------


def dump_trades(trades: Sequence[Trade]) -> list[list[str]]:
    """Trades as JSON-ready values, numbers as exact decimal text (ids are not kept)."""
    return [
        [t.asset, t.side, str(t.quantity), str(t.price), str(t.fee), t.executed_at.isoformat(),
         t.quote]
        for t in trades
    ]  # fmt: skip


def load_trades(data: Sequence[Sequence[str]]) -> list[Trade]:
    """What dump_trades wrote, digit for digit."""
    return [
        Trade(
            None,
            asset,
            cast(Side, side),
            Decimal(q),
            Decimal(p),
            Decimal(f),
            datetime.fromisoformat(w),
            qc,
        )
        for asset, side, q, p, f, w, qc in data
    ]
