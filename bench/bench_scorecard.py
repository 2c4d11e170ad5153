"""What the live record costs after a year of predictions: 7 coins x 3 horizons x 8,760 hours
(183,960 resolved rows), on SQLite and Postgres.

    .venv/bin/python bench/bench_scorecard.py [--stack sqlite|postgres|both] [--days N] [--rounds N]

Timed, each uncached (the bot caches them RECORD_TTL seconds): the /accuracy scorecard of every
coin (services.prediction_answers.scorecard), of one coin, and /predict's record line of one coin
and horizon (services.prediction_answers._record_of, its cache emptied first). Beside each, the
longest the event loop went without running a 1 ms ticker meanwhile: what everyone else waiting
on that process (the bot) feels. Postgres uses its own database `pythia_bench_scorecard` on
the server of PYTHIA_BENCH_POSTGRES_URL, created and dropped here.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from harness import (  # puts ROOT on sys.path
    POSTGRES_URL,
    add_stack_argument,
    chosen_stacks,
    drop_postgres,
    reset_postgres,
)
from sqlalchemy import insert

from core.clock import FixedClock
from core.predict import HORIZONS
from core.settings import Settings
from db.migrate import upgrade
from db.models import Prediction
from services import prediction_answers
from services.deps import Deps, build_deps, close_deps

POSTGRES = POSTGRES_URL.rsplit("/", 1)[0] + "/pythia_bench_scorecard"
COINS = ["BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE"]
NOW = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
H = timedelta(hours=1)


async def seed(deps: Deps, days: int) -> int:
    """`days` of hourly predictions of every coin and horizon, resolved, a tenth no edge."""
    rng = random.Random(5)
    rows: list[dict[str, Any]] = []
    for hour in range(days * 24, 0, -1):
        made = NOW - hour * H
        for coin in COINS:
            for horizon, hours in HORIZONS.items():
                p = min(0.9, max(0.1, rng.gauss(0.52, 0.06)))
                up = rng.random() < p
                no_edge = rng.random() < 0.1
                rows.append(
                    {
                        "model_id": None, "asset_id": deps.directory.ids[coin],
                        "horizon": horizon, "made_at": made, "target_at": made + hours * H,
                        "reference_price": Decimal(100), "prob_up": 0.52 if no_edge else p,
                        "served": "base_rate" if no_edge else "model", "drivers": [],
                        "resolved_at": made + hours * H, "went_up": up,
                        "outcome_price": Decimal(101 if up else 99),
                        "outcome_return": 0.01 if up else -0.01,
                        "correct": (p >= 0.5) == up,
                    }
                )  # fmt: skip
    async with deps.sessions.begin() as session:
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Prediction), rows[start : start + 5000])
    return len(rows)


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """Seconds `call` took, and the longest the loop went without running a 1 ms ticker."""
    longest = 0.0
    running = True

    async def tick() -> None:
        nonlocal longest
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.005)
    started = time.perf_counter()
    await call()
    took = time.perf_counter() - started
    running = False
    await ticker
    return took, longest


def line(label: str, runs: list[tuple[float, float]]) -> str:
    took = statistics.median(t for t, _ in runs) * 1000
    stall = max(s for _, s in runs) * 1000
    return f"  {label:<38} median {took:8.1f} ms   longest loop stall {stall:7.1f} ms"


async def measure(label: str, url: str, days: int, rounds: int) -> None:
    await asyncio.to_thread(upgrade, url)
    deps = await build_deps(Settings(database_url=url, symbols=COINS), FixedClock(NOW))
    try:
        count = await seed(deps, days)

        async def record_line() -> Any:
            await deps.cache.delete(prediction_answers.record_key("BTC", "1h"))
            return await prediction_answers._record_of(deps, "BTC", "1h")

        calls: dict[str, Callable[[], Awaitable[Any]]] = {
            "/accuracy, every coin": lambda: prediction_answers.scorecard(deps, None),
            "/accuracy BTC": lambda: prediction_answers.scorecard(deps, "BTC"),
            "/predict BTC 1h's record line": record_line,
        }
        print(f"{label}: {count:,} resolved predictions ({days} days)")
        for name, call in calls.items():
            card = await call()
            runs = [await timed(call) for _ in range(rounds)]
            print(line(name, runs))
        assert card is not None
    finally:
        await close_deps(deps)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_stack_argument(parser)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for stack in chosen_stacks(args):
        if stack == "sqlite":
            with tempfile.TemporaryDirectory() as directory:
                url = f"sqlite+aiosqlite:///{directory}/scorecard.sqlite3"
                await measure("SQLite", url, args.days, args.rounds)
            continue
        await reset_postgres(POSTGRES)
        try:
            await measure("Postgres", POSTGRES, args.days, args.rounds)
        finally:
            await drop_postgres(POSTGRES)


if __name__ == "__main__":
    asyncio.run(main())
