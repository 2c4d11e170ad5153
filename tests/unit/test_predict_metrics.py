"""Scores of probabilities, by hand: Brier, skill, log loss, ECE, hit rate, the bootstrap bound."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.predict.metrics import (
    brier,
    brier_skill,
    ece,
    hit_rate,
    log_loss,
    score,
    skill_lower_bound,
)

P = [0.8, 0.6, 0.3, 0.5]
Y = [1, 0, 0, 1]


def test_brier_and_its_skill_against_the_base_rate() -> None:
    # (0.04 + 0.36 + 0.09 + 0.25) / 4
    assert brier(P, Y) == pytest.approx(0.185)
    assert brier([0.5] * 4, Y) == pytest.approx(0.25)
    assert brier_skill(P, Y, 0.5) == pytest.approx(1 - 0.185 / 0.25)
    assert brier_skill([0.5] * 4, Y, 0.5) == 0.0
    assert brier_skill([0.9, 0.9], [0, 0], 0.5) < 0  # worse than saying the base rate
    assert math.isnan(brier_skill([0.5], [1], 1.0))  # the base rate was perfect: no reference


def test_log_loss_hit_rate() -> None:
    expected = -(math.log(0.8) + math.log(0.4) + math.log(0.7) + math.log(0.5)) / 4
    assert log_loss(P, Y) == pytest.approx(expected)
    assert log_loss([1.0], [0]) == pytest.approx(-math.log(1e-6))  # clipped, finite
    assert hit_rate(P, Y) == pytest.approx(0.75)  # 0.5 counts as up


def test_ece_over_ten_equal_width_bins() -> None:
    # bins: 0.8 -> [0.8, 0.9) with y 1; 0.6 -> [0.6, 0.7) y 0; 0.3 y 0; 0.5 y 1
    expected = (abs(0.8 - 1) + abs(0.6 - 0) + abs(0.3 - 0) + abs(0.5 - 1)) / 4
    assert ece(P, Y) == pytest.approx(expected)
    # two rows in one bin: |mean p - share of ups| weighted by 2 of 4 rows
    assert ece([0.61, 0.69, 0.2, 1.0], [1, 0, 0, 1]) == pytest.approx(
        (2 * abs(0.65 - 0.5) + 0.2 + 0.0) / 4
    )
    assert ece([0.7] * 10, [1] * 7 + [0] * 3) == pytest.approx(0.0)


def test_the_block_bootstrap_lower_bound_is_below_the_skill_and_fixed() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(4000) < 0.5).astype(float)
    p = np.clip(0.5 + (y - 0.5) * 0.2 + rng.normal(0, 0.1, 4000), 0.01, 0.99)
    skill = brier_skill(p, y, 0.5)
    low = skill_lower_bound(p, y, 0.5, block=24)
    assert 0 < low < skill
    assert low == skill_lower_bound(p, y, 0.5, block=24)  # fixed seed
    noise = np.clip(0.5 + rng.normal(0, 0.05, 4000), 0, 1)
    assert skill_lower_bound(noise, y, 0.5, block=24) < 0  # no skill: the bound says so
    assert math.isnan(skill_lower_bound(p[:10], y[:10], 0.5, block=24))  # too few rows


def test_score_gathers_every_figure() -> None:
    m = score(P, Y, 0.5, block=1)
    assert (m.count, m.brier, m.brier_base, m.base_rate) == (4, pytest.approx(0.185), 0.25, 0.5)
    assert m.skill_low is not None
    assert score(P, Y, [0.4, 0.4, 0.6, 0.6]).base_rate == pytest.approx(0.5)
    assert score(P, Y, 0.5).skill_low is None
    with pytest.raises(ValueError):
        score([0.5], [1, 0], 0.5)
