"""Several assets side by side: closes aligned on common candles, changes and correlations."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from core.indicators import correlation
from core.market import Candle

Strength = Literal["strong", "moderate", "weak", "negligible"]
# Lower bounds of |r| for each strength, strongest first.
STRENGTHS: tuple[tuple[float, Strength], ...] = ((0.7, "strong"), (0.4, "moderate"), (0.2, "weak"))


@dataclass(frozen=True, slots=True)
class Aligned:
    """Closes of each asset on the open times all of them have."""

    times: tuple[datetime, ...]
    closes: dict[str, tuple[float, ...]]

    def change_pct(self, asset: str) -> Decimal | None:
        values = self.closes[asset]
        if len(values) < 2 or values[0] == 0:
            return None
        return Decimal(repr((values[-1] / values[0] - 1) * 100)).quantize(Decimal("0.01"))


def align(series: Mapping[str, Sequence[Candle]]) -> Aligned:
    common = set.intersection(*(set(c.ts for c in candles) for candles in series.values()))
    times = tuple(sorted(common))
    closes = {
        asset: tuple(float(c.close) for c in candles if c.ts in common)
        for asset, candles in series.items()
    }
    return Aligned(times, closes)


def correlation_matrix(series: Mapping[str, Sequence[Candle]]) -> list[list[float]]:
    """Pairwise correlation of returns, each pair on the candles both have (NaN if too few)."""
    assets = list(series)
    matrix = [[1.0] * len(assets) for _ in assets]
    for i, a in enumerate(assets):
        for j in range(i + 1, len(assets)):
            b = assets[j]
            pair = align({a: series[a], b: series[b]})
            value = correlation(pair.closes[a], pair.closes[b]) if len(pair.times) > 2 else math.nan
            matrix[i][j] = matrix[j][i] = value
    return matrix


def strength(r: float) -> tuple[Strength, bool]:
    """How closely two series move together, and whether inversely: 0.82 is (strong, False),
    −0.45 (moderate, True); a negligible correlation has no direction."""
    negligible: Strength = "negligible"
    word = next((word for limit, word in STRENGTHS if abs(r) >= limit), negligible)
    return word, r < 0 and word != negligible
