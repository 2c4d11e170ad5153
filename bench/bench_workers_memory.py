"""Resident memory of a workers process ingesting 3 exchanges × 10 symbols.

    .venv/bin/python bench/bench_workers_memory.py              # 60 s of ingestion
    .venv/bin/python bench/bench_workers_memory.py --seconds 20

Two processes. This one runs three fake exchanges (tests/fakes/exchanges: binance, kraken and
coinbase's public APIs on loopback HTTP, prices from the bundled replay data) and samples the
child's VmRSS from /proc once a second. The child is a workers process as `pythia workers`
builds it: a migrated SQLite database, `build_deps`, the production sources (`build_sources`:
CcxtSource per exchange behind its GuardedSource), the `at_start` jobs, and the scheduler with
`default_jobs(settings)` (tickers every 2 s; candles, markets, housekeeping on their own
schedules). The one change: before the sources start, each one's ccxt exchange is re-pointed at
its fake and given the fake's generated markets. That has to happen between `build_sources`
and `source.start()`, inside `WorkerRuntime.start()`, so the child does what `start()` and
`stop()` do step by step (keep it in step with workers/runtime.py).

The child imports nothing of the fakes' server side, so its memory is the workers' own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ASSETS = ["BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE", "LTC", "DOT", "LINK"]
EXCHANGES = ["binance", "kraken", "coinbase"]
TICKER_INTERVAL = 2.0
READY_TIMEOUT = 120.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the child: a workers process ----------------------------------------------------------


def child(spec_path: str) -> None:
    import logging

    from core.settings import Settings
    from db.migrate import upgrade

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    logging.basicConfig(level=logging.WARNING, format="child %(levelname)s %(name)s: %(message)s")
    settings = Settings(
        database_url=spec["database_url"],
        data_dir=Path(spec["data_dir"]),
        redis_url=None,
        market_source="ccxt",
        symbols=spec["symbols"],
        exchanges=list(spec["fakes"]),
        ticker_interval=spec["ticker_interval"],
        log_level="WARNING",
    )
    upgrade(settings.resolved_database_url)  # synchronous: alembic runs its own loop
    asyncio.run(_child_run(settings, spec["fakes"]))


async def _child_run(settings: Any, fakes: dict[str, dict[str, Any]]) -> None:
    from services import tasks
    from services.deps import build_deps, close_deps
    from tests.fakes.exchanges.client import point_at
    from workers.jobs.base import WorkerDeps
    from workers.runtime import UNWIND, build_sources, default_jobs
    from workers.scheduler import build_scheduler, run_job
    from workers.sources.ccxt_source import CcxtSource

    # --- as WorkerRuntime.start() ---
    base = await build_deps(settings)
    deps = WorkerDeps.of(base, worker_id=f"{socket.gethostname()}:{os.getpid()}")
    deps.sources = build_sources(settings, deps.clock)
    for source in deps.sources:  # the bench's one change: point each exchange at its fake
        inner = getattr(source, "source", source)  # GuardedSource(CcxtSource)
        if not isinstance(inner, CcxtSource):
            raise TypeError(f"expected a CcxtSource, got {type(inner).__name__}")
        fake = fakes[inner.name]
        point_at(inner.exchange, fake["base_url"], fake["markets"])
    for source in deps.sources:
        await source.start()
    jobs = default_jobs(settings)
    for spec in jobs:
        if getattr(spec, "at_start", False):
            await run_job(spec, deps)
    scheduler = build_scheduler(deps, jobs)
    scheduler.start()
    print("ready", flush=True)

    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # until "stop"

    # --- as WorkerRuntime.stop() ---
    scheduler.pause()
    if deps.running:
        deps.stopping = True  # a job cut short ends quietly
        _, late = await asyncio.wait(set(deps.running), timeout=10)
        await tasks.end_all(late, patience=UNWIND)
    scheduler.shutdown(wait=False)
    for source in deps.sources:
        await source.close()
    await close_deps(deps)
    print("stopped", flush=True)


# --- the parent: fakes, sampling, figures ---------------------------------------------------


async def parent(seconds: float) -> None:
    from tests.fakes.exchanges import FakeExchange

    with tempfile.TemporaryDirectory(prefix="pythia-bench-") as tmp:
        database = Path(tmp) / "workers.sqlite3"
        async with contextlib.AsyncExitStack() as stack:
            fakes = [await stack.enter_async_context(FakeExchange(e, ASSETS)) for e in EXCHANGES]
            spec = {
                "database_url": f"sqlite+aiosqlite:///{database}",
                "data_dir": tmp,
                "symbols": ASSETS,
                "ticker_interval": TICKER_INTERVAL,
                "fakes": {f.id: {"base_url": f.base_url, "markets": f.markets} for f in fakes},
            }
            spec_path = Path(tmp) / "spec.json"
            spec_path.write_text(json.dumps(spec), encoding="utf-8")

            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--child",
                str(spec_path),
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            assert proc.stdin is not None and proc.stdout is not None
            try:
                line = await asyncio.wait_for(proc.stdout.readline(), READY_TIMEOUT)
                if line.strip() != b"ready":
                    raise RuntimeError(f"the workers process did not start: {line!r}")
                samples = await _sample(proc.pid, seconds)
                proc.stdin.write(b"stop\n")
                await proc.stdin.drain()
                await asyncio.wait_for(proc.stdout.readline(), 30)
                await asyncio.wait_for(proc.wait(), 30)
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
            requests = {f.id: len(f.requests) for f in fakes}
            unhandled = sum(len(f.unhandled) for f in fakes)
        _report(samples, seconds, _job_runs(database), requests, unhandled)


async def _sample(pid: int, seconds: float) -> list[float]:
    """VmRSS once a second for `seconds`, the first taken right away."""
    samples = []
    start = time.monotonic()
    for tick in range(int(seconds) + 1):
        samples.append(rss_mib(pid))
        delay = start + tick + 1 - time.monotonic()
        if tick < int(seconds) and delay > 0:
            await asyncio.sleep(delay)
    return samples


def _job_runs(database: Path) -> list[tuple[str, bool, str]]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT job, ok, summary FROM job_runs ORDER BY id").fetchall()
    return [(job, bool(ok), summary or "") for job, ok, summary in rows]


def _report(
    samples: list[float],
    seconds: float,
    runs: list[tuple[str, bool, str]],
    requests: dict[str, int],
    unhandled: int,
) -> None:
    late = samples[len(samples) // 2 :]
    print(
        f"workers process: {len(EXCHANGES)} exchanges × {len(ASSETS)} symbols, tickers every "
        f"{TICKER_INTERVAL:g} s, {len(samples)} RSS samples over {seconds:g} s"
    )
    print(f"  RSS start  {samples[0]:6.1f} MiB  (sources started, scheduler just started)")
    print(f"  RSS steady {statistics.median(late):6.1f} MiB  (median of the last half)")
    print(f"  RSS peak   {max(samples):6.1f} MiB")
    every = " ".join(f"{mib:.0f}" for mib in samples[::10])
    print(f"  RSS every 10 s (MiB): {every}")
    ingest = [(ok, summary) for job, ok, summary in runs if job == "ingest_prices"]
    failed = [summary for ok, summary in ingest if not ok]
    print(f"  ticker rounds: {len(ingest)} ({len(failed)} failed)")
    for summary, count in Counter(summary for _, summary in ingest).most_common():
        print(f"    {count:4d} × {summary}")
    for job in dict.fromkeys(job for job, _, _ in runs if job != "ingest_prices"):
        mine = [(ok, summary) for name, ok, summary in runs if name == job]
        bad = sum(not ok for ok, _ in mine)
        print(f"  {job}: {len(mine)} run(s) ({bad} failed); last: {mine[-1][1][:150]}")
    print("  any job failed:", "yes" if any(not ok for _, ok, _ in runs) else "no")
    served = ", ".join(f"{name} {count}" for name, count in requests.items())
    print(f"  requests served: {served}; unanswered paths: {unhandled}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="ingestion time sampled")
    parser.add_argument("--child", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
    else:
        asyncio.run(parent(args.seconds))


if __name__ == "__main__":
    main()
