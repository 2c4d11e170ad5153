"""The model registry: each trained model of an asset and horizon, its version, status, how it
validated and its artifact. Storage only: the service decides what is champion."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from db.models import Asset, ModelVersion

# every column but the artifact (which can be a few hundred kB): what listings read
_LISTED = (
    ModelVersion.id,
    Asset.symbol,
    ModelVersion.horizon,
    ModelVersion.version,
    ModelVersion.status,
    ModelVersion.metrics,
    ModelVersion.features,
    ModelVersion.trained_from,
    ModelVersion.trained_to,
    ModelVersion.created_at,
)


async def next_version(session: AsyncSession, asset_id: int, horizon: str) -> int:
    current = await session.scalar(
        select(func.max(ModelVersion.version)).where(
            ModelVersion.asset_id == asset_id, ModelVersion.horizon == horizon
        )
    )
    return (current or 0) + 1


async def add(
    session: AsyncSession,
    *,
    asset_id: int,
    horizon: str,
    version: int,
    status: str,
    metrics: dict[str, Any],
    features: dict[str, Any],
    artifact: bytes | None,
    trained_from: datetime,
    trained_to: datetime,
    created_at: datetime,
) -> int:
    row = ModelVersion(
        asset_id=asset_id,
        horizon=horizon,
        version=version,
        status=status,
        metrics=metrics,
        features=features,
        artifact=artifact,
        trained_from=trained_from,
        trained_to=trained_to,
        created_at=created_at,
    )
    session.add(row)
    await session.flush()
    return row.id


async def set_status(session: AsyncSession, model_id: int, status: str) -> None:
    await session.execute(
        update(ModelVersion).where(ModelVersion.id == model_id).values(status=status)
    )


async def champion_id(session: AsyncSession, asset_id: int, horizon: str) -> int | None:
    """The champion of the asset and horizon (the newest, should there ever be two)."""
    found = await session.scalar(
        select(ModelVersion.id)
        .where(
            ModelVersion.asset_id == asset_id,
            ModelVersion.horizon == horizon,
            ModelVersion.status == "champion",
        )
        .order_by(ModelVersion.version.desc())
        .limit(1)
    )
    return found


async def rows(
    session: AsyncSession,
    *,
    asset_id: int | None = None,
    horizon: str | None = None,
    statuses: Sequence[str] | None = None,
) -> list[Any]:
    """Listed columns (no artifact) of every matching row, newest first."""
    query = select(*_LISTED).join(Asset, Asset.id == ModelVersion.asset_id)
    if asset_id is not None:
        query = query.where(ModelVersion.asset_id == asset_id)
    if horizon is not None:
        query = query.where(ModelVersion.horizon == horizon)
    if statuses is not None:
        query = query.where(ModelVersion.status.in_(list(statuses)))
    query = query.order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())
    return list((await session.execute(query)).all())


async def artifact(session: AsyncSession, model_id: int) -> bytes | None:
    return await session.scalar(select(ModelVersion.artifact).where(ModelVersion.id == model_id))


async def serving_rows(
    session: AsyncSession, *, asset_id: int | None = None, horizon: str | None = None
) -> list[Any]:
    """Listed columns of each champion and of the newest version of each asset × horizon (what
    serves: the champion, else the newest), without reading every row ever trained; of one
    asset or horizon when given. Newest first."""
    newest = (
        select(
            ModelVersion.asset_id.label("asset_id"),
            ModelVersion.horizon.label("horizon"),
            func.max(ModelVersion.version).label("version"),
        )
        .group_by(ModelVersion.asset_id, ModelVersion.horizon)
        .subquery()
    )
    is_newest = select(newest.c.version).where(
        newest.c.asset_id == ModelVersion.asset_id,
        newest.c.horizon == ModelVersion.horizon,
        newest.c.version == ModelVersion.version,
    )
    query = (
        select(*_LISTED)
        .join(Asset, Asset.id == ModelVersion.asset_id)
        .where((ModelVersion.status == "champion") | is_newest.exists())
        .order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())
    )
    if asset_id is not None:
        query = query.where(ModelVersion.asset_id == asset_id)
    if horizon is not None:
        query = query.where(ModelVersion.horizon == horizon)
    return list((await session.execute(query)).all())


async def forget_files(session: AsyncSession, before: datetime) -> int:
    """Drop the artifact of every model created before `before` that is neither its asset and
    horizon's champion nor its newest version (what serves when none is champion), keeping
    the row: its version, metrics and the predictions made with it. How many were dropped."""
    later = aliased(ModelVersion)
    newer = (
        select(later.id)
        .where(
            later.asset_id == ModelVersion.asset_id,
            later.horizon == ModelVersion.horizon,
            later.version > ModelVersion.version,
        )
        .exists()
    )
    result = await session.execute(
        update(ModelVersion)
        .where(
            ModelVersion.created_at < before,
            ModelVersion.status != "champion",
            ModelVersion.artifact.is_not(None),
            newer,
        )
        .values(artifact=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
