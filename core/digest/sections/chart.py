"""One chart: the digest's first coin, 7 days of 1 h candles. The facts say what to draw;
the bot draws it from the candles when it sends (one picture per coin, window and slot)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from core.digest.facts import SectionFacts
from core.digest.inputs import DigestInputs

NAME = "chart"
NEEDS: frozenset[str] = frozenset()  # the candles are read by the bot at send time
WINDOW = "7d"
TIMEFRAME = "1h"


class ChartFacts(SectionFacts):
    NAME: ClassVar[str] = NAME
    section: Literal["chart"] = "chart"

    coin: str
    window: str = WINDOW
    timeframe: str = TIMEFRAME


def compose(inputs: DigestInputs, coins: Sequence[str], at: datetime) -> ChartFacts | None:
    """The first of the digest's coins Pythia knows; None when it knows none."""
    known = [c for c in coins if c in inputs.names or c in inputs.quotes]
    return ChartFacts(coin=known[0]) if known else None
