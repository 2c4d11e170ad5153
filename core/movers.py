"""The day's biggest movers among quotes: gainers and losers by 24 h change."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from core.market import PriceQuote

SHOWN = 5  # gainers and losers each


@dataclass(frozen=True, slots=True)
class Movers:
    gainers: tuple[PriceQuote, ...]  # biggest rise first
    losers: tuple[PriceQuote, ...]  # biggest fall first
    changed: int  # quotes that have a 24 h change at all


def movers(quotes: Iterable[PriceQuote], shown: int = SHOWN) -> Movers:
    """Up to `shown` quotes that rose most and `shown` that fell most over 24 h; a quote without
    a change, or with none, is neither."""
    moved = sorted(
        (q for q in quotes if q.change_24h_pct is not None),
        key=lambda q: q.change_24h_pct or Decimal(0),  # never None here: filtered above
    )
    gainers = [q for q in reversed(moved) if q.change_24h_pct and q.change_24h_pct > 0]
    losers = [q for q in moved if q.change_24h_pct and q.change_24h_pct < 0]
    return Movers(tuple(gainers[:shown]), tuple(losers[:shown]), len(moved))
