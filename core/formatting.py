"""How numbers and times read in Pythia's messages. Pure; Decimal in, text out."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal


def decimals_for_price(price: Decimal) -> int:
    """Places worth showing: 2 for 64,123.45 and 142.35, 4 for 2.1234, 4 significant below 1."""
    magnitude = abs(price)
    if magnitude >= 10:
        return 2
    if magnitude >= 1:
        return 4
    if magnitude == 0:
        return 2
    # 0.000012345 -> adjusted() = -5 -> 5 + 3 = 8 places -> 0.00001235
    return min(-magnitude.adjusted() + 3, 12)


def format_price(price: Decimal, places: int | None = None) -> str:
    places = decimals_for_price(price) if places is None else places
    quantum = Decimal(1).scaleb(-places)
    rounded = price.quantize(quantum, rounding=ROUND_HALF_EVEN)
    return f"{rounded:,.{places}f}"


def format_pct(pct: Decimal | None) -> str:
    if pct is None:
        return "n/a"
    rounded = pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    sign = "+" if rounded > 0 else "−" if rounded < 0 else "±"
    return f"{sign}{abs(rounded):.2f}%"


def format_age(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"
    return f"{seconds // 86400} days ago"
