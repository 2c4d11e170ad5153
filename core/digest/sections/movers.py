"""Top movers: the tracked coins that rose and fell most over 24 h (core.movers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from core.digest.facts import CoinLine, SectionFacts
from core.digest.inputs import TRACKED, DigestInputs
from core.market import PriceQuote
from core.movers import movers

NAME = "movers"
NEEDS = frozenset({TRACKED})
SHOWN = 3  # gainers and losers each


class MoversFacts(SectionFacts):
    NAME: ClassVar[str] = NAME
    section: Literal["movers"] = "movers"

    gainers: tuple[CoinLine, ...] = ()  # biggest rise first
    losers: tuple[CoinLine, ...] = ()  # biggest fall first
    tracked: int = 0  # coins with a 24 h change


def _line(inputs: DigestInputs, quote: PriceQuote) -> CoinLine:
    return CoinLine.of(quote.asset, inputs.names.get(quote.asset), quote)


def compose(inputs: DigestInputs, coins: Sequence[str], at: datetime) -> MoversFacts | None:
    """The movers of the tracked coins (not only the digest's); None when nothing moved."""
    quotes = [inputs.quotes[c] for c in inputs.tracked if c in inputs.quotes]
    found = movers(quotes, SHOWN)
    if not found.gainers and not found.losers:
        return None
    return MoversFacts(
        gainers=tuple(_line(inputs, q) for q in found.gainers),
        losers=tuple(_line(inputs, q) for q in found.losers),
        tracked=found.changed,
    )
