"""How precisely numbers deserve to be shown. Pure; the words and the digits themselves are the
language layer's (`bot/i18n/texts.py`)."""

from __future__ import annotations

from decimal import Decimal


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
