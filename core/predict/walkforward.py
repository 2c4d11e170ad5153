"""Walk-forward folds: train on the past, validate on what follows, never on what overlaps.

Expanding window over rows in time order. The later part of the history (from `start` of it)
is cut into `folds` consecutive validation blocks; fold k trains on every row before its block
*minus a purge gap*: a training row's label looks `horizon` hours ahead, so a training row whose
label window [t, t + h] reaches the first validation time is dropped (purge >= horizon). No
validation label's window overlaps a training label's.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np


@dataclass(frozen=True, slots=True)
class Fold:
    train: np.ndarray  # row positions, ascending
    valid: np.ndarray


def folds(
    times: Sequence[datetime] | np.ndarray,
    horizon: timedelta,
    *,
    n_folds: int = 5,
    start: float = 0.5,
    purge: timedelta | None = None,
    min_train: int = 1,
) -> list[Fold]:
    """Folds over rows at `times` (ascending, one per labelled row). Validation covers the last
    (1 - start) of the rows in `n_folds` equal blocks; fold k trains on rows whose time + purge
    (at least `horizon`) is before the block's first time. Folds with fewer than `min_train`
    training rows are left out."""
    return folds_in(
        times, blocks(times, n_folds=n_folds, start=start), horizon, purge=purge,
        min_train=min_train,
    )  # fmt: skip


Block = tuple[int, int]  # a validation block's first time and the time after it, in ns (UTC)
END = np.iinfo(np.int64).max  # the last block runs to the end of time


def blocks(
    times: Sequence[datetime] | np.ndarray, *, n_folds: int = 5, start: float = 0.5
) -> list[Block]:
    """The validation blocks of rows at `times` (ascending): the last (1 - start) of the rows
    in `n_folds` blocks of equal rows, each as the span of time it covers, so that other
    rows (another coin's) can be split by the same times."""
    stamps = _as_ns(times)
    n = len(stamps)
    if n == 0 or n_folds < 1:
        return []
    if np.any(np.diff(stamps) <= 0):
        raise ValueError("times must be strictly ascending")
    first = int(n * start)
    edges = np.linspace(first, n, n_folds + 1).round().astype(int).tolist()
    return [
        (int(stamps[lo]), int(stamps[hi]) if hi < n else END)
        for lo, hi in itertools.pairwise(edges)
        if hi > lo
    ]


def folds_in(
    times: Sequence[datetime] | np.ndarray,
    spans: Sequence[Block],
    horizon: timedelta,
    *,
    purge: timedelta | None = None,
    min_train: int = 1,
) -> list[Fold]:
    """Folds over rows at `times` (ascending) validated on the rows inside each block of
    `spans` and trained on the rows whose time + purge (at least `horizon`) is at or before
    the block's first time. Blocks with no rows, or fewer than `min_train` training rows, are
    left out."""
    gap_ns = max(purge or horizon, horizon) // timedelta(microseconds=1) * 1000
    stamps = _as_ns(times)
    if np.any(np.diff(stamps) <= 0):
        raise ValueError("times must be strictly ascending")
    out = []
    for first, after in spans:
        valid = np.flatnonzero((stamps >= first) & (stamps < after))
        train = np.flatnonzero(stamps <= first - gap_ns)
        if len(valid) and len(train) >= min_train:
            out.append(Fold(train, valid))
    return out


def _as_ns(times: Sequence[datetime] | np.ndarray) -> np.ndarray:
    if isinstance(times, np.ndarray) and times.dtype.kind == "M":
        return times.astype("datetime64[ns]").astype(np.int64)
    return np.array(
        [int(t.timestamp()) * 1_000_000_000 + t.microsecond * 1000 for t in times], dtype=np.int64
    )
