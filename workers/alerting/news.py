"""Sentiment and news-burst alerts, checked after the news is scored and the index updated.

Each run reads, in one transaction, the sentiment index points and the tagged stories of the
coins these alerts watch, and `core.alerts.news` says when each alert's condition came true.
An alert fires on the newest such moment if it came after the alert was made, after its
cooldown, and no longer than STALE_AFTER ago (a crossing found late, after the workers were
down, is not news any more). That moment is the trigger: finding it again, here or in another
process, fires nothing new (`services.firing`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from core.alerts.news import Crossing, crossings
from core.alerts.spec import NewsBurst, SentimentLevel
from core.alerts.watched import WatchedAlert
from core.market import PriceQuote
from services import matching
from services.deps import Deps
from services.firing import Candidate

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(hours=2)
POINTS_BACK = timedelta(days=2)  # index points read before the stale bound (gaps are rare)


class NewsCheck:
    """The moment each alert was last found true, so a run finds each one once."""

    def __init__(self) -> None:
        self.checked: dict[int, str] = {}  # alert id -> the trigger last found

    async def newly_true(
        self, deps: Deps, alerts: Sequence[WatchedAlert], cooling: Mapping[int, datetime]
    ) -> list[Candidate]:
        """The alerts whose condition came true since they were last checked."""
        self.checked = {a.id: self.checked[a.id] for a in alerts if a.id in self.checked}
        if not alerts:
            return []
        now = deps.clock.now()
        indexed = {a.symbol for a in alerts if isinstance(a.condition, SentimentLevel)}
        windows = {
            a.symbol: a.condition.window for a in alerts if isinstance(a.condition, NewsBurst)
        }
        longest = max(windows.values(), default=timedelta(0))
        since = now - STALE_AFTER
        readings = await matching.news_readings(
            deps, indexed, set(windows), since - POINTS_BACK, since - longest
        )
        quotes = await deps.cache.get_prices(sorted({a.symbol for a in alerts}))
        found = []
        for alert in alerts:
            assert alert.spec is not None
            points = readings.points.get(alert.symbol, [])
            stories = readings.stories.get(alert.symbol, [])
            waits = cooling.get(alert.id, alert.created_at)
            fresh = [
                c
                for c in crossings(alert.spec, points, stories)
                if since <= c.at <= now and c.at > alert.created_at and c.at >= waits
            ]
            if not fresh or self.checked.get(alert.id) == fresh[-1].trigger:
                continue
            self.checked[alert.id] = fresh[-1].trigger
            found.append(_candidate(alert, fresh[-1], quotes.get(alert.symbol)))
        return found


def _candidate(alert: WatchedAlert, crossing: Crossing, quote: PriceQuote | None) -> Candidate:
    """The crossing's value and stories, with the price now (and its 24 h change) if known."""
    price = quote.price if quote is not None else None
    currency = quote.quote if quote is not None else "USD"
    change = quote.change_24h_pct if quote is not None else None
    return Candidate(
        alert.id,
        alert.symbol,
        crossing.trigger,
        crossing.at,
        price,
        currency,
        change,
        value=crossing.value,
        stories=crossing.stories,
    )
