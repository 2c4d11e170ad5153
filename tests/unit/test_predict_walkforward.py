"""Walk-forward folds: expanding, purged by at least the horizon, no label window overlapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.predict.walkforward import folds

HOUR = timedelta(hours=1)
START = datetime(2024, 1, 1, tzinfo=UTC)


def hours(n: int, skip: frozenset[int] = frozenset()) -> list[datetime]:
    return [START + k * HOUR for k in range(n) if k not in skip]


def test_five_expanding_folds_over_the_later_half_purged_by_the_horizon() -> None:
    times = hours(1000)
    split = folds(times, 24 * HOUR, n_folds=5, start=0.5)
    assert len(split) == 5
    assert [len(f.valid) for f in split] == [100] * 5
    assert split[0].valid[0] == 500 and split[-1].valid[-1] == 999
    for f in split:
        first = f.valid[0]
        assert f.train[-1] == first - 24  # t + 24 h <= first validation time: 24 rows purged
        assert f.train[0] == 0  # expanding: always from the start
    assert len(split[1].train) > len(split[0].train)


def test_the_purge_is_at_least_the_horizon_even_if_asked_less() -> None:
    split = folds(hours(400), 4 * HOUR, purge=HOUR)
    assert all(f.valid[0] - f.train[-1] >= 4 for f in split)
    longer = folds(hours(400), 4 * HOUR, purge=10 * HOUR)
    assert all(f.valid[0] - f.train[-1] == 10 for f in longer)


def test_folds_with_too_little_training_are_left_out_and_nothing_is_no_folds() -> None:
    assert folds([], HOUR) == []
    assert len(folds(hours(100), 24 * HOUR, start=0.3, min_train=20)) == 4
    with pytest.raises(ValueError):
        folds([START, START], HOUR)


@given(
    n=st.integers(50, 600),
    horizon=st.sampled_from([1, 4, 24]),
    n_folds=st.integers(1, 6),
    start=st.floats(0.2, 0.8),
    gaps=st.frozensets(st.integers(0, 600), max_size=40),
)
def test_no_validation_label_window_overlaps_a_training_label_window(
    n: int, horizon: int, n_folds: int, start: float, gaps: frozenset[int]
) -> None:
    times = hours(n, gaps)
    stamps = np.array([t.timestamp() for t in times])
    h = horizon * 3600
    covered: set[int] = set()
    for f in folds(times, horizon * HOUR, n_folds=n_folds, start=start):
        assert np.all(np.diff(f.valid) == 1)
        assert not set(f.valid.tolist()) & covered
        covered |= set(f.valid.tolist())
        train_end = stamps[f.train] + h  # each training label window [t, t + h]
        assert np.all(train_end <= stamps[f.valid].min())
        assert set(f.train.tolist()).isdisjoint(f.valid.tolist())
