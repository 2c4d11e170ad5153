"""Assets side by side: alignment on common candles, changes, the correlation matrix."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.compare import align, correlation_matrix, strength
from core.market import Candle

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def series(closes: list[float], skip: set[int] = frozenset()) -> list[Candle]:
    return [
        Candle(
            T0 + timedelta(hours=i),
            Decimal(repr(c)),
            Decimal(repr(c)),
            Decimal(repr(c)),
            Decimal(repr(c)),
            Decimal(1),
        )
        for i, c in enumerate(closes)
        if i not in skip
    ]


def test_alignment_keeps_only_common_candles() -> None:
    aligned = align({"A": series([1, 2, 3, 4]), "B": series([10, 20, 30, 40], skip={1})})
    assert aligned.times == (T0, T0 + timedelta(hours=2), T0 + timedelta(hours=3))
    assert aligned.closes == {"A": (1.0, 3.0, 4.0), "B": (10.0, 30.0, 40.0)}
    assert aligned.change_pct("A") == Decimal("300.00")


def test_the_matrix_is_symmetric_with_ones_on_the_diagonal() -> None:
    a = [100 + (i % 7) * 3 + i for i in range(60)]
    b = [2 * x for x in a]  # same returns
    c = [1000 / x for x in a]  # opposite returns
    matrix = correlation_matrix({"A": series(a), "B": series(b), "C": series(c)})
    assert [matrix[i][i] for i in range(3)] == [1.0, 1.0, 1.0]
    assert math.isclose(matrix[0][1], 1.0, abs_tol=1e-9)
    assert math.isclose(matrix[0][2], -1.0, abs_tol=1e-9)
    assert matrix[1][2] == matrix[2][1]


def test_too_little_overlap_is_nan_not_a_number_made_up() -> None:
    matrix = correlation_matrix({"A": series([1, 2]), "B": series([3, 4])})
    assert math.isnan(matrix[0][1])


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (0.95, ("strong", False)),
        (0.7, ("strong", False)),
        (0.55, ("moderate", False)),
        (0.25, ("weak", False)),
        (0.05, ("negligible", False)),
        (-0.1, ("negligible", False)),  # too weak to have a direction
        (-0.45, ("moderate", True)),
        (-0.9, ("strong", True)),
    ],
)
def test_how_strongly_two_coins_move_together(r: float, expected: tuple[str, bool]) -> None:
    assert strength(r) == expected
