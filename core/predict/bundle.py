"""A trained model as a file: LightGBM model texts, the calibration, and how it validated.

`encode` writes gzip-compressed JSON (no pickle: a stored artifact can never run code when
read); `decode` reads it back. Stored in `model_registry.artifact`, read by
`workers.predict.model.Predictor`.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

FORMAT = 1  # bump when the layout changes; decode refuses what it does not know


class BundleError(ValueError):
    """The bytes are not a model bundle this code can read."""


@dataclass
class Bundle:
    """`features`: the feature codes the models take, in order. `classifier`: LightGBM model text
    of P(up) (raw, uncalibrated). `quantiles`: "q10", "q90" -> LightGBM model texts of the
    forward log return's quantiles. `calibration`: isotonic thresholds "x" -> "y" (empty: the
    identity). `base_rate`: share of ups in the training window. `oof`: each walk-forward
    validation row's time (candle close) and calibrated out-of-fold P(up). `params`: how it was
    trained (horizon, LightGBM parameters, windows)."""

    features: list[str]
    classifier: str
    quantiles: dict[str, str]
    calibration: dict[str, list[float]]
    base_rate: float
    oof: list[tuple[datetime, float]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def encode(b: Bundle) -> bytes:
    data = {
        "format": FORMAT,
        "features": list(b.features),
        "classifier": b.classifier,
        "quantiles": dict(b.quantiles),
        "calibration": {k: [float(v) for v in vs] for k, vs in b.calibration.items()},
        "base_rate": float(b.base_rate),
        "oof": [[ts.isoformat(), float(p)] for ts, p in b.oof],
        "params": b.params,
    }
    return gzip.compress(json.dumps(data, separators=(",", ":")).encode(), mtime=0)


def decode(data: bytes) -> Bundle:
    try:
        raw = json.loads(gzip.decompress(data))
    except (OSError, EOFError, ValueError) as exc:
        raise BundleError(f"not a model bundle: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise BundleError(f"not a model bundle of format {FORMAT}")
    try:
        return Bundle(
            features=[str(f) for f in raw["features"]],
            classifier=str(raw["classifier"]),
            quantiles={str(k): str(v) for k, v in raw["quantiles"].items()},
            calibration={str(k): [float(x) for x in v] for k, v in raw["calibration"].items()},
            base_rate=float(raw["base_rate"]),
            oof=[(datetime.fromisoformat(ts), float(p)) for ts, p in raw["oof"]],
            params=dict(raw["params"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BundleError(f"not a model bundle: {exc}") from exc


def calibrate(p: Any, calibration: dict[str, list[float]]) -> Any:
    """Raw probabilities through the isotonic map `calibration` ("x" thresholds -> "y"), clipped
    at its ends, as sklearn's IsotonicRegression(out_of_bounds="clip") predicts; the identity
    when it is empty. Takes a float or a numpy array, returns the same kind."""
    x, y = calibration.get("x") or [], calibration.get("y") or []
    if not x:
        return p
    out = np.interp(p, np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return float(out) if np.ndim(out) == 0 else out
