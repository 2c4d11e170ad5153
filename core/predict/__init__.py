"""Predictions: features, labels, walk-forward evaluation, the promotion rule, backtests.

Pure: candles (and the sentiment index) in, numbers out. Training (LightGBM fitting, calibration,
artifacts) lives in `workers/predict`, storage in `db`, use cases in `services/predictions*`.

The shared vocabulary is here so that the packages meet on types, not on dicts:

- `HORIZONS`: what a person may ask for, in hours ahead, all on 1h candles.
- `Metrics`: how a set of probabilities scored against what happened (walk-forward or live).
- `Driver`: one feature's push on one prediction (LightGBM's own contribution, in log-odds).
- `Forecast`: one served prediction, from a model or from the base rate ("no edge found").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

HORIZONS: dict[str, int] = {"1h": 1, "4h": 4, "24h": 24}  # hours ahead, predicted from 1h candles
DEFAULT_HORIZON = "24h"
TIMEFRAME = "1h"  # the candles every feature and label is computed from
LEADER = "BTC"  # the market's leader, whose moves are features of the other coins

Served = Literal["model", "base_rate"]


def horizon_delta(horizon: str) -> timedelta:
    return timedelta(hours=HORIZONS[horizon])


@dataclass(frozen=True, slots=True)
class Metrics:
    """Scores of probabilities of "up" against outcomes.

    `skill` is the Brier skill against the base rate (1 - brier / brier_base; > 0 is better than
    always saying the base rate); `skill_low` its bootstrap lower bound (None where not computed,
    e.g. a live record). `base_rate` is the share of ups the base rate predicted with.
    """

    count: int
    brier: float
    brier_base: float
    skill: float
    skill_low: float | None
    log_loss: float
    ece: float
    hit_rate: float
    base_rate: float


@dataclass(frozen=True, slots=True)
class Driver:
    """A feature's push on one prediction: `feature` is a code from `core.predict.features.NAMES`
    (the views say it in words), `value` the feature's value then, `push` its contribution."""

    feature: str
    value: float
    push: float


@dataclass(frozen=True, slots=True)
class Forecast:
    """What Pythia says about `asset` `horizon` ahead of `made_at` (the close of the last candle
    used). `served == "base_rate"` means no model earned its place: `p_up` is the base rate,
    there are no drivers, and the views say "no edge found"."""

    asset: str
    horizon: str
    made_at: datetime
    reference_price: float
    p_up: float
    q10: float | None  # forward return (fraction, 0.01 = +1 %) at the 10th percentile
    q90: float | None
    served: Served
    model_version: int | None
    trained_at: datetime | None
    drivers: tuple[Driver, ...] = field(default=())
