"""What /predict and /accuracy show, read through the cache: the latest forecast of a coin and
horizon with what serves it and its live record, and the scorecard of every coin x horizon
with the calibration bins of its picture.

The forecast is cached by services.predictions (written when published). What serves and the
records change when the workers (another process) train or resolve: they are read from the
database at most once every RECORD_TTL seconds — a life rather than an invalidation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from core.predict import HORIZONS, Forecast, Metrics
from core.predict.ask import parse_accuracy, parse_predict
from core.predict.record import NOTHING, Bin, Tally, bins, score
from core.symbols import resolve
from db.repos import predictions as repo
from services.deps import Deps
from services.market import refuse_unknown
from services.model_registry import RegisteredModel, serving
from services.predictions import (
    RECORD_TTL,
    SERVING_KEY,
    TRAINING_KEY,
    finite,
    latest_forecast,
    record_bins,
)

# --- what /predict answers -----------------------------------------------------------------------

State = Literal["ready", "waiting", "not_covered", "training", "untrained"]


@dataclass(frozen=True, slots=True)
class Serving:
    """What serves one coin x horizon: the model's version, whether it is a champion, its
    walk-forward skill and bound (None: not in its metrics)."""

    asset: str
    horizon: str
    version: int
    champion: bool
    skill: float | None
    skill_low: float | None
    walk_forward: Metrics | None
    trained_at: datetime


@dataclass(frozen=True, slots=True)
class PredictAnswer:
    """/predict: the latest forecast of `asset` `horizon` ahead (None: none yet, `state` says
    why), what serves it, its live record (None: nothing resolved yet) and since when."""

    asset: str
    horizon: str
    state: State
    forecast: Forecast | None
    serving: Serving | None
    record: Metrics | None
    since: datetime | None
    covered: tuple[str, ...]  # the coins that have models
    now: datetime


def _metrics_of(data: Any) -> Metrics | None:
    if not isinstance(data, dict):
        return None
    try:
        low = data.get("skill_low")
        return Metrics(
            count=int(data["count"]),
            brier=float(data["brier"]),
            brier_base=float(data["brier_base"]),
            skill=float(data["skill"]),
            skill_low=None if low is None else float(low),
            log_loss=float(data["log_loss"]),
            ece=float(data["ece"]),
            hit_rate=float(data["hit_rate"]),
            base_rate=float(data["base_rate"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _serving_of(model: RegisteredModel) -> Serving:
    walk = _metrics_of((model.metrics.get("walk_forward") or {}).get("model"))
    return Serving(
        model.asset,
        model.horizon,
        model.version,
        model.status == "champion",
        None if walk is None else finite(walk.skill),
        None if walk is None else finite(walk.skill_low),
        walk,
        model.created_at,
    )


def _serving_to_json(s: Serving) -> list[Any]:
    walk = None if s.walk_forward is None else asdict(s.walk_forward)
    return [s.asset, s.horizon, s.version, s.champion, walk, s.trained_at.isoformat()]


def _serving_from_json(data: list[Any]) -> Serving:
    asset, horizon, version, champion, walk, trained_at = data
    metrics = _metrics_of(walk)
    return Serving(
        asset,
        horizon,
        version,
        champion,
        None if metrics is None else finite(metrics.skill),
        None if metrics is None else finite(metrics.skill_low),
        metrics,
        datetime.fromisoformat(trained_at),
    )


async def models_serving(deps: Deps) -> list[Serving]:
    """What serves each coin x horizon that has a trained model (the registry's serving rows),
    read at most once every RECORD_TTL seconds."""
    key = SERVING_KEY
    cached = await deps.cache.get(key)
    if cached is not None:
        return [_serving_from_json(item) for item in json.loads(cached)]
    found = [_serving_of(model) for model in await serving(deps)]
    await deps.cache.set(key, json.dumps([_serving_to_json(s) for s in found]), ttl=RECORD_TTL)
    return found


def _metrics_json(metrics: Metrics | None) -> dict[str, Any] | None:
    return None if metrics is None else asdict(metrics)


def record_key(asset: str, horizon: str) -> str:
    return f"predict:record:{asset}:{horizon}"


async def _record_of(
    deps: Deps, asset: str, horizon: str
) -> tuple[Metrics | None, datetime | None]:
    key = record_key(asset, horizon)
    cached = await deps.cache.get(key)
    if cached is not None:
        data = json.loads(cached)
        since = datetime.fromisoformat(data["since"]) if data["since"] else None
        return _metrics_of(data["metrics"]), since
    binned, first = await record_bins(deps, None, asset, horizon)
    metrics, since = score(binned.get((asset, horizon), {})), first.get((asset, horizon))
    payload = {"metrics": _metrics_json(metrics), "since": since.isoformat() if since else None}
    await deps.cache.set(key, json.dumps(payload), ttl=RECORD_TTL)
    return metrics, since


async def asked_coin(deps: Deps, word: str) -> str:
    """The known coin `word` names; Refusal `coins.unknown` (as /price says it) otherwise."""
    directory = await deps.current_directory()
    request = resolve([word], directory.symbols, directory.names, limit=1)
    if request.problems or not request.symbols:
        refuse_unknown(deps, request)
    return request.symbols[0]


async def predict_answer(deps: Deps, typed: Sequence[str]) -> PredictAnswer:
    """/predict COIN [1h|4h|24h]: the words typed read (refusals: predict.*, coins.unknown),
    and what there is to say about the coin and horizon. Reads the cache; the database only
    for what the cache lost or never held."""
    ask = parse_predict(typed)
    asset = await asked_coin(deps, ask.coin)
    now = deps.clock.now()
    forecast = await latest_forecast(deps, asset, ask.horizon)
    models = await models_serving(deps)
    covered = tuple(dict.fromkeys(m.asset for m in models))
    served = next((m for m in models if (m.asset, m.horizon) == (asset, ask.horizon)), None)
    state: State = "ready"
    if forecast is None:
        training = await deps.cache.get(TRAINING_KEY) is not None  # a training is running
        if served is not None:
            state = "waiting"
        elif training or (not models and deps.settings.sandbox):
            state = "training"  # (the sandbox trains at first start, once its candles are in)
        else:
            state = "not_covered" if models else "untrained"
    record, since = (None, None)
    if forecast is not None or served is not None:
        record, since = await _record_of(deps, asset, ask.horizon)
    return PredictAnswer(asset, ask.horizon, state, forecast, served, record, since, covered, now)


# --- what /accuracy answers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One coin x horizon of the scorecard: its live record (None: nothing resolved yet),
    since when, predictions waiting for their outcome, and what serves it now."""

    asset: str
    horizon: str
    live: Metrics | None
    since: datetime | None
    pending: int
    serving: Serving | None


@dataclass(frozen=True, slots=True)
class Scorecard:
    """/accuracy: per coin x horizon, the live record and the serving model's walk-forward
    figures; the calibration bins per horizon (every coin of the scope pooled)."""

    asset: str | None
    lines: tuple[ScoreLine, ...]
    calibration: dict[str, tuple[Bin, ...]] = field(default_factory=dict)
    now: datetime | None = None

    @property
    def since(self) -> datetime | None:
        starts = [line.since for line in self.lines if line.since is not None]
        return min(starts) if starts else None

    @property
    def resolved(self) -> int:
        return sum(line.live.count for line in self.lines if line.live is not None)

    @property
    def key(self) -> str:
        """What the picture shows, to find it again: the scope and the counts in each bin."""
        shown = ";".join(
            f"{h}:" + ",".join(f"{b.low:.1f}/{b.count}/{b.observed:.4f}" for b in bs)
            for h, bs in sorted(self.calibration.items())
        )
        return f"chart:calibration:{self.asset or '*'}:{shown}"


def _bin_json(b: Bin) -> list[float]:
    return [b.low, b.high, b.count, b.predicted, b.observed]


def _scorecard_to_json(card: Scorecard) -> str:
    return json.dumps(
        {
            "asset": card.asset,
            "now": card.now.isoformat() if card.now else None,
            "lines": [
                [
                    line.asset,
                    line.horizon,
                    _metrics_json(line.live),
                    line.since.isoformat() if line.since else None,
                    line.pending,
                    None if line.serving is None else _serving_to_json(line.serving),
                ]
                for line in card.lines
            ],
            "calibration": {h: [_bin_json(b) for b in bs] for h, bs in card.calibration.items()},
        }
    )


def _scorecard_from_json(text: str) -> Scorecard:
    data = json.loads(text)
    lines = tuple(
        ScoreLine(
            asset,
            horizon,
            _metrics_of(live),
            datetime.fromisoformat(since) if since else None,
            pending,
            None if served is None else _serving_from_json(served),
        )
        for asset, horizon, live, since, pending, served in data["lines"]
    )
    calibration = {
        h: tuple(Bin(lo, hi, int(n), p, o) for lo, hi, n, p, o in bs)
        for h, bs in data["calibration"].items()
    }
    now = datetime.fromisoformat(data["now"]) if data["now"] else None
    return Scorecard(data["asset"], lines, calibration, now)


async def accuracy_scorecard(deps: Deps, typed: Sequence[str]) -> Scorecard:
    """/accuracy [COIN]: the words typed read (refusals: predict.one_coin, coins.unknown), and
    the scorecard of the coin (or every coin), read at most once every RECORD_TTL seconds."""
    word = parse_accuracy(typed)
    asset = None if word is None else await asked_coin(deps, word)
    key = f"predict:scorecard:{asset or '*'}"
    cached = await deps.cache.get(key)
    if cached is not None:
        return _scorecard_from_json(cached)
    card = await scorecard(deps, asset)
    await deps.cache.set(key, _scorecard_to_json(card), ttl=RECORD_TTL)
    return card


async def scorecard(deps: Deps, asset: str | None) -> Scorecard:
    """The scorecard of `asset` (None: every coin), read now from the database."""
    models = [m for m in await models_serving(deps) if asset is None or m.asset == asset]
    binned, first = await record_bins(deps, None, asset)
    async with deps.read() as session:
        asset_id = None if asset is None else (await deps.directory_in(session)).ids.get(asset)
        waiting = await repo.pending(session, asset_id)
    keys = {(m.asset, m.horizon) for m in models} | set(binned) | set(waiting)
    if asset is not None:
        keys = {k for k in keys if k[0] == asset}
    order = list(HORIZONS)
    by_key = {(m.asset, m.horizon): m for m in models}
    lines = tuple(
        ScoreLine(
            a,
            h,
            score(binned.get((a, h), {})),
            first.get((a, h)),
            waiting.get((a, h), 0),
            by_key.get((a, h)),
        )
        for a, h in sorted(keys, key=lambda k: (k[0], order.index(k[1]) if k[1] in order else 9))
    )
    pooled: dict[str, dict[int, Tally]] = defaultdict(dict)
    for (_, h), coin_bins in binned.items():
        for b, tally in coin_bins.items():
            pooled[h][b] = pooled[h].get(b, NOTHING) + tally
    calibration = {h: tuple(bins(group)) for h, group in pooled.items() if group}
    return Scorecard(asset, lines, calibration, deps.clock.now())
