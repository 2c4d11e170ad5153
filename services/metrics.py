"""What Pythia tells Prometheus: the metrics of both processes, in one registry of our own.

`REGISTRY` is Pythia's own `CollectorRegistry` (not prometheus-client's global one, so a test or
a library's metrics cannot collide with ours); it also carries the process and garbage-collector
collectors. Nothing here serves HTTP: `pythia/observe.py` exposes `REGISTRY` on METRICS_PORT
(the bot) and WORKER_METRICS_PORT (the workers), or once for both under `pythia run`.

Labels are bounded, never what a person typed: a command label is a command Pythia routes (else
"command:other"), a button's the prefix of a button Pythia declared (else "button:other"),
anything else "message" or its kind; jobs, exchanges, timeframes, feeds and coins come from the
settings and the database. A job's label is `job_name`: Prometheus gives every scraped series a
`job` label of its own (the scrape job).

Three ways in, chosen for what each costs on the hot path:
- counted as it happens: updates and their handling time (`update_received`, `update_handled`:
  plain numbers on the event loop's thread, ~1-3 µs an update), flood turn-aways, 429s PTB's
  limiter saw, jobs (`job_finished`), digests posted (`digests_posted`);
- read when scraped: the outbox sender's own tallies (`track_sender` keeps its `stats` object;
  a collector reads it: a send does no metrics work at all);
- sampled from the database when scraped (`sample`, at most every SAMPLE_EVERY seconds): the
  outbox's due backlog, how long ago each exchange's price and candles and each feed were last
  stored, and the serving models' ages. Every figure is on `deps.clock`, the writers' clock (in
  the sandbox the replay's, 60 times fast).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Collection, Iterator, Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from itertools import accumulate

from prometheus_client import (
    GC_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
)
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from db.repos import freshness, status
from services import model_registry
from services.deps import Deps

REGISTRY = CollectorRegistry(auto_describe=True)
for _collector in (PROCESS_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

SAMPLE_EVERY = 5.0  # seconds: scrapes closer together read the last sample again

# ---- the bot -------------------------------------------------------------------------------

TURNED_AWAY = Counter(
    "pythia_updates_turned_away",
    "Updates refused by the flood gate or a person's full queue (their handler never ran)",
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "pythia_outbox_backlog",
    "Outbox rows pending and due (not yet sent), sampled at scrape",
    registry=REGISTRY,
)
OUTBOX_OLDEST = Gauge(
    "pythia_outbox_oldest_due_seconds",
    "Seconds since the earliest pending row came due (0: none due), sampled at scrape",
    registry=REGISTRY,
)
TELEGRAM_RETRY_AFTER = Counter(
    "pythia_telegram_retry_after",
    "429s (RetryAfter) Telegram answered to any request, replies and sends, as PTB's rate "
    "limiter saw them (it waits as told and tries again)",
    registry=REGISTRY,
)
# the sender's own tallies (bot.delivery.sender.SenderStats), read at scrape
SENDER_COUNTERS = {
    "sent": ("pythia_outbox_sent", "Telegram messages the outbox sent (a summary counts once)"),
    "rows_sent": ("pythia_outbox_rows_sent", "Outbox rows marked sent after their send"),
    "failed": ("pythia_outbox_failed", "Outbox rows that failed for good"),
    "retried": ("pythia_outbox_retried", "Outbox rows sent back to wait after a failed send"),
    "retry_after": ("pythia_outbox_retry_after", "429s (RetryAfter) Telegram still answered"),
    "ambiguous": (
        "pythia_outbox_ambiguous",
        "Outbox rows whose answer was lost (marked sent, never repeated)",
    ),
}

# ---- the workers ---------------------------------------------------------------------------

JOB_SECONDS = Histogram(
    "pythia_job_seconds",
    "How long each run of a job took, by job",
    ["job_name"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0),
    registry=REGISTRY,
)
JOB_FAILURES = Counter(
    "pythia_job_failures", "Runs of a job that failed, by job", ["job_name"], registry=REGISTRY
)
DIGESTS_POSTED = Counter(
    "pythia_digests_posted",
    "Digests handed to the outbox by the digests job",
    registry=REGISTRY,
)
PRICE_LAG = Gauge(
    "pythia_price_lag_seconds",
    "Seconds since an exchange's latest price was last stored, sampled at scrape",
    ["exchange"],
    registry=REGISTRY,
)
CANDLE_LAG = Gauge(
    "pythia_candle_lag_seconds",
    "Seconds since the open of an exchange's newest stored candle of a timeframe (up to one "
    "timeframe is normal: the newest may be forming)",
    ["exchange", "timeframe"],
    registry=REGISTRY,
)
NEWS_LAG = Gauge(
    "pythia_news_lag_seconds",
    "Seconds since a feed was last fetched without error, by publisher, sampled at scrape",
    ["feed"],
    registry=REGISTRY,
)
MODEL_AGE = Gauge(
    "pythia_model_age_seconds",
    "Age of the model serving each coin and horizon (since it was trained), sampled at scrape",
    ["coin", "horizon"],
    registry=REGISTRY,
)


# ---- counted as it happens -----------------------------------------------------------------


def update_received(label: str) -> None:
    _UPDATES.receive(label)


def update_turned_away() -> None:
    TURNED_AWAY.inc()


def update_handled(label: str, seconds: float) -> None:
    _UPDATES.observe(label, seconds)


def retry_after_answered() -> None:
    TELEGRAM_RETRY_AFTER.inc()


def job_finished(job: str, seconds: float, ok: bool) -> None:
    JOB_SECONDS.labels(job).observe(seconds)
    if not ok:
        JOB_FAILURES.labels(job).inc()


def digests_posted(count: int) -> None:
    if count > 0:
        DIGESTS_POSTED.inc(count)


# ---- read at scrape ------------------------------------------------------------------------


class _Updates(Collector):
    """Updates received and their handlers' times by label, kept as plain numbers: they are
    counted and read on the event loop's thread only, so no lock is taken per update (a
    prometheus-client Counter and Histogram cost ~6 µs an update; this ~1 µs)."""

    BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

    def __init__(self) -> None:
        self.received: dict[str, int] = {}
        self.counts: dict[str, list[int]] = {}  # per bucket, the last one +Inf
        self.sums: dict[str, float] = {}
        self._bounds = [*map(floatToGoString, self.BUCKETS), "+Inf"]

    def receive(self, label: str) -> None:
        self.received[label] = self.received.get(label, 0) + 1

    def observe(self, label: str, seconds: float) -> None:
        counts = self.counts.get(label)
        if counts is None:
            counts = self.counts[label] = [0] * (len(self.BUCKETS) + 1)
            self.sums[label] = 0.0
        counts[bisect_left(self.BUCKETS, seconds)] += 1  # the first bound >= it: "le"
        self.sums[label] += seconds

    def collect(self) -> Iterator[Metric]:
        updates = CounterMetricFamily(
            "pythia_updates",
            "Updates received, by command ('button:<prefix>', 'message', ...), turned away or not",
            labels=["command"],
        )
        for label, count in list(self.received.items()):
            updates.add_metric([label], count)
        yield updates
        handled = HistogramMetricFamily(
            "pythia_handler_seconds",
            "Time from an update's turn to its handlers done, by command",
            labels=["command"],
        )
        for label, counts in list(self.counts.items()):
            handled.add_metric(
                [label], list(zip(self._bounds, accumulate(counts), strict=True)), self.sums[label]
            )
        yield handled

    def describe(self) -> Iterator[Metric]:
        return self.collect()


_UPDATES = _Updates()
REGISTRY.register(_UPDATES)


class _SenderTallies(Collector):
    """The outbox senders' `stats` (dataclasses of ints), summed over every sender this process
    ran: a stopped sender's last figures stay in, so the counters never go back."""

    def __init__(self) -> None:
        self.tracked: list[object] = []

    def collect(self) -> Iterator[CounterMetricFamily]:
        for attribute, (name, text) in SENDER_COUNTERS.items():
            total = sum(int(getattr(stats, attribute, 0)) for stats in self.tracked)
            family = CounterMetricFamily(name, text)
            family.add_metric([], total)
            yield family

    def describe(self) -> Iterator[CounterMetricFamily]:
        return self.collect()


_SENDERS = _SenderTallies()
REGISTRY.register(_SENDERS)


def track_sender(stats: object) -> None:
    """Count `stats` (a sender's tallies) in the outbox counters from now on."""
    if not is_dataclass(stats) or not {f.name for f in fields(stats)} & set(SENDER_COUNTERS):
        raise TypeError("a sender's stats: a dataclass with sent, failed, ... counts")
    if not any(tracked is stats for tracked in _SENDERS.tracked):
        _SENDERS.tracked.append(stats)


# ---- sampled at scrape ---------------------------------------------------------------------


class Sampler:
    """Reads the database's figures for one process when scraped (at most every `every` s):
    the outbox backlog for the bot, ingestion lag and model ages for the workers."""

    def __init__(
        self,
        deps: Deps,
        *,
        outbox: bool = False,
        ingestion: bool = False,
        feeds: Collection[str] = (),
        every: float = SAMPLE_EVERY,
    ) -> None:
        self.deps, self.outbox, self.ingestion, self.feeds = deps, outbox, ingestion, feeds
        self.every = every
        self._at = float("-inf")

    async def sample(self) -> None:
        if time.monotonic() - self._at < self.every:
            return
        self._at = time.monotonic()
        await sample(self.deps, outbox=self.outbox, ingestion=self.ingestion, feeds=self.feeds)


async def sample(
    deps: Deps, *, outbox: bool = False, ingestion: bool = False, feeds: Collection[str] = ()
) -> None:
    """Read the figures in one read transaction, then set the gauges all at once (a series that
    is gone — a feed no longer configured, say — disappears)."""
    now = deps.clock.now()
    timeframes = deps.settings.candle_timeframes
    async with deps.read() as session:
        due = await status.outbox_backlog(session, now) if outbox else None
        if ingestion:
            prices = await freshness.last_prices(session)
            candles = await freshness.last_candles(session, timeframes)
            news = await freshness.feeds_fetched(session, feeds) if feeds else {}
            models = await model_registry.serving_in(session)
    if due is not None:
        _, count, earliest = due  # due by now, and since when the longest-waiting one was
        OUTBOX_BACKLOG.set(count)
        OUTBOX_OLDEST.set(_since(now, earliest) if earliest is not None else 0.0)
    if ingestion:
        _set(PRICE_LAG, {(e,): _since(now, at) for e, at in prices.items()})
        candle_lags: dict[tuple[str, ...], float] = {
            k: _since(now, at) for k, at in candles.items()
        }
        _set(CANDLE_LAG, candle_lags)
        _set(NEWS_LAG, {(feed,): _since(now, at) for feed, at in news.items()})
        ages: dict[tuple[str, ...], float] = {
            (m.asset, m.horizon): _since(now, m.created_at) for m in models
        }
        _set(MODEL_AGE, ages)


def _since(now: datetime, then: datetime) -> float:
    if then.tzinfo is None:  # SQLite hands back naive UTC
        then = then.replace(tzinfo=now.tzinfo)
    return max((now - then).total_seconds(), 0.0)


def _set(gauge: Gauge, values: Mapping[tuple[str, ...], float]) -> None:
    gauge.clear()
    for labels, value in values.items():
        gauge.labels(*labels).set(value)
