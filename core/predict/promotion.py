"""The promotion rule: when a freshly trained model may serve, as a reason code.

A candidate serves only when (1) it was trained and validated on enough rows, (2) the bootstrap
lower bound of its walk-forward Brier skill against the base rate is above MARGIN — a skill
that could be chance does not serve — and (3) it beats the incumbent champion: head to head on
validation rows the incumbent never trained on when there are at least HEAD_TO_HEAD_ROWS of
them (lower Brier wins), else on their walk-forward skills (the candidate's must be at least
the incumbent's). Otherwise the coin and horizon are answered with the base rate ("no edge").

Reason codes: 'edge' (serve), 'no_edge', 'worse_than_incumbent', 'too_little_data'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

MARGIN = 0.001  # the skill's lower bound must clear this
MIN_ROWS = 1000  # labelled rows a model needs to be trained at all (about six weeks of hours)
MIN_VALIDATION = 400  # walk-forward validation rows needed for its skill to mean something
HEAD_TO_HEAD_ROWS = 300  # unseen rows needed to compare with the incumbent directly


@dataclass(frozen=True, slots=True)
class Decision:
    serve: bool
    reason: str  # 'edge' | 'no_edge' | 'worse_than_incumbent' | 'too_little_data'


@dataclass(frozen=True, slots=True)
class Incumbent:
    """The champion now serving: its walk-forward skill, and (when there were enough rows it
    never trained on) both models' Brier scores on those same rows."""

    skill: float
    head_to_head: tuple[float, float, int] | None = None  # (candidate brier, its brier, rows)


def enough_rows(rows: int) -> bool:
    return rows >= MIN_ROWS


def decide(
    *,
    validation_rows: int,
    skill: float,
    skill_low: float | None,
    incumbent: Incumbent | None,
) -> Decision:
    if validation_rows < MIN_VALIDATION or skill_low is None:
        return Decision(False, "too_little_data")
    if not skill_low > MARGIN:
        return Decision(False, "no_edge")
    if incumbent is not None:
        if incumbent.head_to_head is not None and incumbent.head_to_head[2] >= HEAD_TO_HEAD_ROWS:
            ours, theirs, _ = incumbent.head_to_head
            if not ours < theirs:
                return Decision(False, "worse_than_incumbent")
        elif skill < incumbent.skill:
            return Decision(False, "worse_than_incumbent")
    return Decision(True, "edge")


class _Stated(Protocol):
    @property
    def status(self) -> str: ...


M = TypeVar("M", bound=_Stated)


def serving_of(newest_first: Sequence[M]) -> M:
    """Of one coin × horizon's trained models (newest first, at least one), the one that serves:
    the champion, else the newest — whose base rate is then served, "no edge found"."""
    return next((m for m in newest_first if m.status == "champion"), newest_first[0])
