"""The price-alert index fires exactly the alerts between the previous and the current price."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.alerts.index import AlertIndex, IndexedAlert, naive_crossed

D = Decimal


def index_of(*alerts: tuple[int, str, str, str]) -> AlertIndex:
    return AlertIndex.build(IndexedAlert(i, s, d, D(level)) for i, s, d, level in alerts)  # type: ignore[arg-type]


def test_a_rise_fires_the_above_alerts_it_passes_nearest_first() -> None:
    index = index_of(
        (1, "BTC", "above", "70000"),
        (2, "BTC", "above", "69000"),
        (3, "BTC", "above", "71000"),
        (4, "BTC", "below", "69500"),
        (5, "ETH", "above", "69500"),
    )
    assert index.crossed("BTC", D(68000), D(70500)) == [2, 1]


def test_a_fall_fires_the_below_alerts_it_passes_nearest_first() -> None:
    index = index_of(
        (1, "BTC", "below", "60000"), (2, "BTC", "below", "61000"), (3, "BTC", "above", "60500")
    )
    assert index.crossed("BTC", D(62000), D(59000)) == [2, 1]


def test_a_level_equal_to_the_new_price_fires_once() -> None:
    index = index_of((1, "BTC", "above", "70000"), (2, "BTC", "below", "60000"))
    assert index.crossed("BTC", D("69999.99"), D(70000)) == [1]
    assert index.crossed("BTC", D(70000), D("70000.01")) == []
    assert index.crossed("BTC", D("60000.01"), D(60000)) == [2]
    assert index.crossed("BTC", D(60000), D("59999.99")) == []


def test_a_tick_replayed_twice_fires_nothing_twice() -> None:
    index = index_of((1, "BTC", "above", "70000"))
    assert index.crossed("BTC", D(69000), D(70000)) == [1]
    assert index.crossed("BTC", D(70000), D(70000)) == []


def test_a_level_equal_to_the_previous_price_does_not_fire() -> None:
    index = index_of((1, "BTC", "above", "70000"), (2, "BTC", "below", "70000"))
    assert index.crossed("BTC", D(70000), D(71000)) == []
    assert index.crossed("BTC", D(70000), D(69000)) == []


def test_alerts_at_the_same_level_all_fire_and_go_one_by_one() -> None:
    index = AlertIndex()
    for alert_id in (7, 3, 9):
        index.add(alert_id, "SOL", "above", D(100))
    assert index.crossed("SOL", D(99), D(101)) == [7, 3, 9]
    assert index.remove(3) and not index.remove(3)
    assert index.crossed("SOL", D(99), D(101)) == [7, 9]
    assert (len(index), 3 in index, 7 in index) == (2, False, True)


def test_an_unknown_symbol_fires_nothing_and_an_emptied_side_goes() -> None:
    index = index_of((1, "BTC", "above", "70000"))
    assert index.crossed("DOGE", D(0), D(1)) == []
    index.remove(1)
    assert index.crossed("BTC", D(0), D(10**6)) == [] and len(index) == 0


def test_an_alert_id_is_indexed_once() -> None:
    index = index_of((1, "BTC", "above", "70000"))
    with pytest.raises(ValueError, match="already"):
        index.add(1, "ETH", "below", D(2000))
    with pytest.raises(ValueError, match="twice"):
        index_of((1, "BTC", "above", "1"), (1, "BTC", "above", "2"))


def test_a_side_is_above_or_below() -> None:
    with pytest.raises(ValueError, match="above or below"):
        index_of((1, "BTC", "over", "1"))
    with pytest.raises(ValueError, match="above or below"):
        AlertIndex().add(1, "BTC", "up", D(1))  # type: ignore[arg-type]


def test_decimal_levels_are_compared_exactly() -> None:
    # As floats, 0.1 + 0.2 and 0.30000000000000004 are one number; as Decimals they are two.
    index = index_of((1, "X", "above", "0.30000000000000004"))
    assert index.crossed("X", D("0.3"), D("0.30000000000000003")) == []
    assert index.crossed("X", D("0.3"), D("0.30000000000000004")) == [1]


# ---- the index agrees with checking every alert --------------------------------------------------

SYMBOLS = ("BTC", "ETH", "SOL")
# Few distinct prices, so that ties between levels and ticks are common.
prices = st.integers(1, 40).map(lambda n: D(n) / 4)
alerts = st.lists(
    st.tuples(st.sampled_from(SYMBOLS), st.sampled_from(["above", "below"]), prices),
    max_size=60,
)
ticks = st.lists(st.tuples(st.sampled_from(SYMBOLS), prices, prices), min_size=1, max_size=20)


@settings(max_examples=200)
@given(alerts, ticks, st.data())
def test_the_index_fires_what_checking_every_alert_fires(raw, moves, data) -> None:
    rows = [IndexedAlert(i, s, d, level) for i, (s, d, level) in enumerate(raw)]
    built = AlertIndex.build(rows)
    added = AlertIndex()
    for row in rows:
        added.add(*row)
    gone = set(data.draw(st.sets(st.sampled_from(range(len(rows))) if rows else st.nothing())))
    for alert_id in gone:
        assert built.remove(alert_id) and added.remove(alert_id)
    live = [r for r in rows if r.alert_id not in gone]
    assert len(built) == len(added) == len(live)
    for symbol, previous, current in moves:
        expected = Counter(naive_crossed(live, symbol, previous, current))
        assert Counter(built.crossed(symbol, previous, current)) == expected
        assert Counter(added.crossed(symbol, previous, current)) == expected


@settings(max_examples=100)
@given(alerts, ticks)
def test_what_fires_comes_in_the_order_the_price_passes_it(raw, moves) -> None:
    rows = [IndexedAlert(i, s, d, level) for i, (s, d, level) in enumerate(raw)]
    index = AlertIndex.build(rows)
    level = {r.alert_id: r.level for r in rows}
    for symbol, previous, current in moves:
        levels = [level[i] for i in index.crossed(symbol, previous, current)]
        assert levels == sorted(levels, reverse=current < previous)
