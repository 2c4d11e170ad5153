"""`pythia train` started by the workers goes on from their market clock (PYTHIA_MARKET_NOW)
at its pace (PYTHIA_MARKET_SPEED); without a pace, at the replay's speed in the sandbox and
the wall's on live markets; by hand, or given something that is not a time, it keeps the
system clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FixedClock, ReplayClock, SystemClock
from core.settings import Settings
from pythia.predict_cli import MARKET_NOW, MARKET_SPEED, _market_clock

AT = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize(("source", "speed"), [("replay", 60.0), ("ccxt", 1.0)])
def test_the_workers_market_time_goes_on_at_its_pace(
    monkeypatch: pytest.MonkeyPatch, source: str, speed: float
) -> None:
    monkeypatch.setenv(MARKET_NOW, AT.isoformat())
    monkeypatch.delenv(MARKET_SPEED, raising=False)
    clock = _market_clock(Settings(market_source=source, replay_speed=60.0))
    assert isinstance(clock, ReplayClock) and clock.speed == speed
    assert AT <= clock.now() < AT + timedelta(minutes=1)


@pytest.mark.parametrize("given", [None, "", "yesterday", "2024-13-40T00:00:00"])
def test_without_a_time_the_system_clock(
    monkeypatch: pytest.MonkeyPatch, given: str | None
) -> None:
    if given is None:
        monkeypatch.delenv(MARKET_NOW, raising=False)
    else:
        monkeypatch.setenv(MARKET_NOW, given)
    assert _market_clock(Settings(market_source="replay")) is None


@pytest.mark.parametrize(
    ("given", "speed"),
    [
        ("0.0", 0.0),
        ("1.0", 1.0),
        ("60.0", 60.0),
        ("-1", 60.0),
        ("nan", 60.0),
        ("inf", 60.0),
        ("fast", 60.0),
        ("", 60.0),
    ],
)
def test_the_pace_the_workers_gave_wins_over_the_settings(
    monkeypatch: pytest.MonkeyPatch, given: str, speed: float
) -> None:
    monkeypatch.setenv(MARKET_NOW, AT.isoformat())
    monkeypatch.setenv(MARKET_SPEED, given)
    clock = _market_clock(Settings(market_source="replay", replay_speed=60.0))
    assert isinstance(clock, ReplayClock) and clock.speed == speed
    if speed == 0:
        assert clock.now() == AT  # a clock that stood still stands still here too


def test_each_clock_says_its_pace() -> None:
    assert SystemClock().speed == 1.0
    assert FixedClock(AT).speed == 0.0
    assert ReplayClock(data_start=AT, speed=60.0).speed == 60.0
