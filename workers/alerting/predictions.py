"""Forecast alerts (`/alert BTC predict up > 65% 24h`), checked every minute or so against the
stored predictions (`core.alerts.predictions` says which a condition fires on).

A run first asks whether any prediction was stored since the last one looked (one count): if
none was and the alerts are the same, there is nothing new to find. Otherwise it reads, in one
transaction, the predictions of the coins and horizons the alerts watch, made within
STALE_AFTER (and PREVIOUS_WITHIN before, for the served one before each). An alert fires on the
newest crossing made after the alert was set, after its cooldown, and no longer than
STALE_AFTER ago (a crossing found late, after the workers were down, is not news any more).
The prediction is the trigger: finding it again, here or in another process, fires nothing new
(`services.firing`'s dedupe key per alert and prediction id).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from core.alerts.predictions import PredictionCrossing, StoredPrediction, prediction_crossings
from core.alerts.spec import PredictionLevel
from core.alerts.watched import WatchedAlert
from core.market import PriceQuote
from core.notices import ForecastRecord
from services import prediction_alerts
from services.deps import Deps
from services.firing import Candidate

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=2)
PREVIOUS_WITHIN = timedelta(days=2)  # how far back the served prediction before one is looked for

Seen = tuple[frozenset[int], tuple[int, int | None], frozenset[tuple[int, str]]]


class PredictionCheck:
    """The prediction each alert was last found true on, so a run finds each one once."""

    def __init__(self) -> None:
        self.checked: dict[int, str] = {}  # alert id -> the trigger last found
        self._seen: Seen | None = None  # what the last run looked at, and what it found

    async def newly_true(
        self, deps: Deps, alerts: Sequence[WatchedAlert], cooling: Mapping[int, datetime]
    ) -> list[Candidate]:
        """The alerts whose condition came true since they were last checked."""
        self.checked = {a.id: self.checked[a.id] for a in alerts if a.id in self.checked}
        if not alerts:
            return []
        now = deps.clock.now()
        since = now - STALE_AFTER
        stored = await prediction_alerts.stored_since(deps, since)
        ids = frozenset(a.id for a in alerts)
        if self._seen == (ids, stored, frozenset(self.checked.items())):
            return []  # no prediction stored since, the same alerts, nothing failed to fire
        wanted = {(a.symbol, _condition(a).horizon) for a in alerts}
        found = await prediction_alerts.predictions_of(deps, wanted, since - PREVIOUS_WITHIN)
        recent = {pair: _recent(predictions, since) for pair, predictions in found.items()}
        fresh: list[tuple[WatchedAlert, PredictionCrossing]] = []
        for alert in alerts:
            condition = _condition(alert)
            waits = cooling.get(alert.id, alert.created_at)
            crossed = [
                c
                for c in prediction_crossings(
                    condition, recent.get((alert.symbol, condition.horizon), [])
                )
                if since <= c.at <= now and c.at > alert.created_at and c.at >= waits
            ]
            if crossed and self.checked.get(alert.id) != crossed[-1].trigger:
                self.checked[alert.id] = crossed[-1].trigger
                fresh.append((alert, crossed[-1]))
        self._seen = (ids, stored, frozenset(self.checked.items()))
        if not fresh:
            return []
        fired_on = {(a.symbol, _condition(a).horizon) for a, _ in fresh}
        records = await prediction_alerts.records_of(deps, fired_on)
        quotes = await deps.cache.get_prices(sorted({a.symbol for a, _ in fresh}))
        return [
            _candidate(
                alert,
                crossing,
                quotes.get(alert.symbol),
                records.get((alert.symbol, _condition(alert).horizon)),
            )
            for alert, crossing in fresh
        ]


def _recent(predictions: Sequence[StoredPrediction], since: datetime) -> list[StoredPrediction]:
    """The served predictions made since `since` and the served one before them: all that a
    crossing since then is judged on (oldest first, as read)."""
    served = [p for p in predictions if p.served == "model"]
    first = next((i for i, p in enumerate(served) if p.made_at >= since), len(served))
    return served[max(first - 1, 0) :]


def _condition(alert: WatchedAlert) -> PredictionLevel:
    condition = alert.condition
    assert isinstance(condition, PredictionLevel), condition
    return condition


def _candidate(
    alert: WatchedAlert,
    crossing: PredictionCrossing,
    quote: PriceQuote | None,
    record: ForecastRecord | None,
) -> Candidate:
    """The chance it crossed with and the forecasts' record, with the price now if known."""
    return Candidate(
        alert.id,
        alert.symbol,
        crossing.trigger,
        crossing.at,
        quote.price if quote is not None else None,
        quote.quote if quote is not None else "USD",
        quote.change_24h_pct if quote is not None else None,
        value=crossing.chance,
        record=record or ForecastRecord(resolved=0, correct=0),
    )
