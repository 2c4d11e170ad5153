"""Predictions and the scorecard: each coin's latest served forecast ("no edge" where the base
rate serves) and the live record of its forecasts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Literal

from core.digest.facts import ForecastLine, SectionFacts
from core.digest.inputs import FORECASTS, DigestInputs
from core.predict.record import confidence

NAME = "predictions"
NEEDS = frozenset({FORECASTS})


class PredictionsFacts(SectionFacts):
    NAME: ClassVar[str] = NAME
    section: Literal["predictions"] = "predictions"

    horizon: str = "24h"
    forecasts: tuple[ForecastLine, ...] = ()


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def compose(inputs: DigestInputs, coins: Sequence[str], at: datetime) -> PredictionsFacts | None:
    """A line per coin with a forecast or a record; None when no coin has either."""
    lines = []
    for coin in dict.fromkeys(coins):
        forecast = inputs.forecasts.get(coin)
        record = inputs.record.get(coin)
        if forecast is None and record is None:
            continue
        skill = None if record is None else _finite(record.skill)
        line = ForecastLine(coin=coin, horizon=inputs.horizon)
        if forecast is not None:
            line = line.model_copy(
                update={
                    "p_up": _finite(forecast.p_up),
                    "no_edge": forecast.served != "model",
                    "confidence": confidence(forecast.p_up, forecast.served, skill),
                    "made_at": forecast.made_at,
                    "q10": _finite(forecast.q10),
                    "q90": _finite(forecast.q90),
                }
            )
        if record is not None:
            line = line.model_copy(
                update={
                    "resolved": record.count,
                    "hit_rate": _finite(record.hit_rate),
                    "skill": skill,
                }
            )
        lines.append(line)
    if not lines:
        return None
    return PredictionsFacts(horizon=inputs.horizon, forecasts=tuple(lines))
