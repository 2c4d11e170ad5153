"""Served predictions: stored once per asset x horizon per hour, read back as the latest one,
resolved when their horizon has passed, and read as a live record. Reads and writes for
services.predictions, which decides; these never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Asset, ModelVersion, Prediction
from db.upsert import insert_for


@dataclass(frozen=True, slots=True)
class NewPrediction:
    asset_id: int
    horizon: str
    model_id: int | None
    made_at: datetime
    target_at: datetime
    reference_price: Decimal
    prob_up: float
    served: str
    q10: float | None
    q90: float | None
    drivers: list[list[Any]]


async def model_ids(
    session: AsyncSession, keys: Sequence[tuple[int, str, int]]
) -> dict[tuple[int, str, int], int]:
    """The registry row of each (asset id, horizon, version) that exists."""
    wanted = set(keys)
    if not wanted:
        return {}
    asset_ids = {asset_id for asset_id, _, _ in wanted}
    rows = await session.execute(
        select(
            ModelVersion.asset_id, ModelVersion.horizon, ModelVersion.version, ModelVersion.id
        ).where(ModelVersion.asset_id.in_(asset_ids))
    )
    return {
        (asset_id, horizon, version): model_id
        for asset_id, horizon, version, model_id in rows.tuples()
        if (asset_id, horizon, version) in wanted
    }


async def insert(session: AsyncSession, row: NewPrediction) -> int:
    """Store `row` unless one of its asset, horizon and hour is stored: 1 if written, else 0."""
    stmt = (
        insert_for(session, Prediction)
        .values(
            model_id=row.model_id,
            asset_id=row.asset_id,
            horizon=row.horizon,
            made_at=row.made_at,
            target_at=row.target_at,
            reference_price=row.reference_price,
            prob_up=row.prob_up,
            served=row.served,
            q10=row.q10,
            q90=row.q90,
            drivers=row.drivers,
        )
        .on_conflict_do_nothing(
            index_elements=[Prediction.asset_id, Prediction.horizon, Prediction.made_at]
        )
    )
    result = await session.execute(stmt)
    return cast(CursorResult[Any], result).rowcount or 0


@dataclass(frozen=True, slots=True)
class StoredPrediction:
    """A stored prediction with its asset's symbol and its model's version and training time."""

    id: int
    asset: str
    horizon: str
    made_at: datetime
    target_at: datetime
    reference_price: Decimal
    prob_up: float
    served: str
    q10: float | None
    q90: float | None
    drivers: list[list[Any]]
    model_id: int | None
    model_version: int | None
    trained_at: datetime | None


def _stored() -> Any:
    return (
        select(
            Prediction.id,
            Asset.symbol,
            Prediction.horizon,
            Prediction.made_at,
            Prediction.target_at,
            Prediction.reference_price,
            Prediction.prob_up,
            Prediction.served,
            Prediction.q10,
            Prediction.q90,
            Prediction.drivers,
            Prediction.model_id,
            ModelVersion.version,
            ModelVersion.created_at,
        )
        .join(Asset, Asset.id == Prediction.asset_id)
        .outerjoin(ModelVersion, ModelVersion.id == Prediction.model_id)
    )


async def latest(session: AsyncSession, asset_id: int, horizon: str) -> StoredPrediction | None:
    """The newest prediction of the asset and horizon."""
    row = (
        await session.execute(
            _stored()
            .where(Prediction.asset_id == asset_id, Prediction.horizon == horizon)
            .order_by(Prediction.made_at.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else StoredPrediction(*row)


async def published_at(session: AsyncSession, made_at: datetime) -> set[tuple[int, str]]:
    """(asset id, horizon) of the predictions made at `made_at`."""
    rows = await session.execute(
        select(Prediction.asset_id, Prediction.horizon).where(Prediction.made_at == made_at)
    )
    return set(rows.tuples())


@dataclass(frozen=True, slots=True)
class Due:
    id: int
    asset_id: int
    made_at: datetime
    target_at: datetime
    reference_price: Decimal
    prob_up: float


async def due(session: AsyncSession, now: datetime, limit: int) -> list[Due]:
    """Unresolved predictions whose target time has come, the oldest first."""
    rows = await session.execute(
        select(
            Prediction.id,
            Prediction.asset_id,
            Prediction.made_at,
            Prediction.target_at,
            Prediction.reference_price,
            Prediction.prob_up,
        )
        .where(Prediction.resolved_at.is_(None), Prediction.target_at <= now)
        .order_by(Prediction.target_at, Prediction.id)
        .limit(limit)
    )
    return [Due(*row) for row in rows.tuples()]


async def resolve(
    session: AsyncSession,
    prediction_id: int,
    *,
    outcome_price: Decimal,
    outcome_return: float,
    went_up: bool,
    correct: bool,
    now: datetime,
) -> None:
    await session.execute(
        update(Prediction)
        .where(Prediction.id == prediction_id, Prediction.resolved_at.is_(None))
        .values(
            outcome_price=outcome_price,
            outcome_return=outcome_return,
            went_up=went_up,
            correct=correct,
            resolved_at=now,
        )
    )


@dataclass(frozen=True, slots=True)
class Resolved:
    asset: str
    horizon: str
    model_id: int | None
    made_at: datetime
    prob_up: float
    went_up: bool
    served: str


async def resolved(
    session: AsyncSession, since: datetime | None, asset_id: int | None, horizon: str | None = None
) -> list[Resolved]:
    """The resolved predictions made since `since` (of `asset_id`; None: every asset; of
    `horizon`, when given), oldest first."""
    stmt = (
        select(
            Asset.symbol,
            Prediction.horizon,
            Prediction.model_id,
            Prediction.made_at,
            Prediction.prob_up,
            Prediction.went_up,
            Prediction.served,
        )
        .join(Asset, Asset.id == Prediction.asset_id)
        .where(Prediction.resolved_at.is_not(None), Prediction.went_up.is_not(None))
        .order_by(Prediction.made_at, Prediction.id)
    )
    if since is not None:
        stmt = stmt.where(Prediction.made_at >= since)
    if asset_id is not None:
        stmt = stmt.where(Prediction.asset_id == asset_id)
    if horizon is not None:
        stmt = stmt.where(Prediction.horizon == horizon)
    rows = await session.execute(stmt)
    return [
        Resolved(symbol, horizon, model_id, made_at, prob_up, bool(went_up), served)
        for symbol, horizon, model_id, made_at, prob_up, went_up, served in rows.tuples()
    ]


async def pending(session: AsyncSession, asset_id: int | None) -> dict[tuple[str, str], int]:
    """Unresolved predictions per (asset symbol, horizon)."""
    stmt = (
        select(Asset.symbol, Prediction.horizon, func.count())
        .join(Asset, Asset.id == Prediction.asset_id)
        .where(Prediction.resolved_at.is_(None))
        .group_by(Asset.symbol, Prediction.horizon)
    )
    if asset_id is not None:
        stmt = stmt.where(Prediction.asset_id == asset_id)
    rows = await session.execute(stmt)
    return {(symbol, horizon): count for symbol, horizon, count in rows.tuples()}


async def registry_metrics(session: AsyncSession, model_ids: Sequence[int]) -> dict[int, Any]:
    """The metrics JSON of each registry row named (for the base rate it was trained with)."""
    if not model_ids:
        return {}
    rows = await session.execute(
        select(ModelVersion.id, ModelVersion.metrics).where(ModelVersion.id.in_(set(model_ids)))
    )
    return {model_id: metrics for model_id, metrics in rows.tuples()}


async def newest_model_at(session: AsyncSession) -> datetime | None:
    """When the newest registry row was written (None: the registry is empty)."""
    return await session.scalar(select(func.max(ModelVersion.created_at)))
