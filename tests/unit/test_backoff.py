"""Back-off delays grow, jitter, cap, honour Retry-After and reset on success."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from core.backoff import Backoff


def test_delays_double_with_jitter_between_half_and_full() -> None:
    backoff = Backoff(base=2, factor=2, cap=300, rng=random.Random(1))
    for failure in range(1, 8):
        ceiling = min(300, 2 * 2 ** (failure - 1))
        delay = backoff.failed(now=0.0)
        assert ceiling / 2 <= delay <= ceiling


def test_the_delay_never_exceeds_the_cap() -> None:
    backoff = Backoff(base=2, cap=60, rng=random.Random(2))
    assert max(backoff.failed(0.0) for _ in range(30)) <= 60


def test_retry_after_from_the_exchange_is_a_floor() -> None:
    backoff = Backoff(base=1, rng=random.Random(3))
    assert backoff.failed(now=100.0, retry_after=30) == 30
    assert not backoff.ready(129.9) and backoff.ready(130.0)


def test_success_resets() -> None:
    backoff = Backoff(rng=random.Random(4))
    backoff.failed(0.0)
    backoff.failed(0.0)
    backoff.succeeded()
    assert backoff.failures == 0 and backoff.ready(0.0)


def test_two_workers_do_not_retry_in_step() -> None:
    a, b = Backoff(rng=random.Random(5)), Backoff(rng=random.Random(6))
    assert [a.failed(0.0) for _ in range(5)] != [b.failed(0.0) for _ in range(5)]


@given(st.integers(min_value=1, max_value=60), st.floats(min_value=0, max_value=1e6))
def test_waiting_is_never_negative(failures: int, now: float) -> None:
    backoff = Backoff(rng=random.Random(failures))
    for _ in range(failures):
        backoff.failed(now)
    assert 0 <= backoff.waiting(now) <= backoff.cap
