"""One news ingestion cycle over 100 feeds served locally.

    .venv/bin/python bench/bench_news.py                  # SQLite, then Postgres
    .venv/bin/python bench/bench_news.py --stack sqlite

The feeds are real: the four bundled RSS snapshots served byte for byte, and 96 feeds of 30
real headlines each (data/news/headlines.csv), each feed a publisher of its own and drawn at
random from the 415 headlines, so most stories are carried by several of them (at its own
address each time) and the dedupe does real work. All are served by the sandbox's feed server
(workers/news/sandbox.py) on 127.0.0.1, and read by the real job (workers/jobs/ingest_news.py):
fetched 8 at a time, parsed on threads, stored one feed at a time with dedupe and tagging.

Printed per stack: the first cycle (every item new: stories, retold items, seconds, items/s)
and a second one (every feed answers 304), and the process's resident memory before and its
peak during the cycles (the peak is reset first through /proc/self/clear_refs). Postgres uses
its own database `pythia_bench_news`, created and dropped here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from core.clock import FixedClock
from core.settings import Settings
from db.migrate import upgrade
from services.deps import build_deps, close_deps
from workers.jobs import ingest_news
from workers.jobs.base import WorkerDeps
from workers.news.sandbox import (
    DATA_DIR,
    HISTORY,
    SNAPSHOTS,
    FeedServer,
    load_headlines,
)
from workers.news.sources import NewsSources

FEEDS = 100
PER_FEED = 30
SERVER = os.environ.get("PYTHIA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "pythia_bench_news"
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def rss_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak since it was last reset) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Start VmHWM afresh (else the peak counts from the start of the process)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def feed_server(clock: FixedClock) -> FeedServer:
    """4 snapshots and 96 publishers of 30 real headlines each, every item already out."""
    server = FeedServer(clock)
    for file, publisher in SNAPSHOTS.items():
        server.add_snapshot(file.split("_")[0], publisher, DATA_DIR / "rss" / file)
    headlines = load_headlines()
    origin = max(h.published_at for h in headlines) - HISTORY  # all of them out at the start
    rng = random.Random(7)
    for n in range(FEEDS - len(SNAPSHOTS)):
        host = f"publisher{n:03d}.example"
        items = [
            replace(h, url=f"https://{host}{urlsplit(h.url).path}")
            for h in rng.sample(headlines, PER_FEED)
        ]
        server.add_headlines(f"p{n:03d}", f"Publisher {n:03d}", items, origin)
    return server


async def cycle(deps: WorkerDeps) -> tuple[float, str]:
    started = time.perf_counter()
    result = await ingest_news.run(deps)
    if not result.ok:
        raise SystemExit(f"the cycle failed: {result.summary}")
    return time.perf_counter() - started, result.summary


async def bench(database_url: str, label: str) -> None:
    clock = FixedClock(NOW)
    server = feed_server(clock)
    await server.start()
    base = await build_deps(Settings(database_url=database_url), clock)
    deps = WorkerDeps.of(base, news=NewsSources(server.feeds(), server))
    try:
        before = rss_mib("VmRSS")
        reset_peak()
        first, summary = await cycle(deps)
        items = (FEEDS - len(SNAPSHOTS)) * PER_FEED + 10
        print(f"{label}: first cycle, {FEEDS} feeds, {items:,} items: {first:.2f} s "
              f"({items / first:,.0f} items/s) — {summary}")  # fmt: skip
        second, summary = await cycle(deps)
        print(f"{label}: second cycle (nothing new): {second:.2f} s — {summary}")
        print(f"{label}: resident memory {before:.0f} MiB before, peak {rss_mib('VmHWM'):.0f} MiB"
              f" during the cycles (+{rss_mib('VmHWM') - before:.0f} MiB)")  # fmt: skip
        print(f"{label}: the server answered {server.requests} requests")
    finally:
        assert deps.news is not None
        await deps.news.close()
        await close_deps(base)


async def postgres(run: bool) -> str | None:
    import asyncpg

    admin = await asyncpg.connect(f"{SERVER}/postgres", timeout=3)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if run:
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()
    return f"{SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{DATABASE}" if run else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    if args.stack in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{directory}/bench.sqlite3"
            upgrade(url)
            asyncio.run(bench(url, "SQLite"))
    if args.stack in ("postgres", "both"):
        created = asyncio.run(postgres(True))
        assert created is not None
        try:
            upgrade(created)
            asyncio.run(bench(created, "Postgres"))
        finally:
            asyncio.run(postgres(False))


if __name__ == "__main__":
    main()
