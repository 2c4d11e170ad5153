"""/predict p50/p99 from the cache, in process and through the emulator, and the memory of a
process holding every model.

    .venv/bin/python bench/bench_predict.py                   # SQLite, then Postgres + Redis
    .venv/bin/python bench/bench_predict.py --stack sqlite --no-emulator

In process: the sandbox's 120 days of real hourly candles of its 7 coins stored, 7 coins x 3
horizons trained by `pythia train`'s own code (workers.predict.pool.train_many, 2 processes),
the predict job run once (it loads the 21 predictors and publishes 21 forecasts). Printed: this
process's resident memory before the job and after it holds the 21 predictors. Then, per ask,
what the /predict handler does but the sending: `predict_answer` + `predict_text`, the forecast,
what serves and the record in the cache (in-process, or Redis on the Postgres stack; refilled
every CACHE_BURST asks so the 60 s life of the record never lapses mid-run). "read" is for
scale: the cache emptied before each ask, so the database is read each time.

Through the emulator (unless --no-emulator): `pythia run` on the replay market at 60x with an
empty registry, so its workers train every model at first start in a process of their own
(retrain_models) and publish; once /predict answers with a forecast, 3 warm-ups then 50 asks
each of a few coins and horizons, one at a time, message record to reply record. Printed: how
long the first models took to arrive, the latencies, and the resident memory of the `pythia
run` process (bot and workers, holding the 21 predictors).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

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
    rss_mib,
    running_stack,
    wait_ready,
)

from bot.emulator import EmulatorClient
from bot.emulator.records import User
from bot.i18n import texts_for
from bot.views.predictions import predict_text
from core.clock import FixedClock
from core.market import Candle
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.migrate import upgrade
from services.deps import build_deps, close_deps
from services.prediction_answers import predict_answer
from workers.jobs import predict
from workers.jobs.base import WorkerDeps
from workers.predict.pool import Trained, train_many
from workers.sources.replay import load_series

LAST_OPEN = datetime(2023, 12, 30, 20, 0, tzinfo=UTC)  # the bundled candles' newest
NOW = LAST_OPEN + timedelta(minutes=30)
WARM_UPS, RUNS, CACHE_BURST = 20, 2000, 200
READ_RUNS = 200
CHAT_WARM_UPS, CHAT_RUNS = 3, 50
READY_TIMEOUT = 600.0
ASKS = (("BTC", "24h"), ("ETH", "1h"), ("SOL", "4h"), ("DOGE", "24h"))


def row(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (
        f"  {label:<32} p50 {median(ms):7.3f} ms   p99 {percentile(ms, 0.99):7.3f} ms   "
        f"max {max(ms):7.3f} ms   (n={len(ms)})"
    )


async def timed(ask: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await ask()
        samples.append(time.perf_counter() - started)
    return samples


# ---- in process ----------------------------------------------------------------------------------


async def prepared(settings: Settings, stack: AsyncExitStack) -> WorkerDeps:
    """Deps on a database holding the sandbox's candles and 21 trained models."""
    base = await build_deps(settings, FixedClock(NOW))
    stack.push_async_callback(close_deps, base)
    series = load_series()
    async with base.write() as session:
        for coin, found in series.items():
            market = await candle_market(session, "binance", f"{coin}/USDT", coin, "USDT", NOW)
            candles = list(found.candles)
            if candles[-1].ts < LAST_OPEN:  # BTC's file ends an hour early: its forming candle
                last = candles[-1]
                candles.append(Candle(LAST_OPEN, *(last.close,) * 4, Decimal(1)))
            await save_candles(session, market, "1h", candles)
    started = time.perf_counter()
    outcomes = await train_many(base, list(series))
    models = sum(isinstance(o, Trained) for o in outcomes)
    print(f"  trained {models} models in {time.perf_counter() - started:.1f} s (2 processes)")
    return WorkerDeps.of(base)


async def in_process(label: str, settings: Settings) -> None:
    print(f"{label}, in process (service call + view):")
    t = texts_for("en")
    async with AsyncExitStack() as stack:
        deps = await prepared(settings, stack)
        before = rss_mib(os.getpid())
        result = await predict.run(deps)
        after = rss_mib(os.getpid())
        print(f"  predict job: {result.summary}")
        print(
            f"  RSS of this process: {before:.0f} MiB before the job, {after:.0f} MiB holding "
            f"{len(predict.LOADED.models)} predictors (+{after - before:.0f} MiB)"
        )
        for coin, horizon in ASKS:

            async def ask(coin: str = coin, horizon: str = horizon) -> None:
                predict_text(t, await predict_answer(deps, [coin, horizon]))

            await timed(ask, WARM_UPS)
            samples: list[float] = []
            while len(samples) < RUNS:
                await ask()
                samples += await timed(ask, CACHE_BURST)
            print(row(f"/predict {coin} {horizon} cached", samples))
        coin, horizon = ASKS[0]

        async def read() -> None:
            for key in (
                f"predict:forecast:{coin}:{horizon}",
                f"predict:record:{coin}:{horizon}",
                "predict:serving",
            ):
                await deps.cache.delete(key)
            predict_text(t, await predict_answer(deps, [coin, horizon]))

        print(row(f"/predict {coin} {horizon} read (no cache)", await timed(read, READ_RUNS)))


# ---- through the emulator -----------------------------------------------------------------------


async def ask(client: EmulatorClient, user: User, text: str) -> tuple[float, str]:
    sent = await client.send_message(user, text)
    (reply,) = await client.wait_for_bot_messages(user, after=sent, timeout=30)
    return reply.monotonic - sent.monotonic, reply.body


async def wait_for_forecasts(client: EmulatorClient) -> float:
    """Until /predict answers every asked coin and horizon with a forecast."""
    user, start = await client.add_user("PredictProbe"), time.monotonic()
    said = ""
    while time.monotonic() - start < READY_TIMEOUT:
        answers = [(await ask(client, user, f"/predict {c} {h}"))[1] for c, h in ASKS]
        said = answers[-1]
        if all(" chance of being higher" in a or "no edge found" in a for a in answers):
            return time.monotonic() - start
        await asyncio.sleep(5)
    raise RuntimeError(f"after {READY_TIMEOUT:.0f} s: /predict said {said[:200]!r}")


async def through_emulator(name: str, label: str) -> None:
    print(f"{label}, through the emulator (message to reply):")
    env = {"REPLAY_SPEED": "60", "LOG_LEVEL": "INFO"}
    async with running_stack(name, env=env) as stack:
        await wait_ready(stack)
        waited = await wait_for_forecasts(stack.client)
        print(f"  the first models' forecasts were there {waited:.0f} s after /price answered")
        for coin, horizon in ASKS:
            user = await stack.client.add_user(f"Bench {coin} {horizon}")
            samples = []
            for i in range(CHAT_WARM_UPS + CHAT_RUNS):
                latency, _ = await ask(stack.client, user, f"/predict {coin} {horizon}")
                if i >= CHAT_WARM_UPS:
                    samples.append(latency)
            print(row(f"/predict {coin} {horizon}", samples))
        resident = rss_mib(stack.pid)
        print(f"  RSS of `pythia run` (bot + workers, the 21 predictors): {resident:.0f} MiB")


def bench_stack(name: str, emulator: bool) -> None:
    """Migrations run outside the event loop (Alembic's env.py runs its own)."""
    if name == "sqlite":
        label = "SQLite + in-process cache"
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{Path(directory)}/bench.sqlite3"
            upgrade(url)
            settings = Settings(database_url=url, exchanges=["binance"], train_models=False)
            asyncio.run(in_process(label, settings))
    else:
        label = "Postgres + Redis"
        asyncio.run(reset_postgres(POSTGRES_URL))
        asyncio.run(flush_redis(REDIS_URL))
        try:
            upgrade(POSTGRES_URL)
            settings = Settings(
                database_url=POSTGRES_URL, redis_url=REDIS_URL, exchanges=["binance"]
            )
            asyncio.run(in_process(label, settings))
        finally:
            asyncio.run(drop_postgres(POSTGRES_URL))
            asyncio.run(flush_redis(REDIS_URL))
    if emulator:
        asyncio.run(through_emulator(name, label))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_stack_argument(parser)
    parser.add_argument("--no-emulator", dest="emulator", action="store_false")
    args = parser.parse_args()
    for name in chosen_stacks(args):
        bench_stack(name, args.emulator)


if __name__ == "__main__":
    main()
