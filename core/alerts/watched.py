"""An alert as the matcher holds it: what matching needs of its row, with the `AlertSpec` the
row holds (`core.alerts.storage.spec_of`), or None for a row that cannot be read. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.alerts.spec import AlertSpec, Condition
from core.alerts.storage import spec_of


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
    def condition(self) -> Condition:
        """What a readable alert watches for (only those are matched)."""
        assert self.spec is not None, f"alert {self.id} cannot be read"
        return self.spec.condition

    @property
    def active(self) -> bool:
        return self.status == "active" and self.spec is not None

    def cooling_until(self) -> datetime | None:
        """Until when a recurring alert that fired waits before it may fire again."""
        if self.spec is None or self.spec.cooldown is None or self.last_fired_at is None:
            return None
        return self.last_fired_at + self.spec.cooldown


def readable_spec(row: Any) -> AlertSpec | None:
    """The spec of a row with the matched alert columns; None if it holds none."""
    try:
        return spec_of(row, row.symbol)
    except (KeyError, TypeError, ValueError):
        return None


def watched(row: Any) -> WatchedAlert:
    return WatchedAlert(
        row.id,
        row.symbol,
        row.status,
        readable_spec(row),  # None: logged by the matcher, never matched
        row.last_fired_at,
        row.created_at,
        row.updated_at,
    )
