"""The live record: how the served predictions scored once their horizon passed, the
calibration picture's bins, and how confident a served forecast is. Pure.

A prediction is scored against the base rate known when it was made (the training window's
share of ups of the model that served it), so the live Brier skill asks the same question as
the walk-forward one: better than always saying the base rate?

The record is made of sums (`Tally`), one per coin × horizon × bin of P(up), which the database
adds up (db.repos.predictions.record): every figure of core.predict.metrics.score but the
bootstrap bound is a ratio of such sums — ECE too, from its bins' sums — so a year of hourly
predictions is never read row by row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from core.predict import Metrics
from core.predict.metrics import BINS, EPS  # the ECE's bins; P(up)'s clip in the log loss


def bin_of(p_up: float) -> int:
    """The bin of P(up): [0, 0.1) is 0, …, [0.9, 1] is 9."""
    return min(max(int(p_up * BINS), 0), BINS - 1)


@dataclass(frozen=True, slots=True)
class Tally:
    """Sums over resolved predictions: how many; their P(up)s; how many went up; squared errors
    of P(up) and of the base rate they were judged against; log losses; hits ((P(up) >= 0.5) ==
    up); their base rates."""

    count: int
    sum_p: float
    ups: float
    sq_error: float
    sq_error_base: float
    log_loss: float
    hits: float
    sum_base: float

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.count + other.count,
            self.sum_p + other.sum_p,
            self.ups + other.ups,
            self.sq_error + other.sq_error,
            self.sq_error_base + other.sq_error_base,
            self.log_loss + other.log_loss,
            self.hits + other.hits,
            self.sum_base + other.sum_base,
        )


NOTHING = Tally(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def one(p_up: float, base_rate: float, went_up: bool) -> Tally:
    """The tally of one resolved prediction (what the database's sums add up, row by row)."""
    y = 1.0 if went_up else 0.0
    clipped = min(max(p_up, EPS), 1 - EPS)
    loss = -math.log(clipped if went_up else 1 - clipped)
    hit = 1.0 if (p_up >= 0.5) == went_up else 0.0
    return Tally(1, p_up, y, (p_up - y) ** 2, (base_rate - y) ** 2, loss, hit, base_rate)


def binned(rows: Iterable[tuple[float, float, bool]]) -> dict[int, Tally]:
    """Rows of (P(up), base rate, went up) tallied per bin."""
    out: dict[int, Tally] = {}
    for p_up, base, went_up in rows:
        key = bin_of(p_up)
        out[key] = out.get(key, NOTHING) + one(p_up, base, went_up)
    return out


@dataclass(frozen=True, slots=True)
class Bin:
    """Predictions whose P(up) fell in [low, high): how many, their mean P(up), the share up."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


def bins(tallies: Mapping[int, Tally]) -> list[Bin]:
    """The calibration picture: the non-empty bins, lowest first."""
    return [
        Bin(b / BINS, (b + 1) / BINS, t.count, t.sum_p / t.count, t.ups / t.count)
        for b, t in sorted(tallies.items())
        if t.count
    ]


def score(tallies: Mapping[int, Tally]) -> Metrics | None:
    """The figures of a coin × horizon's bins (core.predict.metrics.score's, each prediction
    against its own base rate; no bootstrap bound); None when there are none."""
    total = sum(tallies.values(), NOTHING)
    n = total.count
    if n == 0:
        return None
    brier, brier_base = total.sq_error / n, total.sq_error_base / n
    return Metrics(
        count=n,
        brier=brier,
        brier_base=brier_base,
        skill=1.0 - brier / brier_base if brier_base > 0 else math.nan,
        skill_low=None,
        log_loss=total.log_loss / n,
        ece=sum(abs(t.sum_p - t.ups) for t in tallies.values()) / n,
        hit_rate=total.hits / n,
        base_rate=total.sum_base / n,
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
