"""The fitting primitives of a prediction model, and their settings: LightGBM's datasets and
fits, the logistic regression on imputed standardised rows, the isotonic calibration map, the
persistence baseline. workers.predict.train composes them (reading the settings from here at
each call, so that bench/bench_model_variants.py can change one for a run)."""

from __future__ import annotations

import warnings
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from workers.predict.model import Linear

SEED = 13
DATASET: dict[str, Any] = {
    "max_bin": 63,
    "bin_construct_sample_cnt": 20000,
    "verbose": -1,
    "seed": SEED,
}
CLASSIFIER: dict[str, Any] = {
    **DATASET,
    "objective": "binary",
    "learning_rate": 0.04,
    "num_leaves": 7,
    "max_depth": 4,
    "min_child_samples": 300,
    "feature_fraction": 0.7,
    "bagging_fraction": 0.7,
    "bagging_freq": 1,
    "lambda_l2": 10.0,
    "num_threads": 1,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "verbose": -1,
}
TREES = 150
# The pooled classifier (train.pool_fit) learns from every coin's rows, ~7x one coin's: room for
# trees twice as fine. Judged on the five coins other than BTC and ETH at 1 h, seeds 13/14/15
# (bench_model_variants `served pool_leaves7`): +0.0005 of mean skill at each seed; 300 trees,
# or min_child_samples scaled 7x, moved it less (+0.0000..0.0002, +0.0002..0.0004).
POOLED_CLASSIFIER: dict[str, Any] = {**CLASSIFIER, "num_leaves": 15, "max_depth": 5}
QUANTILE: dict[str, Any] = {
    **{k: v for k, v in CLASSIFIER.items() if k != "objective"},
    "objective": "quantile",
    "learning_rate": 0.08,
}
QUANTILE_TREES = 60
LOGISTIC_C = 0.05
LOGISTIC_WEIGHT = 0.5  # the served P(up) is the mean of LightGBM's and the logistic's, calibrated
CALIBRATION_BIN = 250  # rows, at least, behind each point of the calibration map
CALIBRATION_BINS = 40


def datasets(x: np.ndarray, y: np.ndarray, ret: np.ndarray) -> tuple[lgb.Dataset, lgb.Dataset]:
    """The rows binned (direction, and forward return on the same bins): a fold's training
    rows, so that no bin edge comes from a row the fold validates on, or every row."""
    up = lgb.Dataset(x, y, params=DATASET, free_raw_data=False).construct()
    forward = lgb.Dataset(x, ret, params=DATASET, reference=up, free_raw_data=False).construct()
    return up, forward


def fit(
    params: dict[str, Any], data: lgb.Dataset, trees: int, rows: np.ndarray | None = None
) -> lgb.Booster:
    used = data if rows is None else data.subset(rows.tolist(), params=DATASET)
    return lgb.train(params, used, num_boost_round=trees)


def predict(booster: lgb.Booster, x: np.ndarray) -> np.ndarray:
    return np.asarray(booster.predict(x), dtype=np.float64)


def isotonic(p: np.ndarray, y: np.ndarray) -> dict[str, list[float]]:
    """An isotonic map from raw to calibrated P(up), fitted on equal-mass bins of at least
    CALIBRATION_BIN rows (their mean raw p against their share of ups, weighted by rows): a
    map fitted row by row ends in a handful of rows at 0 % or 100 %, which log loss punishes
    and nothing supports."""
    order = np.argsort(p, kind="stable")
    bins = max(1, min(CALIBRATION_BINS, len(p) // CALIBRATION_BIN))
    groups = np.array_split(order, bins)
    mean_p = np.array([p[g].mean() for g in groups])
    mean_y = np.array([y[g].mean() for g in groups])
    weight = np.array([len(g) for g in groups], dtype=np.float64)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(mean_p, mean_y, sample_weight=weight)
    return {"x": iso.X_thresholds_.tolist(), "y": iso.y_thresholds_.tolist()}


def linear_fit(x: np.ndarray, y: np.ndarray) -> Linear:
    """The logistic regression on standardised, median-imputed features (a column with no value
    in `x` is 0 after imputation and weighs nothing)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column's median
        median = np.nan_to_num(np.nanmedian(x, axis=0), nan=0.0)
    filled = np.where(np.isnan(x), median, x)
    mean, scale = filled.mean(axis=0), filled.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    fitted = LogisticRegression(C=LOGISTIC_C, solver="newton-cholesky")
    fitted.fit((filled - mean) / scale, y)
    return Linear(
        median, mean, scale, fitted.coef_[0].copy(), float(fitted.intercept_[0]), LOGISTIC_WEIGHT
    )


def persistence(last_move: np.ndarray, y: np.ndarray, train: np.ndarray) -> dict[bool, float]:
    rate = float(y[train].mean())
    out = {}
    for side in (True, False):
        rows = train[(last_move[train] > 0) == side]
        out[side] = float(y[rows].mean()) if len(rows) else rate
    return out


def classifier(
    data: lgb.Dataset, rows: np.ndarray | None = None, *, pooled: bool = False
) -> lgb.Booster:
    """The direction classifier (CLASSIFIER, or POOLED_CLASSIFIER; TREES) on `data`, or its
    `rows`."""
    return fit(POOLED_CLASSIFIER if pooled else CLASSIFIER, data, TREES, rows)


def quantile(alpha: float, data: lgb.Dataset, rows: np.ndarray | None = None) -> lgb.Booster:
    """The `alpha` quantile of the forward return (QUANTILE, QUANTILE_TREES)."""
    return fit({**QUANTILE, "alpha": alpha}, data, QUANTILE_TREES, rows)
