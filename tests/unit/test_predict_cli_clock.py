"""`pythia train` started by the workers goes on from their market clock (PYTHIA_MARKET_NOW):
at the replay's speed in the sandbox, at the wall's pace on live markets; by hand, or given
something that is not a time, it keeps the system clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import ReplayClock
from core.settings import Settings
from pythia.predict_cli import MARKET_NOW, _market_clock

AT = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)


@pytest.mark.parametrize(("source", "speed"), [("replay", 60.0), ("ccxt", 1.0)])
def test_the_workers_market_time_goes_on_at_its_pace(
    monkeypatch: pytest.MonkeyPatch, source: str, speed: float
) -> None:
    monkeypatch.setenv(MARKET_NOW, AT.isoformat())
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
