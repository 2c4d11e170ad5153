"""Token-bucket maths with a fake clock: no sleeping."""

from __future__ import annotations

import pytest

from bot.emulator.limits import FloodLimiter, FloodLimits, TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_refills_continuously() -> None:
    clock = FakeClock()
    bucket = TokenBucket(capacity=3, rate=1.0, clock=clock)
    for _ in range(3):
        assert bucket.wait_time() == 0
        bucket.take()
    assert bucket.wait_time() == pytest.approx(1.0)
    clock.advance(0.25)
    assert bucket.wait_time() == pytest.approx(0.75)
    clock.advance(10)  # refill never exceeds capacity
    assert bucket.wait_time() == 0
    assert bucket.tokens == pytest.approx(3.0)
    bucket.take(3)
    assert bucket.wait_time() == pytest.approx(1.0)


def test_private_chat_burst_then_one_per_second() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(), clock)
    assert [limiter.acquire(1, private=True) for _ in range(3)] == [None, None, None]
    assert limiter.acquire(1, private=True) == 1  # ceil(1.0)
    clock.advance(0.4)
    assert limiter.acquire(1, private=True) == 1  # ceil(0.6), never below 1
    clock.advance(0.6)
    assert limiter.acquire(1, private=True) is None
    assert limiter.acquire(2, private=True) is None  # other chats have their own bucket


def test_group_limit_is_twenty_per_minute() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(), clock)
    for _ in range(20):
        assert limiter.acquire(-100, private=False) is None
    assert limiter.acquire(-100, private=False) == 3  # one token every 3 seconds
    clock.advance(2.5)
    assert limiter.acquire(-100, private=False) == 1
    clock.advance(0.5)
    assert limiter.acquire(-100, private=False) is None


def test_global_limit_spans_chats_and_refusals_consume_nothing() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(global_per_second=30), clock)
    for chat_id in range(30):
        assert limiter.acquire(chat_id, private=True) is None
    assert limiter.acquire(99, private=True) == 1
    # The refused call took no token from chat 99's own bucket.
    assert limiter.chat_buckets[99].wait_time() == 0
    clock.advance(1 / 30)
    assert limiter.acquire(99, private=True) is None


def test_custom_limits() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(private_per_second=0.5, private_burst=1), clock)
    assert limiter.acquire(1, private=True) is None
    assert limiter.acquire(1, private=True) == 2
