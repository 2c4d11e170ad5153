"""The alert matcher of one workers process: active price alerts in an `AlertIndex`, matched
against each new reference price; change, indicator and volume alerts checked on candle close;
sentiment and news-burst alerts checked as the news is scored (`workers.alerting.news`);
forecast alerts checked against the stored predictions (`workers.alerting.predictions`).

It loads every active alert at start, then stays current cheaply: before each batch of prices
it reads the `alerts:version` cache key (one GET), and only when that changed loads the alerts
updated since the newest change it has seen (less an overlap, for writers whose commit lands
after a later one's). Every process's matcher sees every price event: which process fires an
alert does not matter, since the firing itself makes sure it fires once (`firing.py`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from core.alerts.index import AlertIndex, IndexedAlert
from core.alerts.spec import NewsBurst, PredictionLevel, PriceLevel, SentimentLevel
from core.alerts.watched import WatchedAlert
from core.market import PriceQuote
from db.cache import PRICE_CHANNEL, Subscription
from services import matching, tasks
from services.alerts import ALERTS_VERSION
from services.deps import Deps
from services.firing import Candidate, Fired, fire
from workers.alerting import candles, news, predictions
from workers.jobs.base import JobResult

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=10)  # changes re-read before the newest one seen
SYNC_EVERY = 1.0  # seconds: the version is checked this often even without prices
DRAIN = 0.001  # seconds waited for more queued price events before matching a batch
RETRY_AFTER = 1.0  # seconds before listening again when the cache connection failed
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AlertMatcher:
    """`start(deps)`, then `on_quotes(deps, quotes)` per price batch (or `follow(deps)` to feed
    it from the cache's price events) and `on_candles(deps)` as a job."""

    def __init__(self) -> None:
        self.index = AlertIndex()
        self.previous: dict[str, PriceQuote] = {}  # the last reference price of each symbol
        self.cooling: dict[int, datetime] = {}  # recurring price alerts: until when they wait
        self.candle_alerts: dict[int, WatchedAlert] = {}  # change, indicator and volume alerts
        self.candle_check = candles.CandleCheck()
        self.news_alerts: dict[int, WatchedAlert] = {}  # sentiment and news-burst alerts
        self.news_check = news.NewsCheck()
        self.prediction_alerts: dict[int, WatchedAlert] = {}  # forecast alerts
        self.prediction_check = predictions.PredictionCheck()
        self._version: str | None = None
        self._newest_change = EPOCH
        self._busy = asyncio.Lock()  # one sync-and-match at a time
        self._stopped = False
        self.listening = asyncio.Event()  # set while subscribed to the price events

    # ---- keeping current ------------------------------------------------------------------------

    async def start(self, deps: Deps) -> None:
        """Load every active alert and the last prices, so the first tick already matches."""
        async with self._busy:
            self._version = await deps.cache.get(ALERTS_VERSION)
            newest, alerts = await matching.active_alerts(deps)
            self._newest_change = newest or EPOCH
            active = [a for a in alerts if a.active]
            priced = [a for a in active if _is_price(a)]
            self.index = AlertIndex.build(_indexed(a) for a in priced)
            self.candle_alerts = {a.id: a for a in active if _is_candle(a)}
            self.news_alerts = {a.id: a for a in active if _is_news(a)}
            self.prediction_alerts = {a.id: a for a in active if _is_prediction(a)}
            self.cooling = {}
            for alert in active:
                self._cool(alert)
            self.previous.update(await deps.cache.get_prices(sorted({a.symbol for a in priced})))
        log.info(
            "alert matcher: %d price, %d candle, %d news, %d forecast alerts",
            len(priced),
            len(self.candle_alerts),
            len(self.news_alerts),
            len(self.prediction_alerts),
        )

    async def sync(self, deps: Deps) -> int:
        """Apply the alerts changed since the last sync, if any process says one did."""
        version = await deps.cache.get(ALERTS_VERSION)
        if version == self._version:
            return 0
        changed = await matching.changed_alerts(deps, self._newest_change - OVERLAP)
        self._version = version  # after loading: a failed load is tried again next time
        for alert in changed:
            self._apply(alert)
            self._newest_change = max(self._newest_change, alert.updated_at)
        return len(changed)

    def _apply(self, alert: WatchedAlert) -> None:
        self.index.remove(alert.id)
        self.candle_alerts.pop(alert.id, None)
        self.news_alerts.pop(alert.id, None)
        self.prediction_alerts.pop(alert.id, None)
        self.cooling.pop(alert.id, None)
        if not alert.active:
            if alert.spec is None and alert.status == "active":
                log.warning("alert %s cannot be read; not matched", alert.id)
            return
        if _is_price(alert):
            self.index.add(*_indexed(alert))
        elif _is_news(alert):
            self.news_alerts[alert.id] = alert
        elif _is_prediction(alert):
            self.prediction_alerts[alert.id] = alert
        else:
            self.candle_alerts[alert.id] = alert
        self._cool(alert)

    def _cool(self, alert: WatchedAlert) -> None:
        until = alert.cooling_until()
        if until is not None:
            self.cooling[alert.id] = until

    def _fired(self, fired: Sequence[Fired]) -> None:
        for alert in fired:
            if alert.waits_until is None:  # one-shot: done
                self.index.remove(alert.alert_id)
                self.candle_alerts.pop(alert.alert_id, None)
                self.news_alerts.pop(alert.alert_id, None)
                self.prediction_alerts.pop(alert.alert_id, None)
            else:
                self.cooling[alert.alert_id] = alert.waits_until

    # ---- matching -------------------------------------------------------------------------------

    async def on_quotes(self, deps: Deps, quotes: Sequence[PriceQuote]) -> int:
        """Match new reference prices and fire what they cross; returns how many fired.

        A quote older than the last one seen of its symbol is a replay and is ignored. When
        firing fails, the symbols it concerned keep their previous price, so the next tick
        crosses the same levels again (under its own trigger).
        """
        async with self._busy:
            await self.sync(deps)
            seen = dict(self.previous)
            candidates: list[Candidate] = []
            for quote in quotes:
                before = seen.get(quote.asset)
                if before is not None and quote.ts < before.ts:
                    continue
                if before is not None:
                    candidates += self._crossed(before.price, quote)
                seen[quote.asset] = quote
            try:
                fired = await fire(deps, candidates) if candidates else []
            except Exception:
                touched = {c.symbol for c in candidates}
                self.previous.update({s: q for s, q in seen.items() if s not in touched})
                raise
            self.previous = seen
            self._fired(fired)
            return len(fired)

    def _crossed(self, before: Decimal, quote: PriceQuote) -> list[Candidate]:
        out = []
        for alert_id in self.index.crossed(quote.asset, before, quote.price):
            waits = self.cooling.get(alert_id)
            if waits is not None and quote.ts < waits:
                continue
            out.append(
                Candidate(
                    alert_id,
                    quote.asset,
                    quote.ts.isoformat(),
                    quote.ts,
                    quote.price,
                    quote.quote,
                    quote.change_24h_pct,
                )
            )
        return out

    async def on_candles(self, deps: Deps) -> JobResult:
        """Check change, indicator and volume alerts against newly closed candles (a job)."""
        return await self._check(deps, "candle")

    async def on_news(self, deps: Deps) -> JobResult:
        """Check sentiment and news-burst alerts against the stored index and stories (a job)."""
        return await self._check(deps, "news")

    async def on_predictions(self, deps: Deps) -> JobResult:
        """Check forecast alerts against the predictions stored since the last check (a job)."""
        return await self._check(deps, "prediction")

    async def _check(self, deps: Deps, kind: Literal["candle", "news", "prediction"]) -> JobResult:
        """Fire the `kind` alerts that came true since the last check."""
        async with self._busy:  # only the sync: prices are matched while the rest is read
            await self.sync(deps)
        check: candles.CandleCheck | news.NewsCheck | predictions.PredictionCheck
        if kind == "candle":
            watched, check = self.candle_alerts, self.candle_check
        elif kind == "news":
            watched, check = self.news_alerts, self.news_check
        else:
            watched, check = self.prediction_alerts, self.prediction_check
        alerts = list(watched.values())
        found = await check.newly_true(deps, alerts, self.cooling)
        try:
            fired = await fire(deps, found) if found else []
        except Exception:  # checked again on the next run
            for candidate in found:
                check.checked.pop(candidate.alert_id, None)
            raise
        self._fired(fired)
        return JobResult(summary=f"{len(alerts)} {kind} alerts checked, {len(fired)} fired")

    # ---- fed by the cache -----------------------------------------------------------------------

    async def follow(self, deps: Deps) -> None:
        """Match every price event published on the cache until `stop_following`."""
        while not self._stopped:
            try:
                async with deps.cache.subscribe(PRICE_CHANNEL) as events:
                    self.listening.set()
                    while not self._stopped:
                        await self._next_batch(deps, events)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("alert matcher lost the price events; listening again")
                await asyncio.sleep(RETRY_AFTER)
            finally:
                self.listening.clear()

    async def _next_batch(self, deps: Deps, events: Subscription) -> None:
        first = await events.get(timeout=SYNC_EVERY)
        messages = []
        while first is not None:
            messages.append(first)
            first = await events.get(timeout=DRAIN)
        quotes = []
        for message in messages:
            try:
                quotes.append(PriceQuote.from_json(message))
            except (
                ValueError,
                KeyError,
                TypeError,
                ArithmeticError,
            ):  # a bad event must not drop the batch
                log.warning("alert matcher skipped a price event it cannot read: %.80r", message)
        try:
            if quotes:
                await self.on_quotes(deps, quotes)
            else:
                async with self._busy:
                    await self.sync(deps)
        except Exception:  # the database is away: the next tick tries again
            log.exception("alert matching failed; tried again on the next price")

    async def stop_following(self, task: asyncio.Task[None]) -> None:
        """End `follow`'s task: told, and cancelled until it ends (services.tasks)."""
        self._stopped = True
        await tasks.end(task)


def _indexed(alert: WatchedAlert) -> IndexedAlert:
    condition = alert.condition
    assert isinstance(condition, PriceLevel)
    return IndexedAlert(alert.id, alert.symbol, condition.direction, condition.level)


def _is_price(alert: WatchedAlert) -> bool:
    return alert.spec is not None and isinstance(alert.spec.condition, PriceLevel)


def _is_news(alert: WatchedAlert) -> bool:
    return alert.spec is not None and isinstance(alert.spec.condition, SentimentLevel | NewsBurst)


def _is_prediction(alert: WatchedAlert) -> bool:
    return alert.spec is not None and isinstance(alert.spec.condition, PredictionLevel)


def _is_candle(alert: WatchedAlert) -> bool:
    return (
        alert.spec is not None
        and not _is_price(alert)
        and not _is_news(alert)
        and not _is_prediction(alert)
    )
