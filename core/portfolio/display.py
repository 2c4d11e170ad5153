"""How quantities of an asset read: 0.00012345 BTC, 1.5 ETH, 1,234.50 USDT."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from core.formatting import format_price

# Currencies and the coins that stand for them are counted like money: always two places.
MONEY_LIKE = frozenset(
    {"USD", "EUR", "GBP", "CHF", "USDT", "USDC", "DAI", "FDUSD", "TUSD", "BUSD", "PYUSD"}
)
COIN_PLACES = 8  # a satoshi; enough for every coin a person holds in amounts worth showing


def quantity_places(asset: str) -> int:
    """The most decimal places shown for a quantity of `asset`."""
    return 2 if asset.upper() in MONEY_LIKE else COIN_PLACES


def format_quantity(quantity: Decimal, asset: str, *, exact: bool = False) -> str:
    """`quantity` with its symbol, up to `quantity_places(asset)` places, trailing zeros dropped.

    Money-like assets keep two places (1,234.50 USDT). A non-zero amount too small for the
    usual places is shown in full rather than as 0, and so is every amount when `exact`.
    """
    places = quantity_places(asset)
    shown = quantity.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN)
    if exact or (quantity and not shown):
        shown = quantity
    elif places == 2:
        return f"{format_price(quantity, 2)} {asset}"
    text = f"{shown:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {asset}"
