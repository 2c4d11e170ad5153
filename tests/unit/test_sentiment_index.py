"""The sentiment index: decayed by age, weighted by coverage, blind to the future."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.sentiment_index import IndexPoint, Story, publisher_weight, sentiment_index

AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_no_story_gives_no_point() -> None:
    assert sentiment_index([], AT) is None


def test_one_story_is_its_own_score_whatever_its_age() -> None:
    point = sentiment_index([Story(AT - 6 * H, 0.4, 1)], AT)
    assert point is not None
    assert point.value == pytest.approx(0.4)
    assert point.weight == pytest.approx(0.5**0.5)  # six hours of a twelve-hour half-life
    assert point.stories == 1


def test_a_story_one_half_life_old_counts_half_as_much() -> None:
    point = sentiment_index([Story(AT, 1.0, 1), Story(AT - 12 * H, -1.0, 1)], AT)
    # (1·1 + 0.5·-1) / 1.5
    assert point == IndexPoint(value=pytest.approx(1 / 3), weight=pytest.approx(1.5), stories=2)


def test_wider_coverage_counts_more_but_less_than_in_proportion() -> None:
    assert [publisher_weight(n) for n in (1, 2, 4, 8)] == [1.0, 2.0, 3.0, 4.0]
    assert publisher_weight(0) == 1.0  # a story is carried by at least its own publisher
    point = sentiment_index([Story(AT, 1.0, 4), Story(AT, -1.0, 1)], AT)
    assert point is not None
    assert point.value == pytest.approx((3 - 1) / 4)
    assert point.weight == pytest.approx(4.0)


def test_a_story_published_after_the_moment_is_not_known_yet() -> None:
    past = [Story(AT - 2 * H, 0.5, 1)]
    future = [Story(AT + timedelta(seconds=1), -1.0, 10)]
    assert sentiment_index(past + future, AT) == sentiment_index(past, AT)
    only_future = sentiment_index(future, AT)
    assert only_future is None


def test_stories_older_than_the_window_drop_out_and_at_its_edge_still_count() -> None:
    edge = Story(AT - timedelta(days=3), -1.0, 1)
    older = Story(AT - timedelta(days=3, seconds=1), -1.0, 1)
    point = sentiment_index([edge, older], AT)
    assert point is not None
    assert point.stories == 1
    assert point.weight == pytest.approx(0.5**6)
    assert sentiment_index([older], AT) is None


def test_half_life_and_window_can_be_chosen() -> None:
    stories = [Story(AT, 1.0, 1), Story(AT - 2 * H, -1.0, 1)]
    point = sentiment_index(stories, AT, half_life=H)  # the older story weighs 1/4
    assert point is not None
    assert point.value == pytest.approx((1 - 0.25) / 1.25)
    narrow = sentiment_index(stories, AT, window=H)
    assert narrow is not None
    assert (narrow.value, narrow.stories) == (1.0, 1)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        sentiment_index([Story(AT, 1.5, 1)], AT)
    with pytest.raises(ValueError):
        sentiment_index([Story(AT, math.nan, 1)], AT)
    with pytest.raises(ValueError):
        sentiment_index([], AT.replace(tzinfo=None))
    with pytest.raises(ValueError):
        sentiment_index([], AT, half_life=timedelta(0))


stories = st.lists(
    st.builds(
        Story,
        published_at=st.integers(-100, 100).map(lambda h: AT + h * H),
        score=st.floats(-1, 1),
        publishers=st.integers(1, 50),
    ),
    max_size=30,
)


@given(stories, stories)
def test_a_future_story_never_changes_a_past_point(known: list[Story], later: list[Story]) -> None:
    before = [s for s in known if s.published_at <= AT]
    after = [Story(AT + abs(s.published_at - AT) + H, s.score, s.publishers) for s in later]
    assert sentiment_index(before + after, AT) == sentiment_index(before, AT)


@given(stories)
def test_the_value_stays_within_the_scores(given_stories: list[Story]) -> None:
    point = sentiment_index(given_stories, AT)
    counted = [s.score for s in given_stories if timedelta(0) <= AT - s.published_at <= 72 * H]
    if not counted:
        assert point is None
        return
    assert point is not None
    assert min(counted) - 1e-9 <= point.value <= max(counted) + 1e-9
    assert point.stories == len(counted)
