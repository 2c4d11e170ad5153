"""Reading `/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01` into a trade request. Pure.

Refusals (BadArgument): `trade.incomplete`, `trade.unknown_word` (typed), `trade.future` (at,
or none for a day past core.dates' LATEST), `trade.too_early` (earliest: before Bitcoin's
first block); and those of core.numbers (`amount.*`: each number within its bounds) and
core.dates (`date.unreadable`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from core.dates import EARLIEST, TypedDate, local_day, parse_date
from core.numbers import parse_amount
from core.refusal import BadArgument

__all__ = ["TradeRequest", "parse_amount", "parse_trade"]

BARE_DAY = time(12, 0)  # a day without a time is its midday (today's: now, if sooner)
# A trade "now" typed as a time may be a little ahead of our clock (the person's, or their
# exchange's, runs fast): it is recorded as now.
LEEWAY = timedelta(minutes=5)
_TIME = re.compile(r"^\d{1,2}:\d{2}$", re.ASCII)


@dataclass(frozen=True, slots=True)
class TradeRequest:
    symbol: str  # as typed; the caller resolves it to a coin
    quantity: Decimal
    price: Decimal | None  # None: the market price now
    fee: Decimal
    executed_at: datetime | None  # None: now


def parse_trade(
    args: list[str], now: datetime, zone: str = "UTC", *, decimal_comma: bool = False
) -> TradeRequest:
    """SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE] — keywords in any order after the amount.

    Amounts as core.numbers reads them (`decimal_comma`: the person writes 0,5); dates as
    core.dates does, in the person's `zone`, a bare day at its midday.
    """
    tokens = _split_at(args)
    if len(tokens) < 2:
        raise BadArgument("trade.incomplete")
    symbol = tokens[0]
    quantity = parse_amount(tokens[1], "quantity", decimal_comma=decimal_comma)
    price: Decimal | None = None
    fee = Decimal(0)
    when: datetime | None = None
    rest = tokens[2:]
    while rest:
        word = rest[0].lower()
        if word in ("@", "at", "price") and len(rest) > 1:
            price = parse_amount(rest[1], "price", decimal_comma=decimal_comma)
        elif word == "fee" and len(rest) > 1:
            fee = parse_amount(rest[1], "fee", decimal_comma=decimal_comma)
        elif word == "on" and len(rest) > 1:
            date_words = rest[1:3] if len(rest) > 2 and _TIME.match(rest[2]) else rest[1:2]
            when = _moment(_date(" ".join(date_words), now, zone), now, zone)
            rest = rest[len(date_words) - 1 :]
        else:
            raise BadArgument("trade.unknown_word", typed=rest[0][:40])
        rest = rest[2:]
    if when is not None and when > now:
        if when > now + LEEWAY:
            raise BadArgument("trade.future", at=when.astimezone(UTC))
        when = now
    return TradeRequest(symbol, quantity, price, fee, when)


def _date(text: str, now: datetime, zone: str) -> TypedDate:
    try:
        return parse_date(text, now, zone)
    except BadArgument as refused:  # said as what a trade's date must be
        if refused.code == "date.too_early":
            raise BadArgument("trade.too_early", earliest=EARLIEST) from None
        if refused.code == "date.too_late":
            raise BadArgument("trade.future") from None
        raise


def _moment(typed: TypedDate, now: datetime, zone: str) -> datetime:
    when = typed.moment(zone, BARE_DAY)
    if typed.at is None and typed.day == local_day(now, zone):
        return min(when, now)  # earlier today: its midday may be still to come
    return when


def _split_at(args: list[str]) -> list[str]:
    """`@64000` and `0.5@64000` as separate words, the way people type them."""
    out: list[str] = []
    for arg in args:
        parts = re.split(r"(@)", arg)
        out.extend(p for p in parts if p)
    return out
