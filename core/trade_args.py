"""Reading `/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01` into a trade request. Pure.

Refusals (BadArgument): `trade.incomplete`, `trade.not_positive` (what), `trade.unknown_word`
(typed), `trade.future` (at); and those of core.numbers (`amount.*`) and core.dates (`date.*`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from core.dates import parse_date
from core.numbers import parse_amount
from core.refusal import BadArgument

__all__ = ["TradeRequest", "parse_amount", "parse_trade"]

BARE_DAY = time(12, 0)  # a day without a time is its midday: the same day in any zone
LEEWAY = timedelta(minutes=1)  # a trade "now" typed as a time may be a little ahead of the clock
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


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
    if quantity <= 0:
        raise BadArgument("trade.not_positive", what="quantity")
    price: Decimal | None = None
    fee = Decimal(0)
    when: datetime | None = None
    rest = tokens[2:]
    while rest:
        word = rest[0].lower()
        if word in ("@", "at", "price") and len(rest) > 1:
            price = parse_amount(rest[1], "price", decimal_comma=decimal_comma)
            if price <= 0:
                raise BadArgument("trade.not_positive", what="price")
        elif word == "fee" and len(rest) > 1:
            fee = parse_amount(rest[1], "fee", decimal_comma=decimal_comma)
        elif word == "on" and len(rest) > 1:
            date_words = rest[1:3] if len(rest) > 2 and _TIME.match(rest[2]) else rest[1:2]
            when = parse_date(" ".join(date_words), now, zone).moment(zone, BARE_DAY)
            rest = rest[len(date_words) - 1 :]
        else:
            raise BadArgument("trade.unknown_word", typed=rest[0][:40])
        rest = rest[2:]
    if when is not None and when > now + LEEWAY:
        raise BadArgument("trade.future", at=when.astimezone(UTC))
    return TradeRequest(symbol, quantity, price, fee, when)


def _split_at(args: list[str]) -> list[str]:
    """`@64000` and `0.5@64000` as separate words, the way people type them."""
    out: list[str] = []
    for arg in args:
        parts = re.split(r"(@)", arg)
        out.extend(p for p in parts if p)
    return out
