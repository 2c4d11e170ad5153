"""The Predictor: a trained bundle (core.predict.bundle) answering for the latest candle.

Loading parses the LightGBM model texts once; `forecast` computes the features of the latest
candles, the calibrated P(up), the 10–90 % range of the forward return and the three features
that pushed the tree model most (LightGBM's own contributions, in log-odds).

P(up) before calibration is a blend: (1 - w) × LightGBM's P(up) + w × a logistic regression's
(standardised, median-imputed features), its coefficients kept in the bundle's
params["logistic"] (w = its "weight"; a bundle without them is LightGBM alone).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lightgbm as lgb
import numpy as np

from core.predict import Driver
from core.predict.bundle import Bundle, calibrate, decode
from core.predict.features import HOUR, WARMUP, Inputs, frame

TAIL = 2 * WARMUP  # candles a forecast computes features over (the indicators have settled)
DRIVERS = 3


class NoCandles(ValueError):
    """There is no candle to forecast from."""


@dataclass(frozen=True)
class Raw:
    """A forecast as the model makes it: at the close of the last candle, from its close price;
    `q10`/`q90` are forward returns as fractions (0.01 = +1 %)."""

    made_at: datetime
    reference_price: float
    p_up: float
    q10: float
    q90: float
    drivers: tuple[Driver, ...]


@dataclass(frozen=True)
class Linear:
    """A fitted logistic regression over standardised, median-imputed features."""

    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    weight: float  # its share of the blended P(up)

    @classmethod
    def from_params(cls, params: dict[str, Any] | None) -> Linear | None:
        if not params:
            return None
        arrays = {k: np.asarray(params[k], dtype=np.float64) for k in ("median", "mean", "scale")}
        coef = np.asarray(params["coef"], dtype=np.float64)
        return cls(**arrays, coef=coef, intercept=float(params["intercept"]),
                   weight=float(params["weight"]))  # fmt: skip

    def to_params(self) -> dict[str, Any]:
        return {
            "median": self.median.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "weight": self.weight,
        }

    def p_up(self, x: np.ndarray) -> np.ndarray:
        filled = np.where(np.isnan(x), self.median, x)
        z = (filled - self.mean) / self.scale
        return np.asarray(1.0 / (1.0 + np.exp(-(z @ self.coef + self.intercept))))


def blend(p_trees: np.ndarray, linear: Linear | None, x: np.ndarray) -> np.ndarray:
    """The raw (uncalibrated) P(up) of rows `x`: the trees', blended with the linear model's."""
    if linear is None or linear.weight == 0:
        return p_trees
    return (1 - linear.weight) * p_trees + linear.weight * linear.p_up(x)


def probabilities(bundle: Bundle, classifier: lgb.Booster, x: np.ndarray) -> np.ndarray:
    """Calibrated P(up) of rows `x` (columns: bundle.features) by `bundle`."""
    raw = blend(np.asarray(classifier.predict(x), dtype=np.float64), _linear(bundle), x)
    return np.clip(np.asarray(calibrate(raw, bundle.calibration)), 0.0, 1.0)


def _linear(bundle: Bundle) -> Linear | None:
    return Linear.from_params(bundle.params.get("logistic"))


class Predictor:
    def __init__(self, bundle: Bundle) -> None:
        self.bundle = bundle
        self.features = list(bundle.features)
        self.classifier = lgb.Booster(model_str=bundle.classifier)
        self.quantiles = {k: lgb.Booster(model_str=v) for k, v in bundle.quantiles.items()}
        self.linear = _linear(bundle)

    @classmethod
    def from_bundle(cls, data: bytes) -> Predictor:
        return cls(decode(data))

    def forecast(self, inputs: Inputs) -> Raw:
        if not inputs.candles:
            raise NoCandles("no candles")
        candles = sorted(inputs.candles, key=lambda c: c.ts)[-TAIL:]
        since = candles[0].ts
        leader = None if inputs.leader is None else [c for c in inputs.leader if c.ts >= since]
        table = frame(Inputs(candles, leader, inputs.sentiment, inputs.market))
        # a feature this code no longer computes (an older model) is missing, as LightGBM allows
        row = table.iloc[[-1]].reindex(columns=self.features).to_numpy(dtype=np.float64)
        raw = blend(np.asarray(self.classifier.predict(row), dtype=np.float64), self.linear, row)
        contrib = np.asarray(self.classifier.predict(row, pred_contrib=True))[0][:-1]
        # the largest pushes among the features the row has (a missing one has no value to say)
        known = np.isfinite(row[0]) & (contrib != 0.0)
        order = [i for i in np.argsort(-np.abs(contrib), kind="stable") if known[i]][:DRIVERS]
        drivers = tuple(
            Driver(self.features[i], float(row[0][i]), float(contrib[i])) for i in order
        )
        q10, q90 = (float(self.quantiles[k].predict(row)[0]) for k in ("q10", "q90"))
        if q10 > q90:  # two separately fitted quantiles may cross; the range is their span
            q10, q90 = q90, q10
        last = candles[-1]
        return Raw(
            made_at=last.ts + HOUR,
            reference_price=float(last.close),
            p_up=float(np.clip(calibrate(raw, self.bundle.calibration), 0.0, 1.0)[0]),
            q10=math.expm1(q10),
            q90=math.expm1(q90),
            drivers=drivers,
        )
