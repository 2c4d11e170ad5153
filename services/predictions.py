"""Predictions as use cases: publishing what the models forecast (one row per coin x horizon
per hour), resolving them when their horizon has passed, the live record, and what /predict and
/accuracy show — read through the cache.

- `publish_forecasts`: one transaction; the unique key (asset, horizon, made_at) makes a second
  run of the same hour write nothing. The latest forecast of each coin x horizon goes into the
  cache, where /predict reads it (the database when the cache has lost it).
- `resolve_due`: a prediction made at t for h hours is resolved by the close of the 1h candle
  closing at t + h, from the market the series rule believes — once a later candle is stored,
  so the outcome candle was stored closed, not while it formed.
- `live_record`: resolved predictions scored per coin x horizon (core.predict.record), each
  against the base rate of the model that served it (a base-rate answer scores 0 skill),
  stored with the prediction when it is published and summed by the database.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from core.market import floor_time
from core.predict import HORIZONS, TIMEFRAME, Driver, Forecast, Metrics, horizon_delta
from core.predict.record import Tally, score
from db.repos import predictions as repo
from services.deps import Deps
from services.series import load_series

HOUR = timedelta(hours=1)
# The latest forecast is written to the cache when published; one read from the database is
# kept as long. Nothing else writes predictions, so it is never wrong, only absent.
FORECAST_TTL = 6 * 3600.0
NONE_TTL = 30.0  # "no forecast yet" is remembered this long
# The record, the models serving and the scorecard change when the workers (another process)
# resolve or train: read at most once a minute, a life rather than an invalidation.
RECORD_TTL = 60.0
RESOLVE_BATCH = 5000
TRAINING_KEY = "predict:training"  # set by the retrain job while a training runs
SERVING_KEY = "predict:serving"  # what serves each coin x horizon (dropped after a training)
NOTHING = "-"


def forecast_key(asset: str, horizon: str) -> str:
    return f"predict:forecast:{asset}:{horizon}"


# --- the forecast in the cache -----------------------------------------------------------------


def finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def forecast_to_json(forecast: Forecast) -> str:
    data = asdict(forecast)
    data["made_at"] = forecast.made_at.isoformat()
    data["trained_at"] = forecast.trained_at.isoformat() if forecast.trained_at else None
    data["drivers"] = [[d.feature, d.value, d.push] for d in forecast.drivers]
    return json.dumps(data)


def forecast_from_json(text: str) -> Forecast:
    data = json.loads(text)
    return Forecast(
        asset=data["asset"],
        horizon=data["horizon"],
        made_at=datetime.fromisoformat(data["made_at"]),
        reference_price=data["reference_price"],
        p_up=data["p_up"],
        q10=data["q10"],
        q90=data["q90"],
        served=data["served"],
        model_version=data["model_version"],
        trained_at=datetime.fromisoformat(data["trained_at"]) if data["trained_at"] else None,
        drivers=tuple(Driver(str(f), float(v), float(p)) for f, v, p in data["drivers"]),
    )


def _drivers(stored: Sequence[Sequence[Any]]) -> tuple[Driver, ...]:
    found = []
    for item in stored or ():
        try:
            feature, value, push = item
            found.append(Driver(str(feature), float(value), float(push)))
        except (TypeError, ValueError):
            continue  # a malformed driver is left out, not fatal to the answer
    return tuple(found)


def _forecast_of(row: repo.StoredPrediction) -> Forecast:
    served: Literal["model", "base_rate"] = "model" if row.served == "model" else "base_rate"
    return Forecast(
        asset=row.asset,
        horizon=row.horizon,
        made_at=row.made_at,
        reference_price=float(row.reference_price),
        p_up=row.prob_up,
        q10=row.q10,
        q90=row.q90,
        served=served,
        model_version=row.model_version,
        trained_at=row.trained_at,
        drivers=_drivers(row.drivers),
    )


async def latest_forecast(deps: Deps, asset: str, horizon: str) -> Forecast | None:
    """The newest forecast of `asset` (a known symbol) `horizon` ahead: from the cache, else
    the database (then cached); None when none was ever published."""
    key = forecast_key(asset, horizon)
    cached = await deps.cache.get(key)
    if cached is not None:
        return None if cached == NOTHING else forecast_from_json(cached)
    async with deps.read() as session:
        asset_id = (await deps.directory_in(session)).ids.get(asset)
        row = None if asset_id is None else await repo.latest(session, asset_id, horizon)
    # filled only if empty: a forecast published since the read is newer than this one
    if row is None:
        await deps.cache.fill(key, NOTHING, ttl=NONE_TTL)
        return None
    forecast = _forecast_of(row)
    await deps.cache.fill(key, forecast_to_json(forecast), ttl=FORECAST_TTL)
    return forecast


# --- publishing ----------------------------------------------------------------------------------


async def publish_forecasts(deps: Deps, forecasts: Sequence[Forecast]) -> int:
    """Store `forecasts` in one transaction (those of a coin, horizon and hour already stored
    are left as they are) and put each into the cache; how many rows were written. A forecast
    of a coin Pythia does not know is skipped."""
    written, published = 0, []
    async with deps.write() as session:
        ids = (await deps.directory_in(session)).ids
        keys = [
            (ids[f.asset], f.horizon, f.model_version)
            for f in forecasts
            if f.asset in ids and f.model_version is not None
        ]
        models = await repo.model_ids(session, keys)
        metrics = await repo.registry_metrics(session, list(models.values()))
        for f in forecasts:
            asset_id = ids.get(f.asset)
            if asset_id is None or f.horizon not in HORIZONS:
                continue
            model_id = (
                None
                if f.model_version is None
                else models.get((asset_id, f.horizon, f.model_version))
            )
            drivers = [
                [d.feature, d.value, d.push]
                for d in f.drivers
                if math.isfinite(d.value) and math.isfinite(d.push)
            ]
            judged_by = _base_rate(metrics.get(model_id)) if model_id is not None else None
            if judged_by is None:  # no model to ask: a base-rate answer is its own base rate
                judged_by = f.p_up if f.served == "base_rate" else 0.5
            written += await repo.insert(
                session,
                repo.NewPrediction(
                    asset_id=asset_id,
                    horizon=f.horizon,
                    model_id=model_id,
                    made_at=f.made_at,
                    target_at=f.made_at + horizon_delta(f.horizon),
                    reference_price=Decimal(repr(f.reference_price)),
                    prob_up=float(f.p_up),
                    served=f.served,
                    q10=finite(f.q10),
                    q90=finite(f.q90),
                    drivers=drivers,
                    base_rate=float(judged_by),
                ),
            )
            published.append(f)
    newest: dict[tuple[str, str], Forecast] = {}
    for f in published:
        held = newest.get((f.asset, f.horizon))
        if held is None or f.made_at > held.made_at:
            newest[(f.asset, f.horizon)] = f
    for f in newest.values():  # after the commit: the cache never holds what was rolled back
        key = forecast_key(f.asset, f.horizon)
        cached = await deps.cache.get(key)
        if cached not in (None, NOTHING) and forecast_from_json(cached).made_at > f.made_at:
            continue  # a late publication of an older hour leaves the latest in place
        await deps.cache.set(key, forecast_to_json(f), FORECAST_TTL)
    return written


async def published_at(deps: Deps, made_at: datetime) -> set[tuple[str, str]]:
    """(asset, horizon) of the forecasts stored for `made_at`: what the predict job can skip."""
    async with deps.read() as session:
        directory = await deps.directory_in(session)
        found = await repo.published_at(session, made_at)
    symbols = {asset_id: symbol for symbol, asset_id in directory.ids.items()}
    return {(symbols[a], h) for a, h in found if a in symbols}


# --- resolving -----------------------------------------------------------------------------------


async def resolve_due(deps: Deps) -> int:
    """Resolve the predictions whose target time has passed and whose outcome candle (the 1h
    candle closing at the target time, of the market the series rule believes) is stored
    closed; how many were resolved. One transaction."""
    now = deps.clock.now()
    resolved = 0
    async with deps.write() as session:
        due = await repo.due(session, now, RESOLVE_BATCH)
        if not due:
            return 0
        directory = await deps.directory_in(session)
        symbols = {asset_id: symbol for symbol, asset_id in directory.ids.items()}
        by_asset: dict[int, list[repo.Due]] = defaultdict(list)
        for row in due:
            by_asset[row.asset_id].append(row)
        for asset_id, rows in by_asset.items():
            symbol = symbols.get(asset_id)
            if symbol is None:
                continue
            earliest = min(r.target_at for r in rows)
            span = now - earliest + 2 * HOUR
            series = await load_series(deps, session, symbol, TIMEFRAME, span=span)
            if series is None or not series.candles:
                continue
            closes = {c.ts + HOUR: c.close for c in series.candles}  # by close time
            newest_open = series.candles[-1].ts
            for r in rows:
                close = closes.get(r.target_at)
                # a candle opening at or after the target is stored: the outcome one is closed
                if close is None or newest_open < r.target_at or r.reference_price <= 0:
                    continue
                went_up = close > r.reference_price
                await repo.resolve(
                    session,
                    r.id,
                    outcome_price=close,
                    outcome_return=float(close / r.reference_price - 1),
                    went_up=went_up,
                    correct=(r.prob_up >= 0.5) == went_up,
                    now=now,
                )
                resolved += 1
    return resolved


# --- the live record -----------------------------------------------------------------------------


def _base_rate(metrics: Any) -> float | None:
    """The training window's share of ups in a registry row's metrics JSON (as
    services.model_registry reads it)."""
    if not isinstance(metrics, dict):
        return None
    base = metrics.get("base_rate")
    if base is None:
        base = (metrics.get("walk_forward") or {}).get("base_rate", {}).get("base_rate")
    return None if base is None else float(base)


Binned = dict[tuple[str, str], dict[int, Tally]]  # per (asset, horizon): its bins' sums


async def record_bins(
    deps: Deps, since: datetime | None, asset: str | None, horizon: str | None = None
) -> tuple[Binned, dict[tuple[str, str], datetime]]:
    """The resolved predictions made since `since` (of `asset`; None: every coin) summed per
    (asset, horizon) and bin of P(up), each against the base rate it is judged by (summed in
    the database), and when the first of each was made."""
    async with deps.read() as session:
        asset_id = None
        if asset is not None:
            asset_id = (await deps.directory_in(session)).ids.get(asset)
            if asset_id is None:
                return {}, {}
        return await record_bins_in(session, since, asset_id, horizon)


async def record_bins_in(
    session: AsyncSession, since: datetime | None, asset_id: int | None, horizon: str | None
) -> tuple[Binned, dict[tuple[str, str], datetime]]:
    """`record_bins`, of the coin `asset_id` (None: every coin), read in `session`."""
    binned: Binned = defaultdict(dict)
    first: dict[tuple[str, str], datetime] = {}
    for row in await repo.record(session, since, asset_id, horizon):
        key = (row.asset, row.horizon)
        binned[key][row.bin] = row.tally
        first[key] = min(first.get(key, row.first), row.first)
    return dict(binned), first


async def live_record(
    deps: Deps, *, since: datetime | None = None, asset: str | None = None
) -> dict[tuple[str, str], Metrics]:
    """The resolved predictions made since `since` (of `asset`; None: every coin) scored per
    (asset, horizon): Brier skill against the serving model's base rate, log loss, ECE, hit
    rate, count. Coins and horizons without a resolved prediction are absent."""
    binned, _ = await record_bins(deps, since, asset)
    found = {key: score(bins) for key, bins in binned.items()}
    return {key: metrics for key, metrics in found.items() if metrics is not None}


async def newest_model_at(deps: Deps) -> datetime | None:
    """When the newest model was trained (None: none ever was): what the retrain job asks
    every few minutes, without reading the registry's rows."""
    async with deps.read() as session:
        return await repo.newest_model_at(session)


def current_hour(deps: Deps) -> datetime:
    """The close time of the newest closed 1h candle: the hour a forecast is made at now."""
    return floor_time(deps.clock.now(), TIMEFRAME)
