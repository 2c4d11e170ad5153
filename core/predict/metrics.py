"""How probabilities of "up" scored against what happened (pure, numpy).

- Brier: mean (p - y)^2. Brier skill against the base rate: 1 - brier / brier_base, where the
  base rate predicts `base_rate` (the share of ups it was estimated on: the training window's
  for walk-forward, the given one for a live record) for every row.
- Log loss: mean -[y log p + (1 - y) log(1 - p)], p clipped to [1e-6, 1 - 1e-6].
- ECE: expected calibration error over 10 EQUAL-WIDTH bins of p ([0, 0.1), …, [0.9, 1]): the
  row-weighted mean of |mean p - share of ups| per bin.
- Hit rate: share of rows where (p >= 0.5) == up.
- Skill's lower bound: the 5th percentile of the skill over a moving-BLOCK bootstrap (blocks of
  `block` consecutive rows, at least the horizon, so overlapping labels resample together;
  fixed seed) — the skill a model could have had by luck of the sample.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from core.predict import Metrics

EPS = 1e-6
BINS = 10
RESAMPLES = 400
SEED = 13

Floats = npt.NDArray[np.float64]


def _arrays(p: npt.ArrayLike, y: npt.ArrayLike) -> tuple[Floats, Floats]:
    pa, ya = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if pa.shape != ya.shape or pa.ndim != 1:
        raise ValueError(f"probabilities and outcomes differ: {pa.shape} and {ya.shape}")
    return pa, ya


def brier(p: npt.ArrayLike, y: npt.ArrayLike) -> float:
    pa, ya = _arrays(p, y)
    return float(np.mean((pa - ya) ** 2)) if pa.size else math.nan


def brier_skill(p: npt.ArrayLike, y: npt.ArrayLike, base_rate: float | npt.ArrayLike) -> float:
    pa, ya = _arrays(p, y)
    base = np.broadcast_to(np.asarray(base_rate, dtype=np.float64), pa.shape)
    reference = brier(base, ya)
    if not reference > 0:
        return math.nan
    return 1.0 - brier(pa, ya) / reference


def log_loss(p: npt.ArrayLike, y: npt.ArrayLike) -> float:
    pa, ya = _arrays(p, y)
    if not pa.size:
        return math.nan
    pc = np.clip(pa, EPS, 1 - EPS)
    return float(-np.mean(ya * np.log(pc) + (1 - ya) * np.log(1 - pc)))


def ece(p: npt.ArrayLike, y: npt.ArrayLike, bins: int = BINS) -> float:
    pa, ya = _arrays(p, y)
    if not pa.size:
        return math.nan
    which = np.minimum((pa * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            total += inside.sum() * abs(pa[inside].mean() - ya[inside].mean())
    return float(total / pa.size)


def hit_rate(p: npt.ArrayLike, y: npt.ArrayLike) -> float:
    pa, ya = _arrays(p, y)
    return float(np.mean((pa >= 0.5) == (ya > 0.5))) if pa.size else math.nan


def skill_lower_bound(
    p: npt.ArrayLike,
    y: npt.ArrayLike,
    base_rate: float | npt.ArrayLike,
    *,
    block: int,
    resamples: int = RESAMPLES,
    quantile: float = 0.05,
    seed: int = SEED,
) -> float:
    """The `quantile` of the Brier skill over a moving-block bootstrap of the rows."""
    pa, ya = _arrays(p, y)
    n = pa.size
    if n < 2 * max(block, 1):
        return math.nan
    base = np.broadcast_to(np.asarray(base_rate, dtype=np.float64), pa.shape)
    err_model = (pa - ya) ** 2
    err_base = (base - ya) ** 2
    block = max(int(block), 1)
    per = math.ceil(n / block)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n - block + 1, size=(resamples, per))
    rows = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(resamples, -1)[:, :n]
    model = err_model[rows].mean(axis=1)
    reference = err_base[rows].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        skills = 1.0 - model / reference
    skills = skills[np.isfinite(skills)]
    return float(np.quantile(skills, quantile)) if skills.size else math.nan


def score(
    p: npt.ArrayLike,
    y: npt.ArrayLike,
    base_rate: float | npt.ArrayLike,
    *,
    block: int | None = None,
) -> Metrics:
    """Every figure of `p` against `y`; the skill's lower bound only when `block` is given.
    `base_rate` may be one rate or one per row (each fold's training rate); Metrics.base_rate
    is then their mean."""
    pa, ya = _arrays(p, y)
    base = np.broadcast_to(np.asarray(base_rate, dtype=np.float64), pa.shape)
    low = None if block is None else skill_lower_bound(pa, ya, base, block=block)
    return Metrics(
        count=int(pa.size),
        brier=brier(pa, ya),
        brier_base=brier(base, ya),
        skill=brier_skill(pa, ya, base),
        skill_low=None if low is None or math.isnan(low) else low,
        log_loss=log_loss(pa, ya),
        ece=ece(pa, ya),
        hit_rate=hit_rate(pa, ya),
        base_rate=float(base.mean()) if base.size else math.nan,
    )
