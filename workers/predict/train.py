"""Training one coin × horizon: walk-forward validation, calibration, baselines, the decision.

CPU only, no I/O: `train(inputs, asset, horizon, incumbent)` runs in a process of its own (see
workers.predict.pool) and hands back a `services.model_registry.Training` to record, or a
`Refused` reason ('too_little_data').

- Rows: one per candle (core.predict.features), labelled h hours on (core.predict.labels); the
  first WARMUP_ROWS rows (indicators settling) and the unlabelled last ones are left out.
- The model's P(up): the mean of LightGBM's and a logistic regression's (standardised,
  median-imputed features), calibrated (workers.predict.model.blend). An equal blend, fixed a
  priori: on the shared candles it adds ~+0.001..0.002 of skill at 1 h over LightGBM alone.
- Walk-forward (core.predict.walkforward): 5 expanding folds over the later half, purged by
  the horizon. Both models are refitted per fold, LightGBM's bins too (from the fold's training
  rows: no bin edge from a row it validates on); the raw out-of-fold P(up) of fold k is
  calibrated by an isotonic map fitted on the out-of-fold rows of folds < k only (those whose
  label closed by fold k's first row: the purge again), so fold 0
  calibrates and folds 1–4 are what the metrics, the bootstrap and the decision see.
- Pooled (POOLED horizons: 1 h): the LightGBM classifier learns from every tracked coin's rows,
  not the coin's alone (`pool_fit`, once per horizon): the validation blocks are spans of time
  over all coins' rows, fold k's classifier is fitted on every coin's rows a purge gap before
  block k, and each coin's rows in block k get its out-of-fold P(up). Each coin's `train` then
  does the rest on its own rows as below (logistic, calibration, baselines, quantiles, decision)
  with those P(up)s, and serves the classifier fitted on every coin's rows. A 1 h move has more
  in common across coins than one coin's 24,000 hours can show: judged on the five coins other
  than BTC and ETH (bench/bench_model_variants.py `served unpooled`), it adds +0.0006..0.0007
  of mean 1 h skill at each of three seeds, and nothing at 4 h (there each coin keeps its own);
  with its finer trees (fitting.POOLED_CLASSIFIER, for ~7x the rows) another +0.0005.
- Baselines on the same folds and rows: the base rate (each fold's training share of ups),
  persistence (P(up | sign of the last h hours' move), estimated on the fold's training rows),
  the logistic regression alone.
- Served: both models and the 10 % / 90 % quantile models of the forward log return fitted
  on every labelled row; the isotonic map fitted on all out-of-fold rows.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from core.predict import HORIZONS, Metrics
from core.predict.bundle import Bundle, calibrate, decode, encode
from core.predict.features import NAMES, Inputs, Packed, frame
from core.predict.labels import labels
from core.predict.metrics import brier, score
from core.predict.promotion import Decision, Incumbent, decide, enough_rows
from core.predict.walkforward import Block, blocks, folds, folds_in
from services.model_registry import Training
from workers.predict import fitting
from workers.predict.model import blend, probabilities

WARMUP_ROWS = 200
N_FOLDS = 5
MIN_TRAIN = 500  # training rows, at least, of a fold
POOLED = frozenset({"1h"})  # horizons whose classifier learns from every coin's rows


@dataclass(frozen=True)
class Refused:
    asset: str
    horizon: str
    reason: str  # 'too_little_data'
    rows: int


@dataclass(frozen=True)
class Champion:
    """The incumbent a candidate is judged against: its id, walk-forward skill, file, and the
    close time of the last row it trained on."""

    id: int
    skill: float
    artifact: bytes
    trained_to: datetime


def dataset(inputs: Inputs | Packed, horizon: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Features and labels of every labelled row after the warm-up, by close time."""
    table = frame(inputs)
    target = labels(inputs.candles, horizon)
    keep = target["up"].notna().to_numpy().copy()
    keep[:WARMUP_ROWS] = False
    return table[keep], target[keep]


def _columns(x_frame: pd.DataFrame) -> list[str]:
    """The features with a value in some row (a column with none carries nothing to learn)."""
    return [c for c in x_frame.columns if x_frame[c].notna().any()]


@dataclass(frozen=True)
class Pooled:
    """A horizon's classifier fitted on every coin's rows (`pool_fit`): its features, the
    validation blocks, each coin's out-of-fold raw P(up) by row close time (rows outside every
    block, or in a block without a fold, have none), and the classifier fitted on every row."""

    horizon: str
    columns: list[str]
    blocks: list[Block]
    raw: dict[str, pd.Series]
    classifier: str
    rows: int  # every coin's labelled rows it was fitted on
    seconds: float

    def raw_of(self, asset: str, index: pd.DatetimeIndex) -> np.ndarray:
        """The out-of-fold raw P(up) of `asset`'s rows closing at `index` (NaN: none)."""
        return self.raw[asset].reindex(index).to_numpy()


def pool_fit(inputs: Mapping[str, Inputs | Packed], horizon: str) -> Pooled | None:
    """The classifier of `horizon` fitted on every coin's rows, walked forward over blocks of
    time: fold k is fitted (and its features binned) on every coin's rows whose label ends (a
    purge gap) before block k, and gives each coin's rows in block k their P(up): nothing a
    row's P(up) depends on comes after it. None with fewer than two coins with enough rows
    (each coin then trains alone)."""
    began = time.perf_counter()
    data = {}
    for asset in sorted(inputs):
        x_frame, target = dataset(inputs[asset], horizon)
        if enough_rows(len(target)):
            data[asset] = (x_frame, target)
    if len(data) < 2:
        return None
    columns = [c for c in NAMES if any(x[c].notna().any() for x, _ in data.values())]
    x = np.vstack([f[columns].to_numpy(dtype=np.float64) for f, _ in data.values()])
    y = np.concatenate([t["up"].to_numpy() for _, t in data.values()])
    stamps = np.concatenate([f.index.as_unit("ns").asi8 for f, _ in data.values()])
    owner = np.concatenate([np.full(len(t), i) for i, (_, t) in enumerate(data.values())])
    spans = blocks(np.unique(stamps).astype("datetime64[ns]"), n_folds=N_FOLDS)
    gap_ns = HORIZONS[horizon] * 3_600_000_000_000
    raw = np.full(len(y), np.nan)
    for first, after in spans:  # each fold binned on its own training rows: nothing of later
        train_rows = np.flatnonzero(stamps <= first - gap_ns)
        valid = np.flatnonzero((stamps >= first) & (stamps < after))
        if len(train_rows) >= MIN_TRAIN and len(valid):
            rows = lgb.Dataset(x[train_rows], y[train_rows], params=fitting.DATASET)
            raw[valid] = fitting.predict(fitting.classifier(rows, pooled=True), x[valid])
    up = lgb.Dataset(x, y, params=fitting.DATASET)
    return Pooled(
        horizon=horizon,
        columns=columns,
        blocks=spans,
        raw={
            asset: pd.Series(raw[owner == i], index=frame_.index)
            for i, (asset, (frame_, _)) in enumerate(data.items())
        },
        classifier=fitting.classifier(up, pooled=True).model_to_string(),
        rows=len(y),
        seconds=round(time.perf_counter() - began, 3),
    )


@dataclass
class WalkForward:
    """Out-of-fold predictions of the model and the baselines on the scored validation rows (the
    folds after the first), and what the served calibration is fitted on (every fold's rows)."""

    times: pd.DatetimeIndex
    y: np.ndarray
    p: dict[str, np.ndarray]  # 'model', 'logistic', 'persistence', 'base_rate'
    raw_all: np.ndarray  # the classifier's raw out-of-fold P(up), every fold
    y_all: np.ndarray
    coverage: float  # share of the last fold's forward returns inside its 10–90 % range
    folds: int
    block: int

    def metrics(self, since: datetime | None = None) -> dict[str, Metrics]:
        rows = np.ones(len(self.y), dtype=bool)
        if since is not None:
            rows = np.asarray(self.times >= pd.Timestamp(since))
        base = self.p["base_rate"][rows]
        out = {
            name: score(p[rows], self.y[rows], base, block=self.block)
            for name, p in self.p.items()
            if name != "base_rate"
        }
        out["base_rate"] = score(base, self.y[rows], base)
        return out


def walk_forward(
    x_frame: pd.DataFrame,
    target: pd.DataFrame,
    horizon: str,
    pooled: Pooled | None = None,
    asset: str = "",
) -> WalkForward | None:
    """The walk-forward of `horizon` over rows `x_frame`/`target` (dataset()); None when there
    are too few rows for two folds. With `pooled` (`asset`'s rows among its coins'), the
    classifier's out-of-fold P(up)s are the pooled classifier's, on its blocks."""
    hours = HORIZONS[horizon]
    gap = timedelta(hours=hours)
    usable = _columns(x_frame) if pooled is None else pooled.columns
    x = x_frame[usable].to_numpy(dtype=np.float64)
    y, ret = target["up"].to_numpy(), target["ret"].to_numpy()
    if pooled is None:
        split = folds(x_frame.index.to_numpy(), gap, n_folds=N_FOLDS, min_train=MIN_TRAIN)
    else:  # the pooled classifier's blocks; the coin's own rows train the rest
        split = folds_in(x_frame.index.to_numpy(), pooled.blocks, gap, min_train=MIN_TRAIN)
        pooled_raw = pooled.raw_of(asset, x_frame.index)
    if len(y) < 2 or len(split) < 2:
        return None
    move = x_frame[f"ret_{hours}h"].to_numpy()
    stamps, gap_ns = x_frame.index.as_unit("ns").asi8, hours * 3_600_000_000_000
    raw_oof: list[np.ndarray] = []
    scored: dict[str, list[np.ndarray]] = {
        k: [] for k in ("model", "logistic", "persistence", "base_rate")
    }
    coverage = math.nan
    for k, fold in enumerate(split):
        tr, va = fold.train, fold.valid
        last = k == len(split) - 1
        if pooled is None or last:  # features binned on the fold's training rows alone
            up, forward = fitting.datasets(x[tr], y[tr], ret[tr])
        linear = fitting.linear_fit(x[tr], y[tr])
        p_linear = linear.p_up(x[va])
        if pooled is None:
            lgb_p = fitting.predict(fitting.classifier(up), x[va])
        else:
            lgb_p = pooled_raw[va]
            assert not np.isnan(lgb_p).any(), "a fold of the coin without the pooled model's"
        raw = blend(lgb_p, linear, x[va])
        if k > 0:  # calibrated by the folds before it only, on rows whose label had closed
            before = np.concatenate([f.valid for f in split[:k]])
            known = stamps[before] + gap_ns <= stamps[va[0]]
            mapping = fitting.isotonic(np.concatenate(raw_oof)[known], y[before][known])
            table = fitting.persistence(move, y, tr)
            scored["model"].append(np.asarray(calibrate(raw, mapping)))
            scored["logistic"].append(p_linear)
            scored["persistence"].append(np.where(move[va] > 0, table[True], table[False]))
            scored["base_rate"].append(np.full(len(va), float(y[tr].mean())))
        if last:  # the 10–90 % range's coverage, on the last fold
            lo, hi = (fitting.predict(fitting.quantile(a, forward), x[va]) for a in (0.1, 0.9))
            inside = (ret[va] >= np.minimum(lo, hi)) & (ret[va] <= np.maximum(lo, hi))
            coverage = float(inside.mean())
        raw_oof.append(raw)
    scored_rows = np.concatenate([f.valid for f in split[1:]])
    every_row = np.concatenate([f.valid for f in split])
    return WalkForward(
        times=x_frame.index[scored_rows],
        y=y[scored_rows],
        p={name: np.concatenate(parts) for name, parts in scored.items()},
        raw_all=np.concatenate(raw_oof),
        y_all=y[every_row],
        coverage=coverage,
        folds=len(split),
        block=max(24, 2 * hours),
    )


def validate(
    x_frame: pd.DataFrame,
    target: pd.DataFrame,
    horizon: str,
    pooled: Pooled | None = None,
    asset: str = "",
) -> tuple[WalkForward | None, Pooled | None]:
    """`asset`'s walk-forward as its training runs it, and the pool it used: `pooled`'s when
    it is of this horizon and coin and the coin's rows span two of its blocks; otherwise (a coin
    listed lately, say) the coin alone, on folds of its own rows."""
    if pooled is not None and pooled.horizon == horizon and asset in pooled.raw:
        walk = walk_forward(x_frame, target, horizon, pooled, asset)
        if walk is not None:
            return walk, pooled
    return walk_forward(x_frame, target, horizon), None


def train(
    inputs: Inputs | Packed,
    asset: str,
    horizon: str,
    incumbent: Champion | None = None,
    pooled: Pooled | None = None,
) -> Training | Refused:
    """Walk-forward, decide, fit what serves; Refused('too_little_data') below MIN_ROWS rows.
    With `pooled` (pool_fit's of this horizon, `asset` among its coins) the classifier is
    the pooled one."""
    began, cpu = time.perf_counter(), time.process_time()
    x_frame, target = dataset(inputs, horizon)
    if not enough_rows(len(target)):
        return Refused(asset, horizon, "too_little_data", len(target))
    walk, pooled = validate(x_frame, target, horizon, pooled, asset)
    if walk is None:
        return Refused(asset, horizon, "too_little_data", len(target))
    scores = walk.metrics()
    model = scores["model"]
    judged = None
    if incumbent is not None:
        pair = _head_to_head(incumbent, x_frame, walk.times, walk.p["model"], walk.y)
        judged = Incumbent(incumbent.skill, pair)
    decision = decide(
        validation_rows=model.count, skill=model.skill, skill_low=model.skill_low, incumbent=judged
    )

    usable = _columns(x_frame) if pooled is None else pooled.columns
    x = x_frame[usable].to_numpy(dtype=np.float64)
    y, ret = target["up"].to_numpy(), target["ret"].to_numpy()
    up, forward = fitting.datasets(x, y, ret)
    quantiles = {
        name: fitting.quantile(alpha, forward).model_to_string()
        for name, alpha in (("q10", 0.1), ("q90", 0.9))
    }
    rate = float(y.mean())
    linear = fitting.linear_fit(x, y)
    bundle = Bundle(
        features=usable,
        classifier=(
            fitting.classifier(up).model_to_string() if pooled is None else pooled.classifier
        ),
        quantiles=quantiles,
        calibration=fitting.isotonic(walk.raw_all, walk.y_all),
        base_rate=rate,
        oof=[
            (t.to_pydatetime(), float(p)) for t, p in zip(walk.times, walk.p["model"], strict=True)
        ],
        params={
            "horizon": horizon,
            "trees": fitting.TREES,
            "classifier": fitting.CLASSIFIER if pooled is None else fitting.POOLED_CLASSIFIER,
            "quantile_trees": fitting.QUANTILE_TREES,
            "logistic": linear.to_params(),
            "folds": walk.folds,
            "block": walk.block,
        },
    )
    metrics = {
        "walk_forward": {name: _plain(m) for name, m in scores.items()},
        "decision": {"serve": decision.serve, "reason": decision.reason},
        "coverage_10_90": _finite(walk.coverage),
        "rows": len(y),
        "seconds": round(time.perf_counter() - began, 3),
        "cpu_seconds": round(time.process_time() - cpu, 3),
        "base_rate": rate,
    }
    if pooled is not None:
        metrics["pooled"] = {
            "coins": sorted(pooled.raw),
            "rows": pooled.rows,
            "seconds": pooled.seconds,
        }
    return Training(
        asset=asset,
        horizon=horizon,
        artifact=encode(bundle),
        metrics=metrics,
        features=usable,
        trained_from=x_frame.index[0].to_pydatetime(),
        trained_to=x_frame.index[-1].to_pydatetime(),
        incumbent_id=None if incumbent is None else incumbent.id,
    )


def _head_to_head(
    incumbent: Champion,
    x_frame: pd.DataFrame,
    valid_times: pd.DatetimeIndex,
    ours: np.ndarray,
    outcome: np.ndarray,
) -> tuple[float, float, int] | None:
    """The candidate's out-of-fold Brier and the incumbent's on the validation rows whose label
    the incumbent never saw (rows at least a horizon after its last training row)."""
    theirs = decode(incumbent.artifact)
    hours = HORIZONS[str(theirs.params.get("horizon", "1h"))]
    unseen = np.asarray(
        valid_times >= pd.Timestamp(incumbent.trained_to) + pd.Timedelta(hours=hours)
    )
    if not unseen.any() or any(f not in x_frame.columns for f in theirs.features):
        return None
    rows = x_frame.loc[valid_times[unseen], theirs.features].to_numpy(dtype=np.float64)
    p_theirs = probabilities(theirs, lgb.Booster(model_str=theirs.classifier), rows)
    y = outcome[unseen]
    return brier(ours[unseen], y), brier(p_theirs, y), int(unseen.sum())


def _plain(m: Metrics) -> dict[str, Any]:
    return {k: _finite(v) for k, v in asdict(m).items()}


def _finite(v: Any) -> Any:
    return None if isinstance(v, float) and not math.isfinite(v) else v


__all__ = ["Champion", "Decision", "Refused", "dataset", "train"]
