"""Served predictions: stored once per asset x horizon per hour, read back as the latest one,
resolved when their horizon has passed, and read as a live record. Reads and writes for
services.predictions, which decides; these never commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.predict.metrics import BINS, EPS
from core.predict.record import Tally
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
    base_rate: float | None  # what it is judged against once resolved


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
            base_rate=row.base_rate,
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
class Binned:
    """The resolved predictions of one asset × horizon whose P(up) fell in bin `bin`, summed;
    `first`: when the earliest of them was made."""

    asset: str
    horizon: str
    bin: int
    tally: Tally
    first: datetime


def _judged_against() -> Any:
    """The base rate a stored prediction is judged against: its own column (set when
    published); for a row without one, a base-rate answer's own P(up), else a coin toss."""
    p = Prediction.prob_up
    return func.coalesce(
        Prediction.base_rate, case((Prediction.served == "base_rate", p), else_=0.5)
    )


async def record(
    session: AsyncSession, since: datetime | None, asset_id: int | None, horizon: str | None = None
) -> list[Binned]:
    """The resolved predictions made since `since` (of `asset_id`; None: every asset; of
    `horizon`, when given) summed in the database per asset × horizon × bin of P(up)
    (core.predict.record.bin_of's bins, the same arithmetic: p * BINS against each edge)."""
    p, base = Prediction.prob_up, _judged_against()
    up = Prediction.went_up.is_(True)
    y = case((up, 1.0), else_=0.0)
    clipped = case((p < EPS, EPS), (p > 1 - EPS, 1 - EPS), else_=p)
    loss = case((up, -func.ln(clipped)), else_=-func.ln(1 - clipped))
    hit = case(
        (or_(and_(p >= 0.5, up), and_(p < 0.5, Prediction.went_up.is_(False))), 1.0), else_=0.0
    )
    which = case(*[(p * BINS < k + 1, k) for k in range(BINS - 1)], else_=BINS - 1)
    stmt = (
        select(
            Asset.symbol,
            Prediction.horizon,
            which,
            func.count(),
            func.sum(p),
            func.sum(y),
            func.sum((p - y) * (p - y)),
            func.sum((base - y) * (base - y)),
            func.sum(loss),
            func.sum(hit),
            func.sum(base),
            func.min(Prediction.made_at),
        )
        .join(Asset, Asset.id == Prediction.asset_id)
        .where(Prediction.resolved_at.is_not(None), Prediction.went_up.is_not(None))
        .group_by(Asset.symbol, Prediction.horizon, which)
    )
    if since is not None:
        stmt = stmt.where(Prediction.made_at >= since)
    if asset_id is not None:
        stmt = stmt.where(Prediction.asset_id == asset_id)
    if horizon is not None:
        stmt = stmt.where(Prediction.horizon == horizon)
    rows = await session.execute(stmt)
    return [
        Binned(
            symbol,
            row_horizon,
            int(b),
            Tally(
                int(n), float(sp), float(ups), float(sq), float(sqb), float(ll), float(h), float(sb)
            ),
            first,
        )
        for symbol, row_horizon, b, n, sp, ups, sq, sqb, ll, h, sb, first in rows.tuples()
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
