"""Reading `/buy BTC 0.5 @ 64000 fee 5 on 2024-03-01` into a trade request. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from core.periods import BadArgument

MAX_DIGITS = 30  # more than any real quantity or price; keeps 1e30-style input out
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")


@dataclass(frozen=True, slots=True)
class TradeRequest:
    symbol: str  # as typed; the caller resolves it to a coin
    quantity: Decimal
    price: Decimal | None  # None: the market price now
    fee: Decimal
    executed_at: datetime | None  # None: now


def parse_amount(text: str, what: str) -> Decimal:
    """A positive plain number: 0.5, 64000, 64,000.50. No exponents, no decimal commas."""
    cleaned = text.strip().lstrip("$")
    if re.match(r"^\d+,\d{1,2}$", cleaned) or re.match(r"^\d+,\d{4,}$", cleaned):
        raise BadArgument(f"{what} {cleaned!r}: use a dot for decimals, like 0.5")
    if not _NUMBER.match(cleaned):
        raise BadArgument(f"{what} must be a plain number like 0.5 or 64000, not {text[:20]!r}")
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise BadArgument(f"{what} must be a number") from None
    if len(value.as_tuple().digits) > MAX_DIGITS:
        raise BadArgument(f"{what} has more digits than any real trade")
    return value


def parse_when(text: str, now: datetime, zone: str = "UTC") -> datetime:
    """`2024-03-01`, `2024-03-01 14:30`, `today`, `yesterday`, in the person's time zone."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    word = text.strip().lower()
    if word == "today":
        return now
    if word == "yesterday":
        return (local_now - timedelta(days=1)).astimezone(UTC)
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text.strip(), layout)  # noqa: DTZ007 - zone added below
        except ValueError:
            continue
        if layout == "%Y-%m-%d":
            parsed = datetime.combine(parsed.date(), time(12, 0))  # midday: the day, whatever tz
        return parsed.replace(tzinfo=tz).astimezone(UTC)
    raise BadArgument("dates look like 2024-03-01, 2024-03-01 14:30, today or yesterday")


def parse_trade(args: list[str], now: datetime, zone: str = "UTC") -> TradeRequest:
    """SYMBOL QUANTITY [@ PRICE] [fee FEE] [on DATE] — keywords in any order after the amount."""
    tokens = _split_at(args)
    if len(tokens) < 2:
        raise BadArgument("say what and how much, like /buy BTC 0.5 or /buy BTC 0.5 @ 64000")
    symbol, quantity = tokens[0], parse_amount(tokens[1], "the quantity")
    if quantity <= 0:
        raise BadArgument("the quantity must be more than zero")
    price: Decimal | None = None
    fee = Decimal(0)
    when: datetime | None = None
    rest = tokens[2:]
    while rest:
        word = rest[0].lower()
        if word in ("@", "at", "price") and len(rest) > 1:
            price = parse_amount(rest[1], "the price")
            if price <= 0:
                raise BadArgument("the price must be more than zero")
        elif word == "fee" and len(rest) > 1:
            fee = parse_amount(rest[1], "the fee")
        elif word == "on" and len(rest) > 1:
            date_words = (
                rest[1:3] if len(rest) > 2 and re.match(r"^\d\d:\d\d$", rest[2]) else rest[1:2]
            )
            when = parse_when(" ".join(date_words), now, zone)
            rest = rest[len(date_words) - 1 :]
        else:
            raise BadArgument(
                f"I don't understand {rest[0][:20]!r}; add @ PRICE, fee FEE or on DATE"
            )
        rest = rest[2:]
    if when is not None and when > now + timedelta(minutes=1):
        raise BadArgument("that date is in the future; trades are recorded once they happened")
    return TradeRequest(symbol, quantity, price, fee, when)


def _split_at(args: list[str]) -> list[str]:
    """`@64000` and `0.5@64000` as separate words, the way people type them."""
    out: list[str] = []
    for arg in args:
        parts = re.split(r"(@)", arg)
        out.extend(p for p in parts if p)
    return out
