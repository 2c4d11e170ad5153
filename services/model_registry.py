"""The model registry as use cases: what serves each coin and horizon, a model's file, the
inputs a model is trained on, every trained row, and recording a training (the candidate, the
decision, the statuses flipped — one transaction).

Statuses: 'champion' serves its predictions; 'rejected' was trained but did not earn its place
(its base rate is served, with "no edge found", while no champion exists); 'retired' was a
champion until a better one came. The metrics JSON of a row:
`{"walk_forward": {"model": {...Metrics...}, "logistic": {...}, "persistence": {...},
"base_rate": {...}}, "decision": {"serve": bool, "reason": str}, "coverage_10_90": float,
"rows": int, "seconds": float, "cpu_seconds": float, "base_rate": float}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.predict import HORIZONS, LEADER, TIMEFRAME
from core.predict.features import Inputs, Market, Table, basket, table_of
from core.predict.promotion import Decision, serving_of
from db.repos import model_registry as repo
from services.deps import Deps
from services.sentiment_series import sentiment_series
from services.series import series_of

STATUSES = ("candidate", "champion", "rejected", "retired")


@dataclass(frozen=True)
class RegisteredModel:
    id: int
    asset: str
    horizon: str
    version: int
    status: str  # 'candidate' | 'champion' | 'rejected' | 'retired'
    metrics: dict[str, Any]
    features: list[str]
    trained_from: datetime
    trained_to: datetime
    created_at: datetime
    base_rate: float

    @property
    def decision(self) -> Decision:
        said = self.metrics.get("decision") or {}
        return Decision(bool(said.get("serve", False)), str(said.get("reason", "no_edge")))


def _registered(row: Any) -> RegisteredModel:
    metrics = dict(row.metrics or {})
    features = row.features or {}
    names = features.get("names", []) if isinstance(features, dict) else list(features)
    base = metrics.get("base_rate")
    if base is None:
        base = metrics.get("walk_forward", {}).get("base_rate", {}).get("base_rate", 0.5)
    return RegisteredModel(
        id=row.id,
        asset=row.symbol,
        horizon=row.horizon,
        version=row.version,
        status=row.status,
        metrics=metrics,
        features=[str(n) for n in names],
        trained_from=row.trained_from,
        trained_to=row.trained_to,
        created_at=row.created_at,
        base_rate=float(base),
    )


async def registry(deps: Deps, asset: str | None = None) -> list[RegisteredModel]:
    """Every registered model (of `asset`, when given), newest first; none for an unknown coin."""
    async with deps.read() as session:
        asset_id = None
        if asset is not None:
            asset_id = (await deps.directory_in(session)).ids.get(asset)
            if asset_id is None:
                return []
        found = await repo.rows(session, asset_id=asset_id)
    return [_registered(row) for row in found]


async def serving(deps: Deps) -> list[RegisteredModel]:
    """Per asset × horizon that has any trained model: its champion, else its newest row (whose
    base rate is served, "no edge found"). Ordered by asset, then horizon as in HORIZONS."""
    async with deps.read() as session:
        return await serving_in(session)


async def serving_in(session: AsyncSession) -> list[RegisteredModel]:
    """`serving`, read in `session` (for a caller that reads more in the same transaction)."""
    found = [_registered(row) for row in await repo.serving_rows(session)]
    grouped: dict[tuple[str, str], list[RegisteredModel]] = {}
    for model in found:  # newest first
        grouped.setdefault((model.asset, model.horizon), []).append(model)
    order = list(HORIZONS)
    return sorted(
        (serving_of(models) for models in grouped.values()),
        key=lambda m: (m.asset, order.index(m.horizon) if m.horizon in order else len(order)),
    )


async def artifact_of(deps: Deps, model_id: int) -> bytes:
    """The stored file of model `model_id`; LookupError when there is none (a worker's or a
    bench's question about a row it just read: never a person's)."""
    async with deps.read() as session:
        data = await repo.artifact(session, model_id)
    if data is None:
        raise LookupError(f"model {model_id} has no stored file")
    return data


async def champion(deps: Deps, asset: str, horizon: str) -> tuple[RegisteredModel, bytes] | None:
    """The champion of `asset` `horizon` and its file, or None."""
    async with deps.read() as session:
        asset_id = (await deps.directory_in(session)).ids.get(asset)
        if asset_id is None:
            return None
        found = await repo.rows(session, asset_id=asset_id, horizon=horizon, statuses=("champion",))
        if not found:
            return None
        data = await repo.artifact(session, found[0].id)
    return (_registered(found[0]), data) if data is not None else None


async def market_of(deps: Deps, *, span: timedelta | None = None) -> Market:
    """The market basket's closes: every tracked coin's 1h candles over `span` (all stored when
    None), each from the market the series rule believes; read a coin at a time and kept as
    numbers only."""
    directory = await deps.current_directory()
    coins: dict[str, Table] = {}
    for coin in directory.tracked:
        series = await series_of(deps, coin, TIMEFRAME, span=span)
        if series is not None and series.candles:
            coins[coin] = table_of(series.candles)
    return basket(coins)


async def training_inputs(
    deps: Deps, asset: str, *, span: timedelta | None = None, market: Market | None = None
) -> Inputs | None:
    """The inputs a model of `asset` is trained on (or forecasts from): its 1h candles over
    `span` (all stored when None) from the market the series rule believes, BTC's as the
    leader (not for BTC itself), its stored sentiment index over the same time, and the market
    basket (`market`, read here when None: a caller with many coins reads it once). None when
    no market has candles of it."""
    series = await series_of(deps, asset, TIMEFRAME, span=span)
    if series is None or not series.candles:
        return None
    leader = None
    if asset != LEADER:
        theirs = await series_of(deps, LEADER, TIMEFRAME, span=span)
        leader = theirs.candles if theirs is not None else None
    first, last = series.candles[0].ts, series.candles[-1].ts + timedelta(hours=1)
    points = await sentiment_series(deps, asset, first, last)
    sentiment = [(p.ts, p.value) for p in points] or None
    if market is None:
        market = await market_of(deps, span=span)
    return Inputs(series.candles, leader, sentiment, market)


async def pool_inputs(deps: Deps, assets: Sequence[str]) -> dict[str, Inputs]:
    """The training inputs of `assets` and of every tracked coin (what a pooled classifier
    learns from), the market basket read once; a coin without candles is left out."""
    market = await market_of(deps)
    directory = await deps.current_directory()
    out = {}
    for asset in dict.fromkeys([*assets, *directory.tracked]):
        found = await training_inputs(deps, asset, market=market)
        if found is not None:
            out[asset] = found
    return out


@dataclass(frozen=True)
class Training:
    """A finished training of one asset and horizon, as the training process hands it back."""

    asset: str
    horizon: str
    artifact: bytes
    metrics: dict[str, Any]  # the registry's metrics JSON, decision included
    features: list[str]
    trained_from: datetime
    trained_to: datetime
    incumbent_id: int | None  # the champion it was compared with (None: there was none)


async def record_training(deps: Deps, training: Training) -> RegisteredModel:
    """Store `training` as the next version of its asset and horizon, champion when its decision
    serves (the previous champion retired) or rejected — in one transaction. When the champion
    changed since the candidate was compared with it, the candidate is rejected
    ('incumbent_changed'): it was judged against a model that no longer serves."""
    now = deps.clock.now()
    metrics = dict(training.metrics)
    decision = dict(metrics.get("decision") or {"serve": False, "reason": "no_edge"})
    async with deps.write() as session:
        asset_id = (await deps.directory_in(session)).ids.get(training.asset)
        if asset_id is None:
            raise LookupError(
                f"{training.asset} is not a coin Pythia knows"
            )  # trained from its rows
        current = await repo.champion_id(session, asset_id, training.horizon)
        if decision.get("serve") and current != training.incumbent_id:
            decision = {"serve": False, "reason": "incumbent_changed"}
        metrics["decision"] = decision
        status = "champion" if decision.get("serve") else "rejected"
        if status == "champion" and current is not None:
            await repo.set_status(session, current, "retired")
        version = await repo.next_version(session, asset_id, training.horizon)
        await repo.add(
            session,
            asset_id=asset_id,
            horizon=training.horizon,
            version=version,
            status=status,
            metrics=metrics,
            features={"names": list(training.features)},
            artifact=training.artifact,
            trained_from=training.trained_from,
            trained_to=training.trained_to,
            created_at=now,
        )
        found = await repo.rows(session, asset_id=asset_id, horizon=training.horizon)
    return next(_registered(r) for r in found if r.version == version)
