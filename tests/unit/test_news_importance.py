"""Which stories are pushed to the people who follow a coin's news: strong sentiment or wide
coverage, fresh, the most important first, a few a day, none in quiet hours; and /follow and
/unfollow as typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.news.follows import coins_to_follow, coins_to_unfollow
from core.news.importance import (
    FRESH,
    STRONG_SENTIMENT,
    WIDE_COVERAGE,
    Rules,
    Story,
    is_important,
    most_important_first,
    reasons,
    sentiment_of,
    to_push,
)
from core.quiet_hours import quiet_until
from core.refusal import BadArgument

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def story(
    id: int = 1, score: float | None = 0.0, publishers: int = 1, age: timedelta = HOUR
) -> Story:
    return Story(id, NOW - age, publishers, score)


def test_strong_sentiment_either_way_is_important() -> None:
    assert reasons(story(score=0.6), NOW) == (STRONG_SENTIMENT,)
    assert reasons(story(score=-0.85), NOW) == (STRONG_SENTIMENT,)
    assert reasons(story(score=0.59), NOW) == ()
    assert reasons(story(score=-0.3), NOW) == ()


def test_wide_coverage_is_important_whatever_it_says() -> None:
    assert reasons(story(score=0.0, publishers=3), NOW) == (WIDE_COVERAGE,)
    assert reasons(story(score=None, publishers=5), NOW) == (WIDE_COVERAGE,)
    assert reasons(story(score=0.9, publishers=4), NOW) == (STRONG_SENTIMENT, WIDE_COVERAGE)
    assert reasons(story(score=0.1, publishers=2), NOW) == ()


def test_an_unscored_narrow_story_is_not_important() -> None:
    assert not is_important(story(score=None, publishers=1), NOW)


def test_a_story_older_than_a_few_hours_is_never_pushed() -> None:
    assert is_important(story(score=0.9, publishers=5, age=FRESH), NOW)
    assert not is_important(story(score=0.9, publishers=5, age=FRESH + timedelta(seconds=1)), NOW)
    assert not is_important(story(score=0.9, age=timedelta(days=2)), NOW)


def test_a_story_dated_far_in_the_future_is_not_pushed() -> None:
    assert is_important(story(score=0.9, age=-timedelta(minutes=10)), NOW)
    assert not is_important(story(score=0.9, age=-timedelta(hours=2)), NOW)


def test_thresholds_are_rules() -> None:
    strict = Rules(strong=0.9, wide=10, fresh=timedelta(minutes=30))
    assert not is_important(story(score=0.8, publishers=5), NOW, strict)
    assert is_important(story(score=0.95, age=timedelta(minutes=20)), NOW, strict)


def test_the_light_model_is_judged_on_and_vader_only_without_it() -> None:
    assert sentiment_of(-0.7, 0.4) == -0.7
    assert sentiment_of(None, 0.4) == 0.4
    assert sentiment_of(None, None) is None


def test_most_important_first_both_reasons_then_coverage_then_strength_then_newer() -> None:
    both = story(1, score=0.7, publishers=3)
    widest = story(2, score=0.0, publishers=6)
    wide = story(3, score=0.0, publishers=3)
    strongest = story(4, score=-0.95)
    strong = story(5, score=0.65, age=2 * HOUR)
    newer_strong = story(6, score=0.65, age=HOUR / 2)
    dull = story(7, score=0.1)
    ranked = most_important_first([dull, strong, wide, strongest, newer_strong, widest, both], NOW)
    assert [s.id for s in ranked] == [1, 2, 3, 4, 6, 5]


def test_a_person_gets_at_most_the_days_pushes_the_most_important_first() -> None:
    stories = [story(i, score=0.6 + i / 100) for i in range(1, 8)]
    assert [s.id for s in to_push(stories, 0, NOW, per_day=3)] == [7, 6, 5]
    assert [s.id for s in to_push(stories, 2, NOW, per_day=3)] == [7]
    assert to_push(stories, 3, NOW, per_day=3) == []
    assert to_push(stories, 5, NOW, per_day=3) == []
    assert to_push(stories, 0, NOW, per_day=0) == []


def test_nothing_is_pushed_in_quiet_hours_and_what_is_fresh_competes_after() -> None:
    night = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
    morning = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
    quiet = quiet_until(night, "UTC", 22 * 60, 7 * 60) is not None
    assert quiet and quiet_until(morning, "UTC", 22 * 60, 7 * 60) is None
    early = Story(1, night, 4, 0.9)  # stale by the morning: dropped
    late = Story(2, morning - 2 * HOUR, 1, -0.8)  # still fresh: pushed when quiet ends
    assert to_push([early, late], 0, night, quiet=True) == []
    assert [s.id for s in to_push([early, late], 0, morning, quiet=False)] == [2]


@given(
    st.lists(
        st.tuples(st.floats(-1, 1) | st.none(), st.integers(1, 8), st.integers(0, 600)),
        max_size=30,
    ),
    st.integers(0, 6),
    st.integers(0, 6),
)
def test_what_is_pushed_is_important_and_within_the_days_room(
    values: list[tuple[float | None, int, int]], had: int, per_day: int
) -> None:
    stories = [story(i, s, p, timedelta(minutes=m)) for i, (s, p, m) in enumerate(values)]
    chosen = to_push(stories, had, NOW, per_day=per_day)
    assert len(chosen) <= max(per_day - had, 0)
    assert all(is_important(s, NOW) for s in chosen)
    assert len({s.id for s in chosen}) == len(chosen)


def test_follow_reads_news_and_the_coins() -> None:
    assert coins_to_follow([]) == ()
    assert coins_to_follow(["news", "BTC", "eth"]) == ("BTC", "eth")
    assert coins_to_follow(["NEWS", "sol"]) == ("sol",)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["BTC"], "follow.what"),
        (["prices", "BTC"], "follow.what"),
        (["news"], "follow.which_coins"),
    ],
)
def test_follow_refuses_what_it_cannot_follow(args: list[str], code: str) -> None:
    with pytest.raises(BadArgument) as refused:
        coins_to_follow(args)
    assert refused.value.code == code


def test_unfollow_reads_news_and_the_coins_or_all() -> None:
    assert coins_to_unfollow(["news", "BTC"]) == ("BTC",)
    assert coins_to_unfollow(["news", "All"]) is None
    for args, code in (
        ([], "unfollow.what"),
        (["BTC"], "unfollow.what"),
        (["news"], "unfollow.which_coins"),
    ):
        with pytest.raises(BadArgument) as refused:
            coins_to_unfollow(args)
        assert refused.value.code == code
