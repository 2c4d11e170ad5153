"""Telegram's flood limits in the emulator: token-bucket maths with a fake clock (no sleeping),
sustained rates as a sender that keeps trying gets them, and the 429s over HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram import Bot, Message
from telegram.error import RetryAfter

from bot.emulator import Emulator
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


# ---- sustained rates: what a sender that keeps trying actually gets through ----------------------


def _greedy(limiter: FloodLimiter, clock: FakeClock, chats: list[int], seconds: float) -> int:
    """Try a message to each chat in turn every millisecond for `seconds`; count accepted."""
    accepted, step = 0, 0.001
    for tick in range(int(seconds / step)):
        chat = chats[tick % len(chats)]
        if limiter.acquire(chat, private=chat > 0) is None:
            accepted += 1
        clock.advance(step)
    return accepted


def test_sustained_global_rate_is_thirty_a_second_after_one_burst() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(), clock)
    accepted = _greedy(limiter, clock, list(range(1, 1001)), seconds=20)
    assert 30 * 20 <= accepted <= 30 * 20 + 30  # the rate, plus one second's burst at most
    # and in a later window no more than the rate
    assert _greedy(limiter, clock, list(range(1001, 2001)), seconds=10) <= 30 * 10 + 1


def test_sustained_private_rate_is_one_a_second_per_person() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(), clock)
    accepted = _greedy(limiter, clock, [7], seconds=30)
    assert 30 <= accepted <= 30 + 3  # one a second, after the burst of three
    assert _greedy(limiter, clock, [7], seconds=30) <= 30 + 1


def test_sustained_group_rate_is_twenty_a_minute() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(), clock)
    _greedy(limiter, clock, [-100], seconds=60)  # the first minute, burst included
    assert _greedy(limiter, clock, [-100], seconds=60) in (20, 21)  # a window edge may add one
    assert _greedy(limiter, clock, [-100], seconds=180) <= 60 + 1


def test_group_messages_count_against_the_global_limit_too() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(), clock)
    groups = [-(i + 1) for i in range(30)]
    assert all(limiter.acquire(chat, private=False) is None for chat in groups)
    assert limiter.acquire(1, private=True) == 1  # the global bucket is empty


def test_a_refusal_says_to_wait_at_least_as_long_as_the_limit_needs() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(FloodLimits(), clock)
    for _ in range(20):
        limiter.acquire(-5, private=False)
    wait = limiter.acquire(-5, private=False)
    assert wait == 3
    clock.advance(wait - 0.5)  # retrying before retry_after is refused again
    assert limiter.acquire(-5, private=False) is not None
    clock.advance(0.5)
    assert limiter.acquire(-5, private=False) is None  # at retry_after it goes through


# ---- over HTTP, as a sender sees it ------------------------------------------------------------


async def test_the_global_limit_answers_429_over_http_across_many_chats() -> None:
    # The limiter's clock stands still while the 100 sends arrive: however slowly this machine
    # gets them there, they arrive in the same instant as far as the limits can tell.
    async with Emulator(flood_limits=FloodLimits(), clock=lambda: 1000.0) as limited:
        people = [limited.add_user(f"P{i}") for i in range(100)]
        async with Bot(limited.token, base_url=limited.base_url) as bot:
            results = await asyncio.gather(
                *(bot.send_message(p.id, "hello") for p in people), return_exceptions=True
            )
    refused = [r for r in results if isinstance(r, RetryAfter)]
    accepted = [r for r in results if isinstance(r, Message)]
    assert (len(accepted), len(refused)) == (30, 70)  # one second's burst, the rest refused
    assert all(r.retry_after == timedelta(seconds=1) for r in refused)
    assert {v.chat_id for v in limited.flood_violations} == {
        p.id for p, r in zip(people, results, strict=True) if isinstance(r, RetryAfter)
    }
