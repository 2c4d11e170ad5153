"""What forecast alerts (`/alert BTC predict up > 65% 24h`) read of the stored predictions: the
preview when one is set (in `services.alerts.set_alert`'s transaction), and for the matcher the
predictions of the coins and horizons it watches, whether any were stored since it looked, and
the record of the served forecasts it fires on. Reads, one transaction each; firing is
`services.firing`."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.backtest import LOOKBACK
from core.alerts.history import History
from core.alerts.predictions import StoredPrediction, prediction_history
from core.alerts.spec import AlertSpec, PredictionLevel
from core.notices import ForecastRecord
from db.repos import alert_predictions
from services.deps import Deps

Wanted = tuple[str, str]  # (symbol, horizon)


async def preview(session: AsyncSession, asset_id: int, spec: AlertSpec, now: datetime) -> History:
    """How often a forecast alert would have fired over the stored predictions of its coin and
    horizon in the last 30 days (and a day before, for the first one's predecessor)."""
    condition = spec.condition
    assert isinstance(condition, PredictionLevel), condition
    since = now - LOOKBACK - timedelta(days=1)
    rows = await alert_predictions.made_between(
        session, [(asset_id, condition.horizon)], since, now
    )
    return prediction_history(spec, [p for _, _, p in rows], now)


async def stored_since(deps: Deps, since: datetime) -> tuple[int, int | None]:
    """How many predictions made since `since` up to now are stored, and the newest id among
    them (a change in either: predictions were stored since)."""
    async with deps.read() as session:
        return await alert_predictions.stored_between(session, since, deps.clock.now())


async def predictions_of(
    deps: Deps, wanted: Collection[Wanted], since: datetime
) -> dict[Wanted, list[StoredPrediction]]:
    """The predictions of those coins at those horizons made since `since` up to now, oldest
    first (served by a model or not); coins Pythia does not know have none."""
    now = deps.clock.now()
    found: dict[Wanted, list[StoredPrediction]] = {}
    async with deps.read() as session:
        ids = (await deps.directory_in(session)).ids
        symbols = {ids[s]: s for s, _ in wanted if s in ids}
        pairs = [(ids[s], h) for s, h in wanted if s in ids]
        for asset_id, horizon, prediction in await alert_predictions.made_between(
            session, pairs, since, now
        ):
            found.setdefault((symbols[asset_id], horizon), []).append(prediction)
    return found


async def records_of(deps: Deps, wanted: Collection[Wanted]) -> dict[Wanted, ForecastRecord]:
    """How right the served forecasts of those coins at those horizons have been, once
    resolved (a pair with none resolved is left out)."""
    async with deps.read() as session:
        ids = (await deps.directory_in(session)).ids
        symbols = {ids[s]: s for s, _ in wanted if s in ids}
        pairs = [(ids[s], h) for s, h in wanted if s in ids]
        counted = await alert_predictions.records(session, pairs)
    return {
        (symbols[asset_id], horizon): ForecastRecord(resolved=resolved, correct=correct)
        for (asset_id, horizon), (resolved, correct) in counted.items()
    }
