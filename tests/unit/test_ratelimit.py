"""The token bucket's arithmetic, on made-up moments."""

from __future__ import annotations

from db.ratelimit import Bucket, Taken, refill_seconds, step


def attempts(moments: list[float], burst: float = 3, per_second: float = 1) -> list[Taken]:
    bucket: Bucket | None = None
    answers = []
    for now in moments:
        bucket, taken = step(bucket, now, burst, per_second)
        answers.append(taken)
    return answers


def test_a_burst_is_granted_then_one_an_interval() -> None:
    got = attempts([0, 0, 0, 0, 0.5, 1.0, 1.1, 2.0])
    assert [t.granted for t in got] == [True, True, True, False, False, True, False, True]


def test_only_the_first_denial_of_a_flood_says_so() -> None:
    got = attempts([0, 0, 0, 0, 0, 1.0, 1.0, 1.5])
    assert [t.first_denial for t in got] == [False, False, False, True, False, False, False, False]


def test_a_new_flood_after_the_bucket_filled_up_is_told_again() -> None:
    flood = [0.0] * 5
    later = [10.0] * 5  # three seconds refill it; ten have passed
    got = attempts(flood + later)
    assert [t.first_denial for t in got] == [False] * 3 + [True, False] + [False] * 3 + [
        True,
        False,
    ]


def test_tokens_never_pile_up_beyond_the_burst() -> None:
    got = attempts([0, 1000, 1000, 1000, 1000])
    assert [t.granted for t in got] == [True, True, True, True, False]


def test_a_clock_that_steps_back_takes_nothing_away() -> None:
    bucket, _ = step(None, 10.0, 2, 1)
    bucket, taken = step(bucket, 5.0, 2, 1)
    assert taken.granted and bucket.tokens == 0


def test_an_idle_bucket_is_full_after_its_refill_time() -> None:
    assert refill_seconds(20, 1) == 20
    assert refill_seconds(3, 0.5) == 6


def test_a_denial_says_how_long_until_the_bucket_grants_again() -> None:
    got = attempts([0, 0, 0, 0, 0.25], burst=3, per_second=2)
    assert [t.wait for t in got] == [0, 0, 0, 0.5, 0.25]
