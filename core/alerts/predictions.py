"""When a forecast alert comes true: a served model's chance for the coin crossing a level.
Pure: stored predictions in, the ones it fired on out — for the workers (the newest of them)
and for the preview (how often over the last 30 days).

- Only predictions a model served count (`served == "model"`); a base-rate answer ("no edge
  found") neither fires nor counts as the one before: a crossing is judged between consecutive
  served predictions of the coin and horizon, however far apart.
- "up > 65%" fires on the prediction whose P(up) is more than 0.65 when the served one before
  it was at or under 0.65; "below" the other way (less than the level, from at or over it).
  "down" compares 1 − P(up) the same way.
- The first served prediction (none before it) never fires: there was no other side to come
  from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from core.alerts.backtest import FIRST_FEW, LOOKBACK, Backtest, spaced
from core.alerts.history import History
from core.alerts.spec import AlertSpec, PredictionLevel

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class StoredPrediction:
    """A row of `predictions` as the alerts read it."""

    id: int
    made_at: datetime  # the close of the last candle it used
    p_up: float  # calibrated P(up), or the base rate
    served: str  # "model" | "base_rate"


@dataclass(frozen=True, slots=True)
class PredictionCrossing:
    """The prediction a forecast alert fired on, and the chance of its side then (0..1)."""

    prediction_id: int
    at: datetime
    chance: Decimal

    @property
    def trigger(self) -> str:
        """The event, the same text however often it is found (an outbox dedupe key's end)."""
        return f"prediction:{self.prediction_id}"


def chance(condition: PredictionLevel, p_up: float) -> Decimal:
    """The chance of the condition's side, exact as stored (0.65 is 0.65, not 0.6499…)."""
    up = Decimal(repr(p_up))
    return up if condition.side == "up" else 1 - up


def crosses(condition: PredictionLevel, before: Decimal, now: Decimal) -> bool:
    """Whether the chance moved from `before` to `now` across the level (strictly past it)."""
    level = condition.level / HUNDRED
    if condition.direction == "above":
        return before <= level < now
    return before >= level > now


def prediction_crossings(
    condition: PredictionLevel, predictions: Sequence[StoredPrediction]
) -> list[PredictionCrossing]:
    """The served predictions the alert fires on, oldest first (`predictions` of its coin and
    horizon, in any order; base-rate ones are skipped)."""
    served = sorted((p for p in predictions if p.served == "model"), key=lambda p: p.made_at)
    found = []
    for before, now in pairwise(served):
        previous, current = chance(condition, before.p_up), chance(condition, now.p_up)
        if crosses(condition, previous, current):
            found.append(PredictionCrossing(now.id, now.made_at, round(current, 4)))
    return found


def prediction_history(
    spec: AlertSpec, predictions: Sequence[StoredPrediction], now: datetime
) -> History:
    """How often a forecast alert would have fired over the last 30 days of stored predictions
    of its coin and horizon (None when fewer than two served ones are stored); `reading` is the
    chance of its side in the newest prediction if a model served it, `no_edge` whether the
    newest was a base-rate answer."""
    condition = spec.condition
    assert isinstance(condition, PredictionLevel), condition
    ordered = sorted(predictions, key=lambda p: p.made_at)
    newest = ordered[-1] if ordered else None
    no_edge = newest is not None and newest.served != "model"
    reading = None
    if newest is not None and not no_edge:
        reading = float(chance(condition, newest.p_up))
    served = [p for p in ordered if p.served == "model"]
    if len(served) < 2:
        return History("1h", None, "predictions", reading, no_edge)
    since = max(now - LOOKBACK, served[0].made_at)
    times = [c.at for c in prediction_crossings(condition, served) if c.at >= since]
    if spec.cooldown is not None:
        times = spaced(times, spec.cooldown)
    last = times[-1] if times else None
    result = Backtest(len(times), tuple(times[:FIRST_FEW]), since, now, last)
    return History("1h", result, "predictions", reading, no_edge)
