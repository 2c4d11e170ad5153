"""What forecast alerts read of the stored predictions: the predictions of some coins at some
horizons made in a span (one query on the (asset, horizon, made_at) unique index), whether any
were stored since a run looked, and the served forecasts' record. Reads only."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.predictions import StoredPrediction
from db.models import Prediction

MAX_PREDICTIONS = 20_000  # rows read per call: 2 days of hourly ones for 100 coins x 3 horizons fit

Pair = tuple[int, str]  # (asset id, horizon)


def _pairs(pairs: Collection[Pair]) -> ColumnElement[bool]:
    return or_(
        *(
            and_(Prediction.asset_id == asset_id, Prediction.horizon == horizon)
            for asset_id, horizon in sorted(set(pairs))
        )
    )


async def made_between(
    session: AsyncSession, pairs: Collection[Pair], since: datetime, until: datetime
) -> list[tuple[int, str, StoredPrediction]]:
    """(asset id, horizon, prediction) of the coins' predictions at those horizons made in
    [since, until], served by a model or not, oldest first."""
    if not pairs:
        return []
    query = (
        select(
            Prediction.asset_id,
            Prediction.horizon,
            Prediction.id,
            Prediction.made_at,
            Prediction.prob_up,
            Prediction.served,
        )
        .where(_pairs(pairs), Prediction.made_at >= since, Prediction.made_at <= until)
        .order_by(Prediction.made_at.desc(), Prediction.id.desc())
        .limit(MAX_PREDICTIONS)  # past it, the oldest are left out, never the newest
    )
    rows = list((await session.execute(query)).tuples())
    return [
        (asset_id, horizon, StoredPrediction(id_, made_at, p_up, served))
        for asset_id, horizon, id_, made_at, p_up, served in reversed(rows)
    ]


async def stored_between(
    session: AsyncSession, since: datetime, until: datetime
) -> tuple[int, int | None]:
    """How many predictions were made in [since, until], and the newest id among them: a
    change in either says predictions were stored (or pruned) since."""
    query = select(func.count(Prediction.id), func.max(Prediction.id)).where(
        Prediction.made_at >= since, Prediction.made_at <= until
    )
    count, newest = (await session.execute(query)).one()
    return int(count), newest


async def records(session: AsyncSession, pairs: Collection[Pair]) -> dict[Pair, tuple[int, int]]:
    """(resolved, correct) of the predictions a model served, by (asset id, horizon)."""
    if not pairs:
        return {}
    correct = func.sum(case((Prediction.correct.is_(True), 1), else_=0))
    query = (
        select(Prediction.asset_id, Prediction.horizon, func.count(Prediction.id), correct)
        .where(
            _pairs(pairs),
            Prediction.served == "model",
            Prediction.resolved_at.is_not(None),
        )
        .group_by(Prediction.asset_id, Prediction.horizon)
    )
    rows = (await session.execute(query)).tuples()
    return {(a, h): (int(n), int(right or 0)) for a, h, n, right in rows}
