"""Alerts as the matcher reads them: all active ones at start, then only the changed ones,
each with the `AlertSpec` its row holds (`db.alerts.spec_of`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.grammar import AlertSpec
from db.alerts import spec_of
from db.models import Alert, Asset

ALERT_COLUMNS = (
    Alert.id,
    Asset.symbol,
    Alert.status,
    Alert.kind,
    Alert.direction,
    Alert.threshold,
    Alert.timeframe,
    Alert.window_seconds,
    Alert.params,
    Alert.recurring,
    Alert.cooldown_seconds,
    Alert.expires_at,
    Alert.last_fired_at,
    Alert.created_at,
    Alert.updated_at,
)


@dataclass(frozen=True, slots=True)
class WatchedAlert:
    """What matching needs of an alert row; `spec` is None for a row that cannot be read."""

    id: int
    symbol: str
    status: str
    spec: AlertSpec | None
    last_fired_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def active(self) -> bool:
        return self.status == "active" and self.spec is not None

    def cooling_until(self) -> datetime | None:
        """Until when a recurring alert that fired waits before it may fire again."""
        if self.spec is None or self.spec.cooldown is None or self.last_fired_at is None:
            return None
        return self.last_fired_at + self.spec.cooldown


async def load_active(session: AsyncSession) -> list[WatchedAlert]:
    rows = await session.execute(_select().where(Alert.status == "active"))
    return [_watched(row) for row in rows]


async def load_changed(session: AsyncSession, since: datetime) -> list[WatchedAlert]:
    """Alerts of any status changed at or after `since` (by `updated_at`)."""
    rows = await session.execute(_select().where(Alert.updated_at >= since))
    return [_watched(row) for row in rows]


async def load_ids(session: AsyncSession, ids: Sequence[int]) -> list[WatchedAlert]:
    rows = await session.execute(_select().where(Alert.id.in_(ids)))
    return [_watched(row) for row in rows]


def _select() -> Any:
    return select(*ALERT_COLUMNS).join(Asset, Asset.id == Alert.asset_id)


def _watched(row: Any) -> WatchedAlert:
    try:
        spec: AlertSpec | None = spec_of(row, row.symbol)
    except (KeyError, TypeError, ValueError):
        spec = None  # logged by the matcher, never matched
    return WatchedAlert(
        row.id, row.symbol, row.status, spec, row.last_fired_at, row.created_at, row.updated_at
    )
