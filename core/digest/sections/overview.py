"""Market overview: the price and 24 h change of each of the digest's coins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from core.digest.facts import CoinLine, SectionFacts
from core.digest.inputs import PRICES, DigestInputs

NAME = "overview"
NEEDS = frozenset({PRICES})


class OverviewFacts(SectionFacts):
    NAME: ClassVar[str] = NAME
    section: Literal["overview"] = "overview"

    coins: tuple[CoinLine, ...]
    unpriced: tuple[str, ...] = ()  # the digest's coins without a price yet


def compose(inputs: DigestInputs, coins: Sequence[str], at: datetime) -> OverviewFacts | None:
    """A line per coin with a price, in the digest's order; None when none has one."""
    lines, unpriced = [], []
    for coin in dict.fromkeys(coins):
        quote = inputs.quotes.get(coin)
        if quote is None:
            unpriced.append(coin)
            continue
        lines.append(CoinLine.of(coin, inputs.names.get(coin), quote))
    if not lines:
        return None
    return OverviewFacts(coins=tuple(lines), unpriced=tuple(unpriced))
