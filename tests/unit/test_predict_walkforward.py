"""Walk-forward folds: expanding, purged by at least the horizon, no label window overlapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.predict.walkforward import blocks, folds, folds_in

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


@given(
    n=st.integers(0, 600),
    horizon=st.sampled_from([1, 4, 24]),
    n_folds=st.integers(1, 6),
    start=st.floats(0.2, 0.8),
    gaps=st.frozensets(st.integers(0, 600), max_size=40),
    min_train=st.integers(1, 300),
)
def test_folds_are_the_folds_of_their_own_blocks_of_time(
    n: int, horizon: int, n_folds: int, start: float, gaps: frozenset[int], min_train: int
) -> None:
    times = hours(n, gaps)
    ours = folds(times, horizon * HOUR, n_folds=n_folds, start=start, min_train=min_train)
    spans = blocks(times, n_folds=n_folds, start=start)
    theirs = folds_in(times, spans, horizon * HOUR, min_train=min_train)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert np.array_equal(a.train, b.train) and np.array_equal(a.valid, b.valid)


def test_another_coins_rows_are_split_by_the_same_times() -> None:
    spans = blocks(hours(1000))  # rows 500..999 in five blocks of 100 hours
    assert len(spans) == 5
    assert spans[0][0] == int(hours(1000)[500].timestamp()) * 1_000_000_000
    young = hours(1100)[800:]  # listed at hour 800, and an hour past the others' last
    split = folds_in(young, spans, 4 * HOUR)
    # blocks 0–2 hold none of its rows, block 3 none of its rows 4 h before it
    assert len(split) == 1
    (only,) = split
    assert young[only.valid[0]] == hours(1000)[900] and len(only.valid) == 200  # to the end
    assert young[only.train[-1]] == hours(1000)[896] and len(only.train) == 97
    assert folds_in(young, spans, 4 * HOUR, min_train=98) == []
    assert folds_in([], spans, HOUR) == [] and blocks([]) == []
