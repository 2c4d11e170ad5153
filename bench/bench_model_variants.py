"""Changes to the prediction model tried against the one that serves, on the shared candles.

    .venv/bin/python bench/bench_model_variants.py                       # every variant
    .venv/bin/python bench/bench_model_variants.py seed14 slow --coins BTC,ETH --horizons 1h
    .venv/bin/python bench/bench_model_variants.py no_market no_market+seed14    # "+": both changes

Not a timing: an experiment, kept so that its figures can be printed again. Each variant
changes one thing in how workers.predict.train fits a model, for this run only (in the worker
process that runs it); `served` changes nothing. Every variant runs the same walk-forward as
`pythia train` (workers.predict.train.walk_forward: 5 expanding folds, purge gap, calibration
on earlier folds only) over the shared Binance hourly candles, read through the candle-file
reader `pythia import-candles` uses. Printed: the walk-forward Brier skill against the base
rate per coin × horizon, and each variant's mean over the coins.

By default it runs on the five coins other than BTC and ETH: the aim of +0.015 at 1 h is on
those two, so a change is judged where the aim does not look (`--coins` to see the others),
and `seed14`/`seed15` (the same model, another random seed) show how far chance alone moves
the figures.

- served: the model as `pythia train` fits it.
- seed14, seed15: its LightGBM with another seed.
- bag3: the mean of three LightGBM models with seeds 13, 14 and 15 (variance down, 3× the fits).
- slow: 300 trees at learning rate 0.02 instead of 150 at 0.04.
- weighted: training rows weighted by the size of their forward move (|return| over its median,
  clipped to 0.1..3): a move inside the noise says little about direction.
- momentum: the 336 h and 720 h returns as features too (month-scale trend).
- range_vol: Garman–Klass volatility over 24 h and the 168 h skew of hourly returns too.
- autocorr: the first-order autocorrelation of hourly returns over 168 h and 720 h: whether the
  market has lately been reverting or trending hour to hour (what a 1 h forecast leans on).
- hour_volume: the last hour's log volume against the same hour of the last 14 days, in their
  standard deviations (volume_1h_z compares with every hour of the week, and trading has a
  strong hour-of-day rhythm).
- recent: the classifier's training rows weighted by age, halving every 365 days before the
  fold's last training row: markets change, and an old row may describe a market gone by.
- no_market: without the market basket's features (core.predict.features.basket, of all
  seven coins here as in a `pythia train` of them): the model as it served before they were
  added. Mean walk-forward skill over these five coins, seeds 13, 14, 15 (`served`,
  `served+seed14`, … against `no_market`, …): 1 h +0.01262 +0.01267 +0.01260 against
  +0.01230 +0.01264 +0.01231 (+0.0002, within what a seed moves); 4 h +0.01484 +0.01525
  +0.01506 against +0.01389 +0.01399 +0.01470 (+0.0009, more than a seed moves, at every seed).
- unpooled: every coin's classifier fitted on its own rows alone, at 1 h too (workers.predict
  .train.POOLED: there it learns from all seven coins' rows). Before it was kept, as a trial
  in which each coin's folds took the other coins' rows up to the fold's end, seeds 13, 14, 15,
  mean 1 h skill over these five coins: pooled +0.01356 +0.01361 +0.01344 against +0.01262
  +0.01267 +0.01260 (+0.0009, at every seed); 4 h +0.01442 +0.01527 +0.01468 against +0.01484
  +0.01525 +0.01506 (−0.0003, within what a seed moves): so 1 h only. Run `served unpooled`
  for the figures of the code as it is.

- pool_leaves7: the pooled classifier with a coin's own classifier's settings (7 leaves, depth
  4) instead of POOLED_CLASSIFIER's 15 and 5. Mean 1 h skill over these five coins at seeds
  13/14/15, with 15 leaves +0.01369 +0.01384 +0.01373 against +0.01321 +0.01333 +0.01330.
  Tried with it and not kept: 300 trees (+0.01341 +0.01335), min_child_samples 2,100
  (+0.01362 +0.01349), and the logistic regression pooled too (each fold's on every coin's
  rows up to the fold's end: +0.0003 +0.0001 +0.0001, within what a seed moves).
  Looked at only once it was kept (`--coins BTC,ETH`): 1 h at seeds 13/14/15, BTC +0.0180
  +0.0180 +0.0177, ETH +0.0157 +0.0149 +0.0162 (unpooled: +0.0144 +0.0141 +0.0140).

The figures above were printed before each fold's LightGBM bins came from its training rows
alone and its calibration from rows whose label had closed: the served 1 h figures are the same
since, a coin's own fits (4 h, `unpooled`) moved a little.

At a POOLED horizon `weighted` and `recent` change the coin's own fits only (the bins and the
row times they patch are the coin's); they were measured, and not kept, before pooling.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from harness import ROOT  # puts ROOT on sys.path

from core.predict import HORIZONS, features
from core.predict.features import Packed, Table, basket, table_of
from workers.candle_files import ImportOptions, check
from workers.candle_files.checks import read_candles
from workers.predict import fitting, train

SHARED = ROOT.parent / "shared" / "data" / "ohlcv" / "binance_spot_1h"
COINS = ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE")
ELSEWHERE = ("SOL", "BNB", "XRP", "ADA", "DOGE")


def _seed(seed: int) -> None:
    fitting.CLASSIFIER = {**fitting.CLASSIFIER, "seed": seed}
    fitting.POOLED_CLASSIFIER = {**fitting.POOLED_CLASSIFIER, "seed": seed}


class _Mean:
    def __init__(self, boosters: list[Any]) -> None:
        self.boosters = boosters

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.mean([b.predict(x) for b in self.boosters], axis=0)

    def model_to_string(self) -> str:  # what a pooled fit keeps; not what the skill reads
        return str(self.boosters[0].model_to_string())


def _bag3() -> None:
    fit = fitting.fit

    def bagged(params: dict[str, Any], data: Any, trees: int, rows: Any = None) -> Any:
        if params.get("objective") != "binary":
            return fit(params, data, trees, rows)
        return _Mean([fit({**params, "seed": s}, data, trees, rows) for s in (13, 14, 15)])

    fitting.fit = bagged


def _slow() -> None:
    fitting.CLASSIFIER = {**fitting.CLASSIFIER, "learning_rate": 0.02}
    fitting.TREES = 300


def _weighted() -> None:
    import lightgbm as lgb

    def datasets(x: np.ndarray, y: np.ndarray, ret: np.ndarray) -> tuple[Any, Any]:
        weight = np.clip(np.abs(ret) / np.nanmedian(np.abs(ret)), 0.1, 3.0)
        up = lgb.Dataset(x, y, weight=weight, params=fitting.DATASET, free_raw_data=False)
        up.construct()
        forward = lgb.Dataset(x, ret, params=fitting.DATASET, reference=up, free_raw_data=False)
        return up, forward.construct()

    fitting.datasets = datasets


def _more_columns(add: Callable[[Table], dict[str, np.ndarray]]) -> None:
    frame = features.frame

    def wider(inputs: Any) -> Any:
        out = frame(inputs)
        for code, values in add(features.pack(inputs).candles).items():
            out[code] = values
        return out

    train.frame = wider


def _log_close(table: Table) -> Any:
    return features.log_close_grid(table.close_time, table.ohlcv.close)


def _momentum() -> None:
    def add(table: Table) -> dict[str, np.ndarray]:
        grid = _log_close(table)
        return {
            f"ret_{k}h": (grid - grid.shift(k)).reindex(table.close_time).to_numpy()
            for k in (336, 720)
        }

    _more_columns(add)


def _autocorr() -> None:
    def add(table: Table) -> dict[str, np.ndarray]:
        hourly = _log_close(table).diff()
        return {
            f"autocorr_{n}h": hourly.rolling(n, min_periods=int(n * 0.8))
            .corr(hourly.shift(1))
            .reindex(table.close_time)
            .to_numpy()
            for n in (168, 720)
        }

    _more_columns(add)


def _hour_volume() -> None:
    def add(table: Table) -> dict[str, np.ndarray]:
        log_volume = features._grid(table.close_time, np.log1p(np.maximum(table.ohlcv.volume, 0)))
        same_hour = [log_volume.shift(24 * d) for d in range(1, 15)]  # the last 14 days
        usual = pd.concat(same_hour, axis=1)
        z = (log_volume - usual.mean(axis=1)) / usual.std(axis=1)
        return {"volume_hour_z": z.reindex(table.close_time).to_numpy()}

    _more_columns(add)


def _range_vol() -> None:
    def add(table: Table) -> dict[str, np.ndarray]:
        o = table.ohlcv
        with np.errstate(divide="ignore", invalid="ignore"):
            gk = (
                0.5 * np.log(o.high / o.low) ** 2
                - (2 * np.log(2) - 1) * np.log(o.close / o.open) ** 2
            )
        hourly = _log_close(table).diff()
        return {
            "gk_vol_24h": np.sqrt(
                features._grid(table.close_time, gk).rolling(24, min_periods=20).mean()
            ).reindex(table.close_time).to_numpy(),
            "skew_168h": hourly.rolling(168, min_periods=140).skew()
            .reindex(table.close_time).to_numpy(),
        }  # fmt: skip

    _more_columns(add)


HALF_LIFE_DAYS = 365.0
_TIMES: np.ndarray | None = None  # the rows' close times (ns), set by skill() before a fit


def _recent() -> None:
    import lightgbm as lgb

    def fit(params: dict[str, Any], data: Any, trees: int, rows: Any = None) -> Any:
        if params.get("objective") != "binary" or _TIMES is None:
            return lgb.train(params, data if rows is None else data.subset(rows.tolist()), trees)
        chosen = np.arange(data.num_data()) if rows is None else rows
        age_days = (_TIMES[chosen].max() - _TIMES[chosen]) / 86_400e9
        weight = 0.5 ** (age_days / HALF_LIFE_DAYS)
        raw = data.get_data()[chosen]
        label = data.get_label()[chosen]
        weighted = lgb.Dataset(
            raw, label, weight=weight / weight.mean(), params=fitting.DATASET, reference=data
        )
        return lgb.train(params, weighted, num_boost_round=trees)

    fitting.fit = fit


def _no_market() -> None:
    frame = features.frame

    def without(inputs: Any) -> Any:
        return frame(dataclasses.replace(features.pack(inputs), market=None))

    train.frame = without


def _unpooled() -> None:
    train.POOLED = frozenset()


def _pool_leaves7() -> None:
    fitting.POOLED_CLASSIFIER = fitting.CLASSIFIER


VARIANTS: dict[str, Callable[[], None]] = {
    "served": lambda: None,
    "seed14": lambda: _seed(14),
    "seed15": lambda: _seed(15),
    "bag3": _bag3,
    "slow": _slow,
    "weighted": _weighted,
    "momentum": _momentum,
    "range_vol": _range_vol,
    "autocorr": _autocorr,
    "hour_volume": _hour_volume,
    "recent": _recent,
    "no_market": _no_market,
    "unpooled": _unpooled,
    "pool_leaves7": _pool_leaves7,
}


def candles(coin: str) -> Table:
    options = ImportOptions.given("binance", f"{coin}/USDT", "spot", "1h", "UTC", False)
    return table_of(list(read_candles(check(SHARED / f"{coin}USDT_1h.csv", options))))


def skill(job: tuple[str, str, list[str], dict[str, Packed]]) -> dict[tuple[str, str, str], float]:
    """The walk-forward skill of each of `coins` at one horizon under one variant, as `pythia
    train` computes it: at a POOLED horizon the classifier learns from all seven coins' rows
    (train.pool_fit, once), each coin's own rows doing the rest."""
    variant, horizon, coins, inputs = job
    global _TIMES
    for part in variant.split("+"):  # "market+seed14": both changes
        VARIANTS[part]()
    pooled = train.pool_fit(inputs, horizon) if horizon in train.POOLED else None
    out = {}
    for coin in coins:
        x_frame, target = train.dataset(inputs[coin], horizon)
        _TIMES = x_frame.index.asi8
        walk = train.walk_forward(x_frame, target, horizon, pooled, coin)
        assert walk is not None
        out[(variant, coin, horizon)] = walk.metrics()["model"].skill
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("variants", nargs="*", help=f"of {', '.join(VARIANTS)} (default: all)")
    parser.add_argument("--coins", default=",".join(ELSEWHERE))
    parser.add_argument("--horizons", default="1h,4h")
    args = parser.parse_args()
    variants = args.variants or list(VARIANTS)
    coins, horizons = args.coins.split(","), args.horizons.split(",")
    if {p for v in variants for p in v.split("+")} - set(VARIANTS):
        parser.error(f"variants are {', '.join(VARIANTS)}")
    if set(coins) - set(COINS) or set(horizons) - set(HORIZONS):
        parser.error(f"coins are {', '.join(COINS)}; horizons {', '.join(HORIZONS)}")
    began = time.perf_counter()
    read = {c: candles(c) for c in COINS}  # each file once, not once a fit
    market = basket(read)
    inputs = {c: Packed(read[c], None if c == "BTC" else read["BTC"], None, market) for c in COINS}
    jobs = [(v, h, coins, inputs) for v in variants for h in horizons]
    results: dict[tuple[str, str, str], float] = {}
    with ProcessPoolExecutor(2, max_tasks_per_child=1) as pool:  # a variant dies with its process
        for done in pool.map(skill, jobs):
            results.update(done)
    print(f"walk-forward Brier skill vs the base rate, {len(results)} walk-forwards in "
          f"{time.perf_counter() - began:.0f} s")  # fmt: skip
    columns = [(c, h) for c in coins for h in horizons]
    wide = max(10, *(len(v) + 1 for v in variants))
    print(f"{'variant':<{wide}}" + "".join(f"{c + ' ' + h:>10}" for c, h in columns)
          + "".join(f"{'mean ' + h:>10}" for h in horizons))  # fmt: skip
    for v in variants:
        cells = "".join(f"{results[(v, c, h)]:>+10.4f}" for c, h in columns)
        means = "".join(f"{np.mean([results[(v, c, h)] for c in coins]):>+10.5f}" for h in horizons)
        print(f"{v:<{wide}}{cells}{means}")


if __name__ == "__main__":
    main()
