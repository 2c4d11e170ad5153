"""Ingest news: every feed that is not backing off, fetched concurrently (at most
`NewsSources.concurrency` at once), each parsed off the event loop and stored one feed at a
time (so two feeds' takes on one story meet in order). A feed that fails in any way costs
that feed this cycle and starts its back-off; the others go on."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

from core.news.feeds import Failed, Fetched, Item, Outcome, clean_item
from services.news import FeedReport, FeedToFetch, feeds_to_fetch, record_fetch
from workers.jobs.base import JobResult, WorkerDeps
from workers.news.fetch import fetch_feed
from workers.news.parse import parse_off_loop
from workers.news.sources import NewsSources

log = logging.getLogger(__name__)


async def _read(
    deps: WorkerDeps, sources: NewsSources, feed: FeedToFetch
) -> tuple[Outcome, list[Item]]:
    """Fetch and parse one feed; its items as kept, or why there are none."""
    outcome = await fetch_feed(
        sources.session, feed.url, feed.etag, feed.last_modified, sources.limits
    )
    if not isinstance(outcome, Fetched):
        return outcome, []
    parsed = await parse_off_loop(outcome)
    if isinstance(parsed, Failed):
        return parsed, []
    now = deps.clock.now()
    items = [clean_item(feed.publisher, raw, now) for raw in parsed]
    return outcome, [item for item in items if item is not None]


async def run(deps: WorkerDeps) -> JobResult:
    sources = deps.news
    if sources is None:
        return JobResult(summary="no news sources")
    due = await feeds_to_fetch(deps, sources.feeds)
    gate = asyncio.Semaphore(sources.concurrency)
    storing = asyncio.Lock()

    async def one(feed: FeedToFetch) -> FeedReport | None:
        try:
            async with gate:
                outcome, items = await _read(deps, sources, feed)
            async with storing:
                report = await record_fetch(deps, feed, outcome, items)
        except Exception:  # a bug or the database: this feed's cycle is lost, not the others'
            log.exception("feed %s could not be ingested", feed.url)
            return None
        if report.status == "failed":
            log.info(
                "feed %s failed (%s); next try at %s", feed.url, report.reason, report.retry_at
            )
        return report

    reports = await asyncio.gather(*(one(feed) for feed in due))
    done = [report for report in reports if report is not None]
    statuses = Counter(report.status for report in done)
    reasons = Counter(report.reason for report in done if report.reason)
    new = sum(report.new for report in done)
    retold = sum(report.retold for report in done)
    summary = (
        f"{len(due)}/{len(sources.feeds)} feeds: {new} new stories, {retold} retold; "
        f"{statuses['new']} fetched, {statuses['unchanged']} unchanged, "
        f"{statuses['failed']} failed"
        + (f" ({', '.join(f'{r} {n}' for r, n in sorted(reasons.items()))})" if reasons else "")
        + (f", {len(reports) - len(done)} errors" if len(done) < len(reports) else "")
    )
    return JobResult(ok=len(done) == len(reports), summary=summary[:500])
