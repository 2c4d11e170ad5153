"""/top's rule: the biggest rises and falls over 24 h, a few of each."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from core.market import PriceQuote
from core.movers import movers

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def moved(asset: str, change: str | None) -> PriceQuote:
    pct = Decimal(change) if change is not None else None
    return PriceQuote(asset, Decimal(1), "USDT", "binance", NOW, pct)


def test_gainers_biggest_first_and_losers_biggest_fall_first() -> None:
    found = movers([moved("A", "1"), moved("B", "-3"), moved("C", "5"), moved("D", "-1")])
    assert [q.asset for q in found.gainers] == ["C", "A"]
    assert [q.asset for q in found.losers] == ["B", "D"]
    assert found.changed == 4


def test_no_change_or_an_unchanged_price_is_neither() -> None:
    found = movers([moved("A", None), moved("B", "0"), moved("C", "2")])
    assert [q.asset for q in found.gainers] == ["C"] and found.losers == ()
    assert found.changed == 2  # B has a change: none


def test_at_most_a_few_of_each() -> None:
    found = movers([moved(f"C{i}", str(i - 10)) for i in range(21)], shown=3)
    assert [q.asset for q in found.gainers] == ["C20", "C19", "C18"]
    assert [q.asset for q in found.losers] == ["C0", "C1", "C2"]
