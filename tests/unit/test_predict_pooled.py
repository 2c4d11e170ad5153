"""The pooled classifier (workers.predict.train.pool_fit) on the sandbox's real candles: every
coin's rows train it, walked forward over blocks of time, and nothing a row's out-of-fold
P(up) depends on comes after that row; a coin's training around it serves it. A coin's whole
walk-forward (pooled or alone) has no look-ahead either: bins, calibration and baselines."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from core.market import Candle
from core.predict.bundle import decode
from core.predict.features import Inputs, Packed, basket, pack
from core.predict.walkforward import folds
from services.model_registry import Training
from workers.predict.model import Predictor
from workers.predict.train import Pooled, WalkForward, dataset, pool_fit, train, walk_forward
from workers.sources.replay import load_series

HOUR = timedelta(hours=1)


def packed_of(every: dict[str, list[Candle]]) -> dict[str, Packed]:
    market = basket(every)
    return {
        coin: pack(Inputs(candles, None if coin == "BTC" else every["BTC"], None, market))
        for coin, candles in every.items()
    }


@pytest.fixture(scope="module")
def every() -> dict[str, list[Candle]]:
    return {coin: list(series.candles) for coin, series in load_series().items()}


@pytest.fixture(scope="module")
def pooled(every: dict[str, list[Candle]]) -> Pooled:
    done = pool_fit(packed_of(every), "1h")
    assert done is not None
    return done


def shocked(candles: list[Candle], since: datetime) -> list[Candle]:
    """Every candle opening at or after `since`: prices tripled and shaken, volume x10."""
    return [
        c
        if c.ts < since
        else dataclasses.replace(
            c,
            open=c.open * 3,
            high=c.high * 7,
            low=c.low / 2,
            close=c.close * (3 + Decimal(k % 5) / 10),
            volume=c.volume * 10 + 1,
        )
        for k, c in enumerate(candles)
    ]


def test_every_coins_rows_train_it_and_each_row_in_a_block_gets_a_p_up(
    every: dict[str, list[Candle]], pooled: Pooled
) -> None:
    packed = packed_of(every)
    assert sorted(pooled.raw) == sorted(every)
    assert pooled.rows == sum(len(dataset(packed[c], "1h")[1]) for c in every)
    assert len(pooled.blocks) == 5 and "btc_ret_1h" in pooled.columns
    for coin, raw in pooled.raw.items():
        stamps = raw.index.as_unit("ns").asi8
        inside = np.zeros(len(raw), dtype=bool)
        for first, after in pooled.blocks:
            inside |= (stamps >= first) & (stamps < after)
        values = raw.to_numpy()
        assert np.isnan(values[~inside]).all(), coin  # before the first block: no P(up)
        assert inside.sum() > 1000 and ((values[inside] > 0) & (values[inside] < 1)).all()


@pytest.mark.parametrize("into", [0, 1, 100])  # hours into block 2: its start tests the purge
def test_no_look_ahead_changing_every_coin_from_an_hour_on_leaves_every_earlier_p_up(
    every: dict[str, list[Candle]], pooled: Pooled, into: int
) -> None:
    first, _ = pooled.blocks[2]
    since = datetime.fromtimestamp(first // 1_000_000_000, UTC) + into * HOUR
    changed = pool_fit(
        packed_of({c: shocked(candles, since) for c, candles in every.items()}), "1h"
    )
    assert changed is not None and changed.blocks == pooled.blocks
    for coin, raw in pooled.raw.items():
        known = raw.index <= since  # rows closing by `since`: their candles opened before it
        theirs = changed.raw[coin]
        assert np.array_equal(raw[known].to_numpy(), theirs[known].to_numpy(), equal_nan=True)
        # and the test can fail: later rows, in this block and after, do change
        assert not np.allclose(raw[~known].to_numpy(), theirs[~known].to_numpy(), equal_nan=True)


def test_a_coin_trained_around_it_serves_the_pooled_classifier(
    every: dict[str, list[Candle]], pooled: Pooled
) -> None:
    packed = packed_of(every)
    for coin in ("BTC", "ETH"):
        done = train(packed[coin], coin, "1h", None, pooled)
        assert isinstance(done, Training)
        bundle = decode(done.artifact)
        assert bundle.classifier == pooled.classifier and bundle.features == pooled.columns
        assert done.metrics["pooled"]["coins"] == sorted(every)
        assert done.metrics["pooled"]["rows"] == pooled.rows
        # BTC has no leader: its btc_* columns are missing, and never named as a driver
        leader = None if coin == "BTC" else every["BTC"]
        inputs = Inputs(every[coin], leader, None, basket(every))
        forecast = Predictor.from_bundle(done.artifact).forecast(inputs)
        assert 0 < forecast.p_up < 1 and len(forecast.drivers) == 3
        assert coin != "BTC" or not any(d.feature.startswith("btc_") for d in forecast.drivers)
    # its walk-forward's classifier P(up)s are the pool's: not those of its own rows' classifier
    x_frame, target = dataset(packed["ETH"], "1h")
    ours = walk_forward(x_frame, target, "1h", pooled, "ETH")
    alone = walk_forward(x_frame, target, "1h")
    assert ours is not None and alone is not None
    assert len(ours.y) == len(alone.y) and not np.allclose(ours.raw_all, alone.raw_all)
    # another horizon, or a coin not in the pool, trains alone
    four = train(packed["ETH"], "ETH", "4h", None, pooled)
    assert isinstance(four, Training) and "pooled" not in four.metrics
    assert decode(four.artifact).classifier != pooled.classifier


def test_with_fewer_than_two_coins_of_enough_rows_there_is_no_pool(
    every: dict[str, list[Candle]],
) -> None:
    packed = packed_of(every)
    short = dataclasses.replace(packed["DOGE"], candles=pack(Inputs(every["DOGE"][:900])).candles)
    assert pool_fit({"ETH": packed["ETH"], "DOGE": short}, "1h") is None
    assert pool_fit({"ETH": packed["ETH"]}, "1h") is None
    assert pool_fit({}, "1h") is None


def test_a_coin_listed_lately_trains_alone_when_its_rows_span_too_few_blocks(
    every: dict[str, list[Candle]],
) -> None:
    eth = every["ETH"]
    span = len(eth) * HOUR  # OLD: ETH's hours twice over, the first time moved back by its span
    old = [dataclasses.replace(c, ts=c.ts - span) for c in eth] + eth
    young = eth[-1250:]  # NEW: listed 1,250 hours ago, 1,049 labelled rows (enough alone)
    packed = packed_of({"BTC": every["BTC"], "OLD": old, "NEW": young})
    pooled = pool_fit(packed, "1h")
    assert pooled is not None and "NEW" in pooled.raw  # its rows teach the pool
    done = train(packed["NEW"], "NEW", "1h", None, pooled)
    # not 500 of its own rows before any block but the last: its own folds, its own classifier
    assert isinstance(done, Training) and "pooled" not in done.metrics
    assert decode(done.artifact).classifier != pooled.classifier
    assert done.metrics["walk_forward"]["model"]["count"] > 300
    joined = train(packed["OLD"], "OLD", "1h", None, pooled)
    assert isinstance(joined, Training) and joined.metrics["pooled"]["rows"] == pooled.rows


@pytest.mark.parametrize(("horizon", "pool"), [("4h", False), ("24h", False), ("1h", True)])
@pytest.mark.parametrize("into", [0, 100])  # hours into the third validation block
def test_no_look_ahead_in_a_coins_walk_forward_every_p_up_before_the_change_holds(
    every: dict[str, list[Candle]], pooled: Pooled, horizon: str, pool: bool, into: int
) -> None:
    def walked(candles: dict[str, list[Candle]], shared: Pooled | None) -> WalkForward:
        x_frame, target = dataset(packed_of(candles)["ETH"], horizon)
        done = walk_forward(x_frame, target, horizon, shared, "ETH")
        assert done is not None
        return done

    x_frame, _ = dataset(packed_of(every)["ETH"], horizon)
    hours = int(horizon.removesuffix("h"))
    split = folds(x_frame.index.to_numpy(), hours * HOUR, n_folds=5, min_train=500)
    first = pooled.blocks[2][0] // 1_000_000_000 if pool else split[2].valid[0]
    start = datetime.fromtimestamp(first, UTC) if pool else x_frame.index[first].to_pydatetime()
    since = start + into * HOUR
    later = {coin: shocked(candles, since) for coin, candles in every.items()}
    before = walked(every, pooled if pool else None)
    after = walked(later, pool_fit(packed_of(later), "1h") if pool else None)
    known = np.asarray(before.times <= since)
    assert known.sum() > 200 and (~known).sum() > 100  # scored rows: folds 1–4
    for name, p in before.p.items():
        theirs = after.p[name]
        assert np.array_equal(p[known], theirs[known]), name
    # and the test can fail: the model's later P(up)s do change
    assert not np.allclose(before.p["model"][~known], after.p["model"][~known])
