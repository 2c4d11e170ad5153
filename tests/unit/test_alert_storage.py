"""An alert survives its row (and its notice) and back; how its history is tested; the guided
flow's offers and typed levels. Pure values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.alerts.flow import offers, rounded, typed_words
from core.alerts.grammar import parse_alert
from core.alerts.history import History, backtest_timeframe, history, span_needed, warm_up
from core.alerts.spec import PriceChange, PriceLevel
from core.alerts.storage import columns_of, condition_of, spec_of
from core.market import Candle
from core.notices import AlertFired, read_payload, to_payload

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
D = Decimal
EVERY_KIND = [
    "BTC > 70000",
    "BTC < 0.00001234 once",
    "ETH -5% 90m every 1h",
    "ETH ±5% 1h",
    "SOL rsi 7 < 30 4h for 7d",
    "BTC macd cross down 1d",
    "ETH crosses sma 200 1d",
    "ETH price > ema 50 4h until 2026-12-31",
    "BTC vol 2.5x 15m",
]


@pytest.mark.parametrize("typed", EVERY_KIND)
def test_every_kind_of_alert_survives_its_row_and_back(typed: str) -> None:
    spec = parse_alert(typed, NOW)
    columns = columns_of(spec)
    assert columns["kind"] in ("price", "change", "indicator", "volume")
    row = type("Row", (), {"window_seconds": None, **columns})()
    assert spec_of(row) == spec
    assert spec_of(row, "OTHER").symbol == "OTHER"


@pytest.mark.parametrize("typed", EVERY_KIND)
def test_every_kind_survives_a_notice_through_the_outbox(typed: str) -> None:
    spec = parse_alert(typed, NOW)
    notice = AlertFired(alert_id=1, user_id=2, condition=condition_of(spec), at=NOW, price=D(1))
    again = read_payload(to_payload(notice))
    assert isinstance(again, AlertFired) and spec_of(again.condition) == spec


@pytest.mark.parametrize(
    "changes",
    [{"kind": "price", "direction": "up"}, {"kind": "indicator", "params": {"indicator": "x"}}],
)
def test_a_row_no_grammar_made_does_not_read(changes: dict) -> None:
    columns = columns_of(parse_alert("BTC > 70000", NOW)) | changes
    row = type("Row", (), {"window_seconds": None, **columns})()
    with pytest.raises(ValueError):
        spec_of(row)


# ---- how often it would have fired ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "timeframe", "wanted", "least"),
    [
        ("BTC > 70000", "1h", timedelta(hours=1), timedelta(0)),
        ("ETH -5% 4h", "1h", timedelta(hours=4), timedelta(hours=4)),
        ("ETH -5% 90m", "1m", timedelta(minutes=90), timedelta(minutes=90)),
        ("SOL rsi < 30 4h", "1h", 100 * timedelta(hours=4), 15 * timedelta(hours=4)),
        ("SOL rsi < 30 5m", "1m", 100 * timedelta(minutes=5), 15 * timedelta(minutes=5)),
        ("BTC macd cross up 1d", "1h", timedelta(days=150), timedelta(days=35)),
        ("ETH crosses sma 200 1d", "1h", timedelta(days=365), timedelta(days=201)),
        ("BTC volume x3 15m", "1m", 22 * timedelta(minutes=15), 21 * timedelta(minutes=15)),
    ],
)
def test_each_condition_is_tested_on_candles_that_can_measure_it(
    typed: str, timeframe: str, wanted: timedelta, least: timedelta
) -> None:
    spec = parse_alert(typed, NOW)
    assert backtest_timeframe(spec.condition) == timeframe
    assert warm_up(spec.condition) == (wanted, least)
    assert span_needed(spec) == timedelta(days=30) + wanted


def hourly(closes: list[str], start: datetime) -> list[Candle]:
    return [
        Candle(start + i * timedelta(hours=1), D(c), D(c), D(c), D(c), D(1))
        for i, c in enumerate(closes)
    ]


def test_history_counts_firings_over_the_last_30_days() -> None:
    spec = parse_alert("BTC > 100", NOW)
    candles = hourly(["90", "110", "90", "110", "90"], NOW - timedelta(hours=5))
    found = history(spec, candles, NOW)
    assert found.timeframe == "1h" and found.result is not None
    assert found.result.count == 2 and found.result.last == NOW - timedelta(hours=2)


def test_too_few_or_too_old_candles_say_nothing() -> None:
    spec = parse_alert("BTC > 100", NOW)
    assert history(spec, [], NOW) == History("1h", None)
    old = hourly(["90", "110"], NOW - timedelta(days=40))
    assert history(spec, old, NOW) == History("1h", None)
    move = parse_alert("BTC -5% 24h", NOW)  # 5 hours cannot measure a day's move
    assert history(move, hourly(["1"] * 5, NOW - timedelta(hours=5)), NOW).result is None


# ---- the guided flow -----------------------------------------------------------------------------


def test_levels_are_offered_around_the_price_and_read_back_by_the_grammar() -> None:
    above = offers("above", D("70123.45"))
    assert [(o.words, o.pct, o.level) for o in above] == [
        ("> 71530", 2, D(71530)),
        ("> 73630", 5, D(73630)),
        ("> 77140", 10, D(77140)),
    ]
    below = offers("below", D("0.00001234"))
    assert [o.words for o in below] == ["< 0.00001209", "< 0.00001172", "< 0.00001111"]
    assert [o.pct for o in below] == [-2, -5, -10]
    assert offers("above", None) == [] and offers("below", D(0)) == []
    assert [o.words for o in offers("rsi", None)] == ["rsi < 30", "rsi > 70"]
    assert [o.words for o in offers("volume", None)] == ["volume x2", "volume x3", "volume x5"]
    assert offers("move", None)[0].words == "±2% 24h"
    for kind in ("above", "below", "move", "rsi", "volume"):
        for offer in offers(kind, D("70123.45")):
            parse_alert(f"BTC {offer.words}", NOW)


def test_a_level_people_would_pick() -> None:
    assert rounded(D("71387.46")) == D(71390)
    assert rounded(D("0.000012345678")) == D("0.00001235")


@pytest.mark.parametrize(
    ("kind", "typed", "words"),
    [
        ("above", "71000", "> 71000"),
        ("below", "65,000", "< 65,000"),
        ("move", "5%", "±5% 24h"),
        ("move", "0,5", "±0,5% 24h"),
        ("rsi", "25", "rsi < 25"),
        ("rsi", "75", "rsi > 75"),
        ("rsi", "72,5", "rsi > 72,5"),
        ("rsi", "lots", "lots"),
        ("volume", "x4", "x4"),
        ("volume", "4", "volume x4"),
        ("above", "< 65000 every 1h", "< 65000 every 1h"),
    ],
)
def test_a_typed_level_is_read_for_the_kind_chosen(kind: str, typed: str, words: str) -> None:
    assert typed_words(kind, typed, decimal_comma=True) == words


def test_a_typed_price_level_reads_as_the_grammar_reads_it() -> None:
    spec = parse_alert(f"ETH {typed_words('move', '0,5')}", NOW)
    assert spec.condition == PriceChange("either", D("0.5"), timedelta(hours=24))
    spec = parse_alert(f"ETH {typed_words('above', '3500,5')}", NOW)
    assert spec.condition == PriceLevel("above", D("3500.5"))
