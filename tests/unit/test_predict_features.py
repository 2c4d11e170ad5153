"""Features of hourly candles: no look-ahead on real candles, gaps left as gaps, the leader, the
market basket and the sentiment index joined as of each close."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from core.market import Candle
from core.predict.features import MARKET_MIN, NAMES, SENTIMENT_STALE, Inputs, basket, frame
from workers.sources.replay import load_series

HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def every() -> dict[str, list[Candle]]:
    """The seven sandbox coins: 1,000 real hourly candles each from data/sandbox (same hours)."""
    series = load_series()
    start = series["BTC"].candles[-1100].ts
    return {coin: [c for c in s.candles if c.ts >= start][:1000] for coin, s in series.items()}


@pytest.fixture(scope="module")
def real(every) -> tuple[list[Candle], list[Candle]]:
    """ETH and BTC."""
    return every["ETH"], every["BTC"]


def shocked(candles: list[Candle], since: datetime) -> list[Candle]:
    """Every candle opening at or after `since` changed: prices tripled (and shaken), volume x10."""
    out = []
    for k, c in enumerate(candles):
        if c.ts < since:
            out.append(c)
            continue
        f = Decimal(3) + Decimal(k % 7) / 10
        out.append(
            dataclasses.replace(
                c,
                open=c.open * f,
                high=c.high * f * 2,
                low=c.low * f / 2,
                close=c.close * f,
                volume=c.volume * 10 + 1,
            )
        )
    return out


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return bool(np.array_equal(a.to_numpy(), b.to_numpy(), equal_nan=True))


def test_no_look_ahead_changing_any_candle_from_i_on_leaves_every_earlier_row(real, every) -> None:
    eth, btc = real
    sentiment = [(c.ts + HOUR, math.sin(k / 9)) for k, c in enumerate(eth)]
    base = frame(Inputs(eth, btc, sentiment, basket(every)))
    assert list(base.columns) == list(NAMES) and len(base) == len(eth)
    assert base.iloc[200:].notna().all().all()  # every feature has a value: all are checked
    for i in [*range(1, len(eth), 37), len(eth) - 1]:
        since = eth[i].ts  # candle i's open: rows closing at or before it are known already
        later_sentiment = [(ts, v if ts <= since else -v + 0.5) for ts, v in sentiment]
        market = basket({coin: shocked(candles, since) for coin, candles in every.items()})
        changed = frame(Inputs(shocked(eth, since), shocked(btc, since), later_sentiment, market))
        known = base.index <= since
        assert known.sum() == i
        assert same(base[known], changed[known]), f"a row before candle {i} changed"
        # and the test can fail: candle i's own row does change
        assert not same(base.iloc[[i]], changed.iloc[[i]])


def test_rows_are_indexed_by_close_time_in_utc(real) -> None:
    eth, btc = real
    table = frame(Inputs(eth, btc))
    assert table.index[0] == pd.Timestamp(eth[0].ts + HOUR)
    assert str(table.index.tz) == "UTC"
    last = float(eth[-1].close) / float(eth[-2].close)
    assert table["ret_1h"].iloc[-1] == pytest.approx(math.log(last))
    ours = math.log(float(eth[-1].close) / float(eth[-5].close))
    theirs = math.log(float(btc[-1].close) / float(btc[-5].close))
    assert table["btc_ret_4h"].iloc[-1] == pytest.approx(theirs)
    assert table["rel_ret_4h"].iloc[-1] == pytest.approx(ours - theirs)


def test_a_gap_leaves_returns_across_it_missing_never_filled(real) -> None:
    eth, _ = real
    gapped = eth[:500] + eth[503:]  # three hours missing
    table = frame(Inputs(gapped))
    assert len(table) == len(gapped)
    after = table.loc[pd.Timestamp(eth[503].ts + HOUR)]
    assert math.isnan(after["ret_1h"])  # the candle an hour before is missing
    assert math.isnan(after["ret_2h"])
    assert after["ret_4h"] == pytest.approx(math.log(float(eth[503].close) / float(eth[499].close)))
    assert not math.isnan(after["rsi_14"])  # indicators run over the candles that exist
    two_on = table.loc[pd.Timestamp(eth[504].ts + HOUR)]
    assert two_on["ret_1h"] == pytest.approx(
        math.log(float(eth[504].close) / float(eth[503].close))
    )


def test_duplicates_and_disorder_are_one_row_per_hour_in_order(real) -> None:
    eth, _ = real
    shuffled = list(reversed(eth[:300])) + eth[100:120]
    table = frame(Inputs(shuffled))
    assert same(table, frame(Inputs(eth[:300])))


def test_without_a_leader_or_sentiment_their_columns_are_missing(real) -> None:
    eth, _ = real
    table = frame(Inputs(eth[:400]))
    for code in ("btc_ret_1h", "rel_ret_24h", "sentiment", "sentiment_chg_24h"):
        assert table[code].isna().all()
    assert table["rsi_14"].notna().iloc[-1] and table["ret_168h"].notna().iloc[-1]


def test_sentiment_is_as_of_the_close_and_stale_after_three_hours() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    prices = [Decimal(100 + k) for k in range(40)]
    candles = [Candle(start + k * HOUR, p, p, p, p, Decimal(1)) for k, p in enumerate(prices)]
    points = [
        (start + 5 * HOUR, 0.2),
        (start + 30 * HOUR, -0.4),
        (start + 31 * HOUR + 1 * HOUR, 0.9),
    ]
    table = frame(Inputs(candles, None, points))
    at = table["sentiment"]
    assert math.isnan(at[pd.Timestamp(start + 4 * HOUR)])  # before any point
    assert at[pd.Timestamp(start + 5 * HOUR)] == 0.2  # a point at the close counts
    assert at[pd.Timestamp(start + 5 * HOUR + SENTIMENT_STALE)] == 0.2
    assert math.isnan(at[pd.Timestamp(start + 6 * HOUR + SENTIMENT_STALE)])  # stale
    assert at[pd.Timestamp(start + 31 * HOUR)] == -0.4  # the later point is not known yet
    assert at[pd.Timestamp(start + 32 * HOUR)] == 0.9


def test_nothing_in_nothing_out() -> None:
    table = frame(Inputs([]))
    assert table.empty and list(table.columns) == list(NAMES)


def _flat(start: datetime, closes: list[float]) -> list[Candle]:
    return [
        Candle(start + k * HOUR, Decimal(repr(p)), Decimal(repr(p)), Decimal(repr(p)),
               Decimal(repr(p)), Decimal(1))
        for k, p in enumerate(closes)
    ]  # fmt: skip


def test_the_market_basket_is_the_mean_of_the_coins_moves_and_their_breadth() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    n = 30
    coins = {
        "AAA": _flat(start, [100.0 * 1.01**k for k in range(n)]),  # +1 % an hour
        "BBB": _flat(start, [50.0 * 0.98**k for k in range(n)]),  # -2 % an hour
        "CCC": _flat(start, [10.0 + (k % 2) for k in range(n)]),  # 10, 11, 10, 11…
        "DDD": _flat(start, [7.0] * n),
    }
    coins["DDD"] = coins["DDD"][:20] + coins["DDD"][21:]  # DDD misses one hour
    table = frame(Inputs(coins["AAA"], None, None, basket(coins)))
    last = table.iloc[-1]  # closes at hour n: CCC last went 10 -> 11 (k = 29 is odd)
    moves = [math.log(1.01), math.log(0.98), math.log(11 / 10), 0.0]
    assert last["mkt_ret_1h"] == pytest.approx(sum(moves) / 4)
    assert last["mkt_rel_1h"] == pytest.approx(math.log(1.01) - sum(moves) / 4)
    four = [4 * math.log(1.01), 4 * math.log(0.98), 0.0, 0.0]
    assert last["mkt_ret_4h"] == pytest.approx(sum(four) / 4)
    assert last["mkt_breadth_24h"] == pytest.approx(1 / 4)  # AAA up; CCC 11 -> 11, DDD flat
    # the hour after DDD's gap: three coins have a 1 h move, enough for a basket of them
    after = table.loc[pd.Timestamp(coins["AAA"][21].ts + HOUR)]
    k = 21
    ccc = math.log((10.0 + k % 2) / (10.0 + (k - 1) % 2))
    assert after["mkt_ret_1h"] == pytest.approx((math.log(1.01) + math.log(0.98) + ccc) / 3)


def test_an_hour_with_too_few_coins_has_no_basket_and_too_few_coins_no_columns() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    coins = {c: _flat(start, [100.0 + k + i for k in range(30)]) for i, c in enumerate("ABC")}
    coins["B"] = coins["B"][:10]  # B stops after ten hours: two coins from then on
    table = frame(Inputs(coins["A"], None, None, basket(coins)))
    assert MARKET_MIN == 3
    assert table["mkt_ret_1h"].iloc[5] == pytest.approx(
        (math.log(105 / 104) + math.log(106 / 105) + math.log(107 / 106)) / 3
    )
    assert table["mkt_ret_1h"].iloc[20:].isna().all() and table["mkt_breadth_24h"].isna().all()
    two = frame(Inputs(coins["A"], None, None, basket({"A": coins["A"], "C": coins["C"]})))
    assert two.filter(like="mkt_").isna().all().all()
    assert frame(Inputs(coins["A"], None, None, basket({}))).filter(like="mkt_").isna().all().all()
