"""Pythia's Prometheus endpoint: `GET /metrics` on METRICS_PORT (the bot; under `pythia run`
both processes' metrics) or WORKER_METRICS_PORT (the workers); off when 0.

The endpoint is an aiohttp server inside the process's own event loop: a scrape first samples
the database's figures (services.metrics.Sampler: one read transaction, at most every few
seconds), then renders services.metrics.REGISTRY. Nothing is served, and nothing sampled, when
the port is 0.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.deps import Deps
from services.metrics import REGISTRY, Sampler

if TYPE_CHECKING:
    from workers.jobs.base import WorkerDeps

log = logging.getLogger(__name__)


@asynccontextmanager
async def metrics_endpoint(
    port: int, samplers: Sequence[Sampler] = (), host: str = "0.0.0.0"
) -> AsyncIterator[int | None]:
    """Serve /metrics on `port` while inside (yields the port bound; None and nothing served
    when `port` is 0 — a test passes a free port it chose)."""
    if not port:
        yield None
        return

    async def scrape(_: web.Request) -> web.Response:
        for sampler in samplers:
            try:
                await sampler.sample()
            except Exception:  # the database is away: serve the counters, the gauges as they were
                log.warning("metrics: sampling the database failed", exc_info=True)
        return web.Response(
            body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app = web.Application()
    app.router.add_get("/metrics", scrape)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("metrics at http://%s:%s/metrics", host, port)
    try:
        yield port
    finally:
        await runner.cleanup()


def sampler(deps: Deps, *, bot: bool = False, workers: WorkerDeps | None = None) -> Sampler:
    """What a process's scrape reads from the database: the bot the outbox backlog, the workers
    how fresh their sources' data is (the feeds they fetch) and the models' ages."""
    feeds = [feed.url for feed in workers.news.feeds] if workers and workers.news else []
    return Sampler(deps, outbox=bot, ingestion=workers is not None, feeds=feeds)
