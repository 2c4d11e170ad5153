"""/backtest: the service call + caption p50/p99, the picture, and how long the event loop is
held meanwhile.

    .venv/bin/python bench/bench_backtest.py                   # SQLite, then Postgres + Redis
    .venv/bin/python bench/bench_backtest.py --stack sqlite

Postgres: its own database `pythia_bench_backtest` (created and dropped) and Redis db 12.

The sandbox's 120 days of real BTC hourly candles are stored at their own times, and BTC's 1h
and 24h models trained on them by the workers' training (workers.predict.train, in this
process: a second each) are recorded in the registry. Then, per ask, what the handler does but
the sending: `services.backtest.backtest` (one read transaction: model, file, candles; the
bundle decoded and the strategy run on a worker thread) and the caption. "loop held" is the
longest the event loop went without running a 1 ms ticker meanwhile: what an alert or another
command would wait behind a backtest. The picture is drawn once per window (then Telegram's
file_id is reused). Last, a bundle of two years of hourly out-of-fold rows (decode + run),
for scale.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

from harness import (
    POSTGRES_URL,
    REDIS_URL,
    add_stack_argument,
    chosen_stacks,
    drop_postgres,
    flush_redis,
    median,
    percentile,
    reset_postgres,
)

from bot.charts.backtest import render_backtest
from bot.i18n import texts_for
from bot.views.backtest import backtest_caption, backtest_labels, backtest_title
from core.clock import FixedClock
from core.predict.backtest import run, window
from core.predict.bundle import Bundle, decode, encode
from core.predict.features import Inputs
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.migrate import upgrade
from services.backtest import backtest
from services.deps import Deps, build_deps, close_deps
from services.model_registry import Training, record_training
from workers.predict.train import train
from workers.sources.replay import load_series

WARM_UPS, RUNS = 3, 60
DATABASE = POSTGRES_URL.rsplit("/", 1)[0] + "/pythia_bench_backtest"  # its own, dropped after
REDIS = REDIS_URL.rsplit("/", 1)[0] + "/12"
ASKS = (["BTC"], ["BTC", "1h"], ["BTC", "24h", "7d", "0.6"])
HOUR = timedelta(hours=1)


def row(label: str, ms: list[float]) -> str:
    return (
        f"  {label:<28} p50 {median(ms):7.1f} ms   p99 {percentile(ms, 0.99):7.1f} ms   "
        f"max {max(ms):7.1f} ms   (n={len(ms)})"
    )


async def prepared(settings: Settings, stack: AsyncExitStack) -> Deps:
    candles = load_series()["BTC"].candles
    end = candles[-1].ts + HOUR
    deps = await build_deps(settings, FixedClock(end))
    stack.push_async_callback(close_deps, deps)
    async with deps.write() as session:
        market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", end)
        await save_candles(session, market, "1h", candles)
    for horizon in ("1h", "24h"):
        found = train(Inputs(candles, None, None), "BTC", horizon)
        assert isinstance(found, Training), found
        await record_training(deps, found)
        print(f"  BTC {horizon}: {len(found.artifact):,} bytes, {found.metrics['decision']}")
    return deps


async def loop_held(work: asyncio.Future[Any]) -> float:
    """The longest gap (ms) between runs of a 1 ms ticker while `work` runs."""
    worst, last = 0.0, time.perf_counter()
    while not work.done():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        worst, last = max(worst, now - last - 0.001), now
    return worst * 1000


async def in_process(label: str, settings: Settings) -> None:
    print(f"{label}:")
    t = texts_for("en")
    async with AsyncExitStack() as stack:
        deps = await prepared(settings, stack)
        for typed in ASKS:
            for _ in range(WARM_UPS):
                await backtest(deps, typed)
            took, held = [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                work = asyncio.ensure_future(backtest(deps, typed))
                held.append(await loop_held(work))
                found = work.result()
                backtest_caption(t, found)
                took.append((time.perf_counter() - started) * 1000)
            b = found.backtest
            print(row(f"/backtest {' '.join(typed)}", took) + f"   {len(b.times):,} closes")
            print(row("  loop held", held))
            started = time.perf_counter()
            render_backtest(
                b.times, b.strategy, b.hold, b.in_market,
                title=backtest_title(t, found), labels=backtest_labels(t, found), t=t,
            )  # fmt: skip
            print(f"  {'  picture':<28} {(time.perf_counter() - started) * 1000:7.1f} ms")


def two_years() -> None:
    model = decode(train(Inputs(load_series()["BTC"].candles, None, None), "BTC", "24h").artifact)  # type: ignore[union-attr]
    start = model.oof[0][0]
    rows = 2 * 365 * 24
    oof = [(start + i * HOUR, random.random()) for i in range(rows)]
    data = encode(Bundle(model.features, model.classifier, model.quantiles, model.calibration,
                         0.5, oof, model.params))  # fmt: skip
    closes = [(start + i * HOUR, 100.0 + (i % 50)) for i in range(rows + 24)]
    samples = []
    for _ in range(10):
        started = time.perf_counter()
        found = decode(data).oof
        cut = window([t for t, _ in found], closes[-1][0], "24h", None)
        assert cut is not None
        run([c for c in closes if cut.start <= c[0] <= cut.end], dict(found), "24h")
        samples.append((time.perf_counter() - started) * 1000)
    print(f"two years of hourly out-of-fold rows ({len(data):,} bytes): decode + run")
    print(row("  off the loop", samples))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_stack_argument(parser)
    args = parser.parse_args()
    for name in chosen_stacks(args):
        if name == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
                await asyncio.to_thread(upgrade, url)
                await in_process("SQLite + in-process cache", Settings(database_url=url))
        else:
            await reset_postgres(DATABASE)
            await flush_redis(REDIS)
            try:
                await asyncio.to_thread(upgrade, DATABASE)
                settings = Settings(database_url=DATABASE, redis_url=REDIS)
                await in_process("Postgres + Redis", settings)
            finally:
                await drop_postgres(DATABASE)
                await flush_redis(REDIS)
    two_years()


if __name__ == "__main__":
    asyncio.run(main())
