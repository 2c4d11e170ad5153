"""Numbers as people type them in chat: `0.5`, `64,000.50`, `0,5`, `1.234,56`, `70 000`. Pure.

A dot is always a decimal point (the way crypto prices are written everywhere). A comma is a
decimal comma wherever it cannot be a thousands separator: `0,5`, `1,25`, `1234,5`, and after
dotted thousands (`1.234,56`). `1,234` is one thousand two hundred and thirty-four in English;
from someone whose language writes decimals with a comma it could mean 1.234 as well, so it is
refused with both readings. Thousands may also be grouped with (non-breaking) spaces.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.refusal import BadArgument

MAX_DIGITS = 30  # more than any real quantity or price; keeps 1e30-style input out
MAX_TYPED = 40  # characters: longer is not a number anyone means

_PLAIN = re.compile(r"^(\d+)(?:\.(\d+))?$|^\.(\d+)$", re.ASCII)
_COMMA_GROUPS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$", re.ASCII)  # 64,000.50
_DOT_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+,\d+$", re.ASCII)  # 64.000,50
_DOTS_ONLY = re.compile(r"^\d{1,3}(?:\.\d{3}){2,}$", re.ASCII)  # 1.234.567
_SPACE_GROUPS = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f']\d{3})+(?:[.,]\d+)?$", re.ASCII)  # 70 000,5
_DECIMAL_COMMA = re.compile(r"^\d*,\d+$", re.ASCII)  # 0,5 · 1234,5 (and 1,234: see below)
_ONE_GROUP = re.compile(r"^\d{1,3},\d{3}$", re.ASCII)  # 1,234: thousands, or a decimal comma


def parse_amount(text: str, what: str, *, decimal_comma: bool = False) -> Decimal:
    """A non-negative number as typed (`what` names it in a refusal: "quantity", "price"…).

    `decimal_comma`: the person's language writes decimals with a comma, which makes `1,234`
    ambiguous. Raises BadArgument `amount.not_a_number`, `amount.ambiguous` or
    `amount.too_long`.
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
    return value


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
