"""The live record: how the served predictions scored once their horizon passed, the
calibration picture's bins, and how confident a served forecast is. Pure.

A prediction is scored against the base rate known when it was made (the training window's
share of ups of the model that served it), so the live Brier skill asks the same question as
the walk-forward one: better than always saying the base rate?
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.predict import Metrics, metrics

BINS = 10  # equal-width bins of P(up) for the ECE and the calibration picture


@dataclass(frozen=True, slots=True)
class Call:
    """One resolved prediction: P(up) said, the base rate it is judged against, what happened."""

    p_up: float
    base_rate: float
    went_up: bool


@dataclass(frozen=True, slots=True)
class Bin:
    """Predictions whose P(up) fell in [low, high): how many, their mean P(up), the share up."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


def bins(calls: Sequence[Call], count: int = BINS) -> list[Bin]:
    """The non-empty equal-width bins of P(up) over [0, 1] (1.0 falls in the last)."""
    grouped: list[list[Call]] = [[] for _ in range(count)]
    for call in calls:
        index = min(max(int(call.p_up * count), 0), count - 1)
        grouped[index].append(call)
    return [
        Bin(
            i / count,
            (i + 1) / count,
            len(group),
            sum(c.p_up for c in group) / len(group),
            sum(c.went_up for c in group) / len(group),
        )
        for i, group in enumerate(grouped)
        if group
    ]


def score(calls: Sequence[Call]) -> Metrics | None:
    """The figures of `calls` (core.predict.metrics.score, each call against its own base
    rate; no bootstrap bound); None when there are none."""
    if not calls:
        return None
    return metrics.score(
        [c.p_up for c in calls],
        [1.0 if c.went_up else 0.0 for c in calls],
        [c.base_rate for c in calls],
    )


Confidence = Literal["none", "toss_up", "low", "moderate", "high"]

# How far P(up) is from a coin toss, in steps; a model whose walk-forward skill is thin never
# gets past "low": a confident number from a barely-skilled model is still a guess.
TOSS_UP = 0.03
LOW = 0.08
MODERATE = 0.15
THIN_SKILL = 0.01


def confidence(p_up: float, served: str, skill: float | None) -> Confidence:
    """How sure a forecast is: "none" for the base rate (no edge), else from |P(up) - 0.5|,
    capped at "low" when the model's walk-forward skill (None: unknown) is below THIN_SKILL."""
    if served != "model":
        return "none"
    distance = abs(p_up - 0.5)
    if distance < TOSS_UP:
        return "toss_up"
    if distance < LOW or skill is None or skill < THIN_SKILL:
        return "low"
    return "moderate" if distance < MODERATE else "high"
