"""Numbers as people type them in chat: `0.5`, `64,000.50`, `0,5`, `1.234,56`, `70 000`. Pure.

A dot is always a decimal point (the way crypto prices are written everywhere). A comma is a
decimal comma wherever it cannot be a thousands separator: `0,5`, `1,25`, `1234,5`, and after
dotted thousands (`1.234,56`). `1,234` is one thousand two hundred and thirty-four in English;
from someone whose language writes decimals with a comma it could mean 1.234 as well, so it is
refused with both readings. Thousands may also be grouped with (non-breaking) spaces.

Every number is bounded by what it is (`BOUNDS`: a quantity, a price, a percentage…) before
anything is computed with it, so a typing accident is refused with what would work rather
than carried into a ledger or an alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.refusal import BadArgument

MAX_DIGITS = 30  # more than any real quantity or price; keeps 1e30-style input out
MAX_TYPED = 40  # characters: longer is not a number anyone means


@dataclass(frozen=True, slots=True)
class Bounds:
    """What a kind of number may be: from `least` to `most`, with at most `places` decimals.
    Zero, when `least` is above it, is refused as not positive rather than as too small."""

    least: Decimal
    most: Decimal
    places: int


_WEI = Decimal("1e-18")  # the smallest unit of most tokens: no quantity is finer
# The smallest price that still shows a digit where prices are shown (12 places at most,
# core.formatting); cheaper coins are quoted per thousand or per million units.
MIN_PRICE = Decimal("1e-12")
MAX_PRICE = Decimal(10**12)  # above any coin's price in any quote people use
MAX_QUANTITY = Decimal(10**15)  # above the supply of any token people hold (SHIB: 5.9e14)
MAX_PERCENT = Decimal(1000)  # the largest move an alert watches for; nothing else reads %
BOUNDS: dict[str, Bounds] = {
    "quantity": Bounds(_WEI, MAX_QUANTITY, 18),
    "price": Bounds(MIN_PRICE, MAX_PRICE, 18),
    "fee": Bounds(Decimal(0), MAX_QUANTITY, 18),
    "level": Bounds(MIN_PRICE, MAX_PRICE, 18),  # an alert's price level
    "percentage": Bounds(Decimal(0), MAX_PERCENT, 4),  # zero: the grammar says why not
    "rsi_level": Bounds(Decimal(0), Decimal(100), 4),
    "amount": Bounds(Decimal(0), MAX_QUANTITY, 18),  # any other
}

_PLAIN = re.compile(r"^(\d+)(?:\.(\d+))?$|^\.(\d+)$", re.ASCII)
_COMMA_GROUPS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$", re.ASCII)  # 64,000.50
_DOT_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+,\d+$", re.ASCII)  # 64.000,50
_DOTS_ONLY = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}$", re.ASCII)  # 1.234.567
_SPACE_GROUPS = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?$", re.ASCII)  # 70 000,5
_DECIMAL_COMMA = re.compile(r"^\d*,\d+$", re.ASCII)  # 0,5 · 1234,5 (and 1,234: see below)
_ONE_GROUP = re.compile(r"^\d{1,3},\d{3}$", re.ASCII)  # 1,234: thousands, or a decimal comma


def parse_amount(text: str, what: str, *, decimal_comma: bool = False) -> Decimal:
    """A non-negative number as typed, within the BOUNDS of `what` ("quantity", "price"…;
    it also names the number in a refusal).

    `decimal_comma`: the person's language writes decimals with a comma, which makes `1,234`
    ambiguous. Raises BadArgument `amount.not_a_number`, `amount.ambiguous`, `amount.too_long`,
    `amount.not_positive`, `amount.too_small` (least), `amount.too_big` (most) or
    `amount.too_precise` (places).
    """
    typed = text.strip()
    cleaned = typed.lstrip("$").strip()
    if len(cleaned) > MAX_TYPED:
        raise BadArgument("amount.too_long", what=what)
    digits = _digits(cleaned, what, typed, decimal_comma)
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the patterns admit only valid numbers
        raise BadArgument("amount.not_a_number", what=what, typed=typed) from None
    if len(value.as_tuple().digits) > MAX_DIGITS:
        raise BadArgument("amount.too_long", what=what)
    within(value, what)
    return value


def within(value: Decimal, what: str) -> None:
    """Refuse `value` if it is outside the BOUNDS of `what` (codes as parse_amount's)."""
    bounds = BOUNDS.get(what, BOUNDS["amount"])
    if value < bounds.least:
        if not value and bounds.least > 0:
            raise BadArgument("amount.not_positive", what=what)
        raise BadArgument("amount.too_small", what=what, least=bounds.least)
    if value > bounds.most:
        raise BadArgument("amount.too_big", what=what, most=bounds.most)
    exponent = value.normalize().as_tuple().exponent  # 1.50 has one place worth keeping
    if isinstance(exponent, int) and -exponent > bounds.places:
        raise BadArgument("amount.too_precise", what=what, places=bounds.places)


def _digits(cleaned: str, what: str, typed: str, decimal_comma: bool) -> str:
    """`cleaned` as Decimal's own notation, or a refusal."""
    if _PLAIN.match(cleaned):
        return cleaned
    if _SPACE_GROUPS.match(cleaned):
        grouped = re.sub(r"[ \u00a0\u202f']", "", cleaned)
        return grouped.replace(",", ".")
    if _ONE_GROUP.match(cleaned):
        if decimal_comma:
            whole, part = cleaned.split(",")
            raise BadArgument(
                "amount.ambiguous",
                what=what,
                typed=typed,
                as_decimal=Decimal(f"{whole}.{part}"),
                as_thousands=Decimal(whole + part),
            )
        return cleaned.replace(",", "")
    if _COMMA_GROUPS.match(cleaned):
        return cleaned.replace(",", "")
    if _DOT_GROUPS.match(cleaned):
        return cleaned.replace(".", "").replace(",", ".")
    if _DOTS_ONLY.match(cleaned):
        return cleaned.replace(".", "")
    if _DECIMAL_COMMA.match(cleaned):
        return (
            "0" + cleaned.replace(",", ".")
            if cleaned.startswith(",")
            else cleaned.replace(",", ".")
        )
    raise BadArgument("amount.not_a_number", what=what, typed=typed)
