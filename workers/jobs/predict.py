"""Predict: each hour, once the hour's candles are in, every coin x horizon that has a trained
model gets a forecast, published in one transaction (services.predictions.publish_forecasts).

The job runs every few minutes and does nothing until a new hour's candle is stored (the one
before it is then stored closed); a second run in the same hour finds everything published and
writes nothing. What serves: a champion's calibrated P(up) and drivers; without a champion, the
base rate of the newest trained model ("no edge found"), with the 10-90 % range of its quantile
models when their walk-forward coverage held (they are judged apart from the direction model).

The models are loaded once per worker process (parsed LightGBM texts, by registry id), and the
CPU part (features, LightGBM) runs in a thread: the event loop keeps matching alerts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from core.market import Candle
from core.predict import HORIZONS, Forecast
from core.predict.features import Inputs, Market
from services.model_registry import (
    RegisteredModel,
    artifact_of,
    market_of,
    serving,
    training_inputs,
)
from services.predictions import current_hour, publish_forecasts, published_at
from workers.jobs.base import JobResult, WorkerDeps
from workers.predict.model import Predictor, Raw

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
SPAN = timedelta(days=45)  # candles read per coin: the Predictor's 1,000 hours, and some
COVERAGE = (0.7, 0.9)  # a 10-90 % range whose walk-forward coverage fell outside is not shown


@dataclass
class Loaded:
    """Predictors parsed in this process, by registry id (a new version is a new id)."""

    models: dict[int, Predictor]

    def keep_only(self, ids: set[int]) -> None:
        for model_id in set(self.models) - ids:
            del self.models[model_id]


LOADED = Loaded({})


async def predictor(deps: WorkerDeps, model: RegisteredModel) -> Predictor:
    found = LOADED.models.get(model.id)
    if found is None:
        data = await artifact_of(deps, model.id)
        found = await asyncio.to_thread(Predictor.from_bundle, data)
        LOADED.models[model.id] = found
    return found


def closed(inputs: Inputs, now: datetime) -> Inputs:
    """`inputs` without candles still forming at `now`."""

    def done(candles: list[Candle]) -> list[Candle]:
        return [c for c in candles if c.ts + HOUR <= now]

    leader = None if inputs.leader is None else done(list(inputs.leader))
    market = inputs.market
    if market is not None:  # a candle still forming would be the basket's at its close
        known = np.asarray(market.close_time <= pd.Timestamp(now))
        market = Market(market.close_time[known], market.coins, market.log_close[known])
    return Inputs(done(list(inputs.candles)), leader, inputs.sentiment, market)


def forecast_of(model: RegisteredModel, raw: Raw) -> Forecast:
    """What is served from `model`'s output: its own when it is a champion, else the base rate
    (with the range when its quantiles' coverage held)."""
    if model.status == "champion":
        return Forecast(
            model.asset,
            model.horizon,
            raw.made_at,
            raw.reference_price,
            raw.p_up,
            raw.q10,
            raw.q90,
            "model",
            model.version,
            model.created_at,
            raw.drivers,
        )
    coverage = model.metrics.get("coverage_10_90")
    ranged = isinstance(coverage, int | float) and COVERAGE[0] <= coverage <= COVERAGE[1]
    return Forecast(
        model.asset,
        model.horizon,
        raw.made_at,
        raw.reference_price,
        model.base_rate,
        raw.q10 if ranged else None,
        raw.q90 if ranged else None,
        "base_rate",
        model.version,
        model.created_at,
        (),
    )


async def run(deps: WorkerDeps) -> JobResult:
    models = await serving(deps)
    LOADED.keep_only({m.id for m in models})
    if not models:
        return JobResult(summary="no trained models yet")
    hour = current_hour(deps)
    done = await published_at(deps, hour)
    todo = [m for m in models if (m.asset, m.horizon) not in done and m.horizon in HORIZONS]
    if not todo:
        return JobResult(summary=f"all {len(models)} published for {hour:%H:%M}")
    forecasts: list[Forecast] = []
    waiting: list[str] = []
    now = deps.clock.now()
    market = await market_of(deps, span=SPAN)  # every coin's forecast shares it: read once
    for asset in dict.fromkeys(m.asset for m in todo):
        inputs = await training_inputs(deps, asset, span=SPAN, market=market)
        # the hour's own candle stored: the one closing at `hour` was refetched closed
        if inputs is None or not inputs.candles or inputs.candles[-1].ts < hour:
            waiting.append(asset)
            continue
        ready = closed(inputs, now)
        for model in (m for m in todo if m.asset == asset):
            try:
                loaded = await predictor(deps, model)
                raw = await asyncio.to_thread(loaded.forecast, ready)
            except Exception:  # one broken model must not keep the others from serving
                log.exception("forecast of %s %s (model %d) failed", asset, model.horizon, model.id)
                continue
            if raw.made_at != hour:  # the newest closed candle is not this hour's: a gap
                waiting.append(f"{asset} {model.horizon}")
                continue
            forecasts.append(forecast_of(model, raw))
    written = await publish_forecasts(deps, forecasts) if forecasts else 0
    summary = f"{written} of {len(forecasts)} forecasts published for {hour:%H:%M}"
    if waiting:
        summary += f"; waiting for candles: {', '.join(waiting)}"
    return JobResult(summary=summary[:500])
