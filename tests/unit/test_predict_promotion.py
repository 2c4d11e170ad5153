"""The promotion rule: serve only with a skill whose lower bound clears the margin and that
beats the incumbent."""

from __future__ import annotations

from dataclasses import dataclass

from core.predict.promotion import (
    HEAD_TO_HEAD_ROWS,
    MARGIN,
    MIN_VALIDATION,
    Decision,
    Incumbent,
    decide,
    serving_of,
)


def rule(skill: float = 0.02, low: float | None = 0.005, rows: int = 5000, incumbent=None):
    return decide(validation_rows=rows, skill=skill, skill_low=low, incumbent=incumbent)


def test_an_edge_serves_and_a_point_estimate_alone_does_not() -> None:
    assert rule() == Decision(True, "edge")
    assert rule(skill=0.03, low=-0.001) == Decision(False, "no_edge")
    assert rule(low=MARGIN) == Decision(False, "no_edge")  # the margin itself is not above it
    assert rule(low=MARGIN + 1e-6).serve


def test_too_little_data() -> None:
    assert rule(rows=MIN_VALIDATION - 1) == Decision(False, "too_little_data")
    assert rule(low=None) == Decision(False, "too_little_data")


def test_the_incumbent_head_to_head_on_rows_it_never_saw() -> None:
    better = Incumbent(skill=0.05, head_to_head=(0.240, 0.245, HEAD_TO_HEAD_ROWS))
    assert rule(incumbent=better) == Decision(True, "edge")  # lower Brier wins, whatever skills
    worse = Incumbent(skill=0.0, head_to_head=(0.246, 0.245, HEAD_TO_HEAD_ROWS))
    assert rule(incumbent=worse) == Decision(False, "worse_than_incumbent")
    tie = Incumbent(skill=0.0, head_to_head=(0.245, 0.245, 1000))
    assert rule(incumbent=tie) == Decision(False, "worse_than_incumbent")


def test_too_few_unseen_rows_compare_walk_forward_skills() -> None:
    few = Incumbent(skill=0.03, head_to_head=(0.1, 0.3, HEAD_TO_HEAD_ROWS - 1))
    assert rule(skill=0.02, incumbent=few) == Decision(False, "worse_than_incumbent")
    assert rule(skill=0.03, incumbent=Incumbent(skill=0.03)) == Decision(True, "edge")
    assert rule(skill=0.02, low=-0.01, incumbent=Incumbent(skill=-0.5)) == Decision(
        False, "no_edge"
    )


@dataclass(frozen=True)
class _Row:
    version: int
    status: str


def test_the_champion_serves_else_the_newest_row() -> None:
    newest_first = [_Row(3, "rejected"), _Row(2, "champion"), _Row(1, "retired")]
    assert serving_of(newest_first) == _Row(2, "champion")  # over a newer rejected row
    assert serving_of([_Row(2, "rejected"), _Row(1, "rejected")]) == _Row(2, "rejected")
    assert serving_of([_Row(4, "champion"), _Row(3, "champion")]) == _Row(4, "champion")
