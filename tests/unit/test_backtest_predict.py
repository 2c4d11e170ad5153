"""/backtest's strategy, "long when P(up) > threshold, else flat", against buy-and-hold: small
cases computed by hand, the arguments as people type them, the window the out-of-sample
probabilities allow, and the words and picture a person gets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.charts.backtest import render_backtest
from bot.i18n import texts_for
from bot.views.backtest import backtest_caption, backtest_labels, backtest_refused, backtest_title
from bot.views.common import MAX_CAPTION, telegram_length
from core.periods import Period
from core.predict.backtest import (
    DEFAULT_THRESHOLD,
    FEE_PER_SIDE,
    BacktestArgs,
    max_drawdown,
    parse_args,
    parse_threshold,
    run,
    window,
)
from core.refusal import BadArgument, Refusal
from services.backtest import BacktestResult, ModelUsed

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
FEE = 0.001


def hourly(prices: Sequence[float], start: datetime = T0) -> list[tuple[datetime, float]]:
    return [(start + i * HOUR, p) for i, p in enumerate(prices)]


def probs(values: Sequence[float | None], start: datetime = T0) -> dict[datetime, float]:
    return {start + i * HOUR: p for i, p in enumerate(values) if p is not None}


# ---- the strategy, by hand ---------------------------------------------------------------------


def test_a_round_trip_pays_a_fee_on_each_side() -> None:
    # in at 100 (P 0.6), still confident at 110, out at 121 (P 0.4); flat for the fall to 110
    result = run(hourly([100, 110, 121, 110]), probs([0.6, 0.6, 0.4, 0.6]), "1h", fee=FEE)
    assert result.strategy_return == pytest.approx(0.999 * 1.21 * 0.999 - 1)  # +20.758 %
    out = 0.999 * 1.21 * 0.999
    assert result.strategy == pytest.approx((0.999, 0.999 * 1.1, out, out))
    (trade,) = result.trades
    assert (trade.entered, trade.exited) == (T0, T0 + 2 * HOUR)
    assert (trade.entry_price, trade.exit_price) == (100, 121)
    assert trade.net_return == pytest.approx(0.20758121)
    assert result.won == 1
    assert result.in_market == (False, True, True, False)
    assert result.hours == 3 and result.hours_in_market == 2
    assert result.time_in_market == pytest.approx(2 / 3)
    assert result.decisions == 4


def test_buy_and_hold_is_the_ratio_of_closes_less_two_fees() -> None:
    result = run(hourly([100, 110, 121, 110]), probs([0.6, 0.6, 0.4, 0.6]), "1h", fee=FEE)
    assert result.hold_return == pytest.approx(1.1 * 0.999**2 - 1)  # +9.78 %
    assert result.hold_drawdown == pytest.approx(1 - 0.999 * 110 / 121)  # from 121 to 110
    free = run(hourly([100, 110, 121, 110]), probs([0.6, 0.6, 0.4, 0.6]), "1h", fee=0.0)
    assert free.hold_return == pytest.approx(110 / 100 - 1)
    assert free.hold == pytest.approx((1.0, 1.1, 1.21, 1.1))


def test_all_flat_gives_no_return_no_trades_and_no_drawdown() -> None:
    result = run(hourly([100, 90, 80, 120]), probs([0.55, 0.3, 0.5, 0.9]), "1h")
    assert result.strategy_return == 0
    assert result.strategy == (1.0, 1.0, 1.0, 1.0)
    assert result.trades == ()
    assert result.max_drawdown == 0
    assert result.time_in_market == 0
    assert result.hold_return == pytest.approx(1.2 * (1 - FEE_PER_SIDE) ** 2 - 1)


def test_exactly_the_threshold_is_not_above_it() -> None:
    result = run(hourly([100, 200]), probs([0.6, 0.6]), "1h", threshold=0.6)
    assert result.trades == ()


def test_a_position_is_held_for_the_horizon_whatever_is_said_meanwhile() -> None:
    prices = [100.0 + i for i in range(30)]
    said = [0.7] + [0.1] * 29  # confident once, then not at all
    result = run(hourly(prices), probs(said), "24h", fee=0.0)
    (trade,) = result.trades
    assert (trade.entered, trade.exited) == (T0, T0 + 24 * HOUR)
    assert trade.net_return == pytest.approx(124 / 100 - 1)
    assert result.hours_in_market == 24 and result.hours == 29
    assert result.strategy_return == pytest.approx(0.24)


def test_still_confident_when_the_horizon_ends_keeps_the_position_without_a_trade() -> None:
    prices = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]
    said = [0.6, 0.1, 0.1, 0.1, 0.6, 0.1, 0.1, 0.1, 0.2, 0.1]  # 4h: asked again at hour 4
    result = run(hourly(prices), probs(said), "4h", fee=FEE)
    (trade,) = result.trades  # one trade: in at 0, held on at 4, out at 8
    assert (trade.entered, trade.exited) == (T0, T0 + 8 * HOUR)
    assert trade.net_return == pytest.approx(108 / 100 * 0.999**2 - 1)


def test_no_probability_when_the_horizon_ends_means_out() -> None:
    result = run(hourly([100, 110, 120]), probs([0.9, None, 0.9]), "1h", fee=0.0)
    (trade,) = result.trades
    assert trade.exited == T0 + HOUR
    assert result.strategy_return == pytest.approx(0.1)


def test_a_position_held_at_the_end_is_sold_at_the_last_close() -> None:
    result = run(hourly([100, 50, 80]), probs([0.9, 0.9, 0.9]), "24h", fee=FEE)
    (trade,) = result.trades
    assert trade.exited == T0 + 2 * HOUR and trade.exit_price == 80
    assert result.strategy_return == pytest.approx(0.8 * 0.999**2 - 1)
    assert result.won == 0
    assert result.max_drawdown == pytest.approx(1 - 0.5 * 0.999 / 1.0)  # 1 → 0.4995
    assert result.strategy_return == pytest.approx(result.hold_return)  # in all along


def test_trades_are_counted_once_each() -> None:
    # in, out, in, out, in (sold at the end): three round trips
    said = [0.7, 0.2, 0.7, 0.2, 0.7, 0.7]
    result = run(hourly([10, 11, 10, 11, 10, 11]), probs(said), "1h", fee=FEE)
    assert len(result.trades) == 3
    assert [t.entered for t in result.trades] == [T0, T0 + 2 * HOUR, T0 + 4 * HOUR]
    assert result.won == 3
    assert result.strategy_return == pytest.approx((1.1 * 0.999**2) ** 3 - 1)
    assert result.in_market == (False, True, False, True, False, True)


def test_a_missing_candle_is_crossed_and_the_exit_is_the_first_close_after_the_horizon() -> None:
    closes = [(T0, 100.0), (T0 + HOUR, 105.0), (T0 + 5 * HOUR, 120.0), (T0 + 6 * HOUR, 90.0)]
    said = {T0: 0.9, T0 + 5 * HOUR: 0.1, T0 + 6 * HOUR: 0.9}
    result = run(closes, said, "4h", fee=0.0)
    (trade,) = result.trades
    assert trade.exited == T0 + 5 * HOUR and trade.exit_price == 120
    assert result.hours_in_market == 5 and result.hours == 6


def test_the_backtest_starts_at_the_first_close_with_a_probability() -> None:
    result = run(hourly([50, 100, 110]), probs([None, 0.9, 0.9]), "1h", fee=0.0)
    assert result.start == T0 + HOUR
    assert result.hold_return == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("closes", "said"),
    [
        (hourly([100]), probs([0.9])),
        (hourly([100, 110]), {}),
        (hourly([100, 110]), probs([None, 0.9])),
        (hourly([100, 0]), probs([0.9, 0.9])),
        (hourly([100, float("nan")]), probs([0.9, 0.9])),
    ],
)
def test_what_cannot_be_backtested_is_an_error(closes, said) -> None:
    with pytest.raises(ValueError):
        run(closes, said, "1h")


def test_max_drawdown_is_measured_from_the_running_peak() -> None:
    assert max_drawdown([1.0, 1.2, 0.9, 1.5, 1.2, 1.6]) == pytest.approx(0.25)
    assert max_drawdown([1.0, 1.1, 1.2]) == 0
    assert max_drawdown([0.5]) == pytest.approx(0.5)


@settings(max_examples=200)
@given(
    prices=st.lists(st.floats(1, 1000), min_size=3, max_size=40),
    said=st.lists(st.floats(0, 1), min_size=40, max_size=40),
    other=st.lists(st.floats(0, 1), min_size=40, max_size=40),
    cut=st.integers(1, 39),
    horizon=st.sampled_from(["1h", "4h", "24h"]),
)
def test_no_look_ahead_later_probabilities_and_prices_leave_the_past_alone(
    prices, said, other, cut, horizon
) -> None:
    cut = min(cut, len(prices) - 2)
    closes = hourly(prices)
    before = run(closes, probs(said), horizon)
    changed_said = probs(said[: cut + 1] + other[cut + 1 :])
    changed_prices = closes[: cut + 1] + [(t, p * 1.5) for t, p in closes[cut + 1 :]]
    after = run(changed_prices, changed_said, horizon)
    # up to the cut, equity, positions and the trades closed are the same
    assert after.strategy[: cut + 1] == before.strategy[: cut + 1]
    assert after.in_market[: cut + 1] == before.in_market[: cut + 1]
    assert [t for t in after.trades if t.exited <= closes[cut][0]] == [
        t for t in before.trades if t.exited <= closes[cut][0]
    ]


@settings(max_examples=200)
@given(
    prices=st.lists(st.floats(1, 1000), min_size=2, max_size=40),
    said=st.lists(st.floats(0, 1), min_size=40, max_size=40),
)
def test_every_trade_is_a_round_trip_within_the_window(prices, said) -> None:
    result = run(hourly(prices), probs(said), "4h")
    for trade in result.trades:
        assert result.start <= trade.entered < trade.exited <= result.end
    for a, b in zip(result.trades, result.trades[1:], strict=False):
        assert a.exited <= b.entered  # positions never overlap
    assert 0 <= result.time_in_market <= 1
    assert 0 <= result.max_drawdown < 1


# ---- the arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("BTC", BacktestArgs(("BTC",), "24h", None, DEFAULT_THRESHOLD)),
        ("btc 1h", BacktestArgs(("btc",), "1h", None, DEFAULT_THRESHOLD)),
        ("BTC 24h 3m 0.6", BacktestArgs(("BTC",), "24h", Period(timedelta(days=90), "3m"), 0.6)),
        ("ETH 60% 4h 1y", BacktestArgs(("ETH",), "4h", Period(timedelta(days=365), "1y"), 0.6)),
        ("SOL 0,7 30d", BacktestArgs(("SOL",), "24h", Period(timedelta(days=30), "30d"), 0.7)),
        ("SOL 65", BacktestArgs(("SOL",), "24h", None, 0.65)),
        ("SOL .5", BacktestArgs(("SOL",), "24h", None, 0.5)),
        ("SOL 2w 0.95", BacktestArgs(("SOL",), "24h", Period(timedelta(days=14), "2w"), 0.95)),
        ("BTC 4h P(up) > 0.6", BacktestArgs(("BTC",), "4h", None, 0.6)),
        ("BTC >0.6 4h", BacktestArgs(("BTC",), "4h", None, 0.6)),
        ("BTC p>60%", BacktestArgs(("BTC",), "24h", None, 0.6)),
        ("BTC P(up)>=0.7", BacktestArgs(("BTC",), "24h", None, 0.7)),
    ],
)
def test_arguments_in_any_order(typed: str, expected: BacktestArgs) -> None:
    assert parse_args(typed.split()) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "backtest.one_coin"),
        ("24h", "backtest.one_coin"),
        ("BTC ETH", "backtest.one_coin"),
        ("BTC 2h", "backtest.horizon_unknown"),
        ("BTC 48h", "backtest.horizon_unknown"),
        ("BTC 1h 4h", "backtest.horizon_twice"),
        ("BTC 0.4", "backtest.threshold_range"),
        ("BTC 0.96", "backtest.threshold_range"),
        ("BTC 1", "backtest.threshold_range"),
        ("BTC 100%", "backtest.threshold_range"),
        ("BTC 1.5", "backtest.threshold_range"),
        ("BTC 0.6 0.7", "backtest.threshold_twice"),
        ("BTC 3x", "period.unreadable"),
        ("BTC 30d 3m", "period.twice"),
        ("BTC 20y", "period.too_long"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(typed: str, code: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_args(typed.split())
    assert refused.value.code == code


def test_a_threshold_refusal_says_what_was_typed_and_the_range() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_threshold("97%")
    assert refused.value.params == {"typed": "97%", "low": 0.5, "high": 0.95}


# ---- the window --------------------------------------------------------------------------------

OOF = [T0 + i * HOUR for i in range(100)]  # probabilities made hourly over T0 .. T0+99h


def test_the_whole_out_of_sample_window_when_no_period_is_asked() -> None:
    found = window(OOF, T0 + 200 * HOUR, "24h", None)
    assert found is not None
    assert (found.start, found.end) == (T0, T0 + 123 * HOUR)  # the last decision + 24h
    assert (found.covered_from, found.covered_to) == (T0, T0 + 99 * HOUR)
    assert not found.clipped


def test_a_period_inside_the_window_is_taken_as_asked() -> None:
    found = window(OOF, T0 + 99 * HOUR, "1h", T0 + 50 * HOUR)
    assert found is not None
    assert (found.start, found.end) == (T0 + 50 * HOUR, T0 + 99 * HOUR)
    assert not found.clipped


def test_a_period_reaching_before_the_window_is_clipped_and_says_so() -> None:
    found = window(OOF, T0 + 110 * HOUR, "4h", T0 - 30 * 24 * HOUR)
    assert found is not None
    assert (found.start, found.end) == (T0, T0 + 103 * HOUR)
    assert found.clipped


def test_a_period_reaching_far_beyond_the_window_is_clipped_too() -> None:
    found = window(OOF, T0 + 400 * HOUR, "1h", T0 + 50 * HOUR)  # asked 350 h, got 50
    assert found is not None
    assert (found.start, found.end) == (T0 + 50 * HOUR, T0 + 100 * HOUR)
    assert found.clipped


def test_ending_a_horizon_before_the_candles_is_not_clipping() -> None:
    found = window(OOF, T0 + 123 * HOUR, "24h", T0 + 23 * HOUR)  # the usual end of the OOF
    assert found is not None and not found.clipped
    assert found.end == T0 + 123 * HOUR


def test_a_period_after_the_window_or_too_little_of_it_is_none() -> None:
    assert window(OOF, T0 + 400 * HOUR, "1h", T0 + 300 * HOUR) is None
    assert window(OOF, T0 + 400 * HOUR, "1h", T0 + 99 * HOUR) is None  # one decision
    assert window([], T0, "1h", None) is None
    assert window(OOF, T0 - HOUR, "1h", None) is None  # the closes end before it starts


# ---- what a person reads -----------------------------------------------------------------------


def a_result(
    *,
    period: Period | None = None,
    since: datetime | None = None,
    status: str = "champion",
    reason: str = "edge",
    said: Sequence[float | None] = (0.7, 0.7, 0.2, 0.7, 0.2, 0.2, 0.7, 0.3),
) -> BacktestResult:
    closes = hourly([100, 104, 103, 101, 99, 100, 102, 105, 104, 103])
    probabilities = probs(said)
    cut = window(sorted(probabilities), closes[-1][0], "1h", since)
    assert cut is not None
    model = ModelUsed(7, 3, status, reason, T0, T0 - 2 * HOUR)
    inside = [(t, p) for t, p in closes if cut.start <= t <= cut.end]
    result = run(inside, probabilities, "1h")
    return BacktestResult("BTC", "Bitcoin", period, cut, model, result, "binance BTC/USDT spot")


@pytest.mark.parametrize("language", ["en", "es", "ru"])
def test_the_caption_fits_and_ends_saying_it_is_not_advice(language: str) -> None:
    t = texts_for(language)
    caption = backtest_caption(t, a_result())
    assert telegram_length(caption) <= MAX_CAPTION
    assert len(caption.split("\n")) == 7
    assert caption.endswith(t._("Not financial advice."))
    assert "&gt;" in caption.split("\n")[0] and " > " not in caption
    assert "<b>" in caption and caption.count("<b>") == caption.count("</b>")


def test_the_caption_in_english() -> None:
    t = texts_for("en")
    found = a_result()
    b = found.backtest
    lines = backtest_caption(t, found).split("\n")
    assert lines[0] == "<b>BTC backtest</b> · 1h · long when P(up) &gt; 55%, else flat"
    assert len(b.trades) == 3 and b.won == 2
    assert lines[1] == (
        f"Strategy: <b>{t.pct(Decimal(f'{b.strategy_return * 100:.2f}'))}</b> · max drawdown "
        f"{t.pct(Decimal(f'{-b.max_drawdown * 100:.2f}'))} · 3 trades, 2 won · in the market "
        f"{round(b.time_in_market * 100)}%"
    )
    assert lines[2].startswith("Buy and hold: <b>+3.79%</b> · max drawdown −")  # 104/100 − fees
    assert lines[3].startswith("Mar 1, 2026 – Mar 1, 2026: the model's whole out-of-sample")
    assert lines[4] == "Model v3, trained Feb 28, 2026; it serves /predict."
    assert lines[5].startswith("Bought at the close a prediction is made on, held 1 hour,")
    assert "fees 0.1% per side" in lines[5]


def test_a_model_that_does_not_serve_says_why() -> None:
    t = texts_for("en")
    for reason, why in [
        ("no_edge", "no edge found"),
        ("too_little_data", "too little data to tell"),
        ("worse_than_incumbent", "not better than the model it would replace"),
        ("something_new", "no edge found"),
    ]:
        line = backtest_caption(t, a_result(status="rejected", reason=reason)).split("\n")[4]
        assert line == f"Model v3, trained Feb 28, 2026; it does not serve /predict: {why}.", line


def test_the_window_says_what_was_asked_and_what_was_used() -> None:
    t = texts_for("en")
    asked = Period(timedelta(days=90), "3m")
    clipped = a_result(period=asked, since=T0 - 90 * 24 * HOUR)
    line = backtest_caption(t, clipped).split("\n")[3]
    assert line.startswith("Mar 1, 2026 – Mar 1, 2026: you asked for 3m, but the model's")
    assert "covers Mar 1, 2026 – Mar 1, 2026" in line
    inside = a_result(period=Period(timedelta(hours=9), "9h"), since=T0)
    assert not inside.window.clipped
    assert "(9h): the model's out-of-sample predictions" in backtest_caption(t, inside)


def test_no_trades_and_trade_counts_in_every_language() -> None:
    flat = a_result(said=(0.1, 0.1, 0.1))
    assert "· no trades ·" in backtest_caption(texts_for("en"), flat)
    assert "· сделок нет ·" in backtest_caption(texts_for("ru"), flat)
    assert "Strategy: <b>±0.00%</b> · max drawdown 0.00% · no trades" in backtest_caption(
        texts_for("en"), flat
    )
    assert "· ninguna operación ·" in backtest_caption(texts_for("es"), flat)
    assert "3 сделки, в плюсе 2" in backtest_caption(texts_for("ru"), a_result())


def test_the_title_and_legend_are_plain_text() -> None:
    t, found = texts_for("en"), a_result()
    assert backtest_title(t, found) == "BTC · 1h · long when P(up) > 55%"
    strategy, hold, shading = backtest_labels(t, found)
    assert strategy.startswith("Strategy ") and hold == "Buy and hold +3.79%"
    assert shading == "in the market"


REFUSALS = [
    Refusal("backtest.one_coin", count=0),
    Refusal("backtest.horizon_unknown", typed="<b>2h", allowed=("1h", "4h", "24h")),
    Refusal("backtest.horizon_twice"),
    Refusal("backtest.threshold_range", typed="<i>0.99", low=0.5, high=0.95),
    Refusal("backtest.threshold_twice"),
    Refusal("backtest.no_model", coin="BTC", horizon="4h"),
    Refusal("backtest.no_probabilities", coin="BTC", horizon="4h", version=2),
    Refusal("backtest.no_candles", coin="SOL"),
    Refusal(
        "backtest.outside_window",
        coin="BTC",
        horizon="1h",
        period="3d",
        covered_from=T0,
        covered_to=T0 + 24 * HOUR,
    ),
    Refusal("period.unreadable", typed="3x"),
]


@pytest.mark.parametrize("language", ["en", "es", "ru"])
@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.code)
def test_every_refusal_is_one_escaped_line(language: str, refusal: Refusal) -> None:
    text = backtest_refused(texts_for(language), refusal)
    assert "\n" not in text and "<b>2h" not in text and "<i>" not in text
    assert text != backtest_refused(texts_for("en"), refusal) or language == "en"
    what_was_typed = refusal.code.startswith(("backtest.one", "backtest.h", "backtest.t", "period"))
    assert ("/backtest BTC 24h 3m 0.6" in text) == what_was_typed


def test_the_outside_window_refusal_says_the_window_and_what_to_send() -> None:
    text = backtest_refused(texts_for("en"), REFUSALS[8])
    assert text == (
        "The 1h model of BTC has out-of-sample predictions for Mar 1, 2026 – Mar 2, 2026 only, "
        "outside the last 3d — send <code>/backtest BTC 1h</code> for all of them."
    )


def test_the_picture_is_a_png_and_refuses_mismatched_curves() -> None:
    b = a_result().backtest
    labels = ("Strategy", "Buy and hold", "in the market")
    drawn = render_backtest(b.times, b.strategy, b.hold, b.in_market, title="BTC", labels=labels)
    assert drawn.startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        render_backtest(b.times, b.strategy[:-1], b.hold, b.in_market, title="", labels=labels)
