"""What the alerts_predictions job costs: 1,000 forecast alerts over 7 coins x 3 horizons and 30
days of stored hourly predictions (15,120 rows, a tenth of them base-rate answers), on SQLite and
Postgres.

    .venv/bin/python bench/bench_alert_predictions.py [--stack sqlite|postgres|both] [--rounds N]

Each round is an hour: the clock moves on, the hour's 21 predictions are stored, the job runs
(reads the predictions of two days and two hours, finds the crossings, fires them into the
outbox), then runs again with nothing new stored (one count). Also the preview a person waits for
when setting one (30 days of one coin and horizon read and replayed). Postgres uses its own
database `pythia_bench_alert_predictions`, created and dropped here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from core.alerts.grammar import parse_alert  # noqa: E402
from core.alerts.storage import columns_of  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from core.people import ChatSeen, PersonSeen  # noqa: E402
from core.predict import HORIZONS  # noqa: E402
from core.settings import Settings  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Prediction  # noqa: E402
from db.repos import alerts as alert_rows  # noqa: E402
from db.repos.people import register  # noqa: E402
from services import prediction_alerts  # noqa: E402
from services.deps import Deps, build_deps, close_deps  # noqa: E402
from workers.alerting.matcher import AlertMatcher  # noqa: E402

SERVER = os.environ.get("PYTHIA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "pythia_bench_alert_predictions"
COINS = ["BTC", "ETH", "SOL", "DOGE", "XRP", "ADA", "LINK"]
T0 = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
DAYS, ALERTS = 30, 1000
H = timedelta(hours=1)


class Walk:
    """Each coin x horizon's P(up), a bounded random walk; a tenth of the hours no edge."""

    def __init__(self) -> None:
        self.rng = random.Random(7)
        self.p = {(c, h): 0.5 for c in COINS for h in HORIZONS}

    def rows(self, deps: Deps, made_at: datetime) -> list[Prediction]:
        rows = []
        for (coin, horizon), p in self.p.items():
            p = min(0.85, max(0.15, p + self.rng.gauss(0, 0.04)))
            self.p[(coin, horizon)] = p
            no_edge = self.rng.random() < 0.1
            rows.append(
                Prediction(
                    model_id=None, asset_id=deps.directory.ids[coin], horizon=horizon,
                    made_at=made_at, target_at=made_at + HORIZONS[horizon] * H,
                    reference_price=Decimal(100), prob_up=0.52 if no_edge else p,
                    served="base_rate" if no_edge else "model", drivers=[],
                )
            )  # fmt: skip
        return rows


async def seed(deps: Deps, walk: Walk) -> None:
    rng = random.Random(11)
    async with deps.sessions.begin() as session:
        for hour in range(DAYS * 24, 0, -1):
            session.add_all(walk.rows(deps, T0 - hour * H))
        for person in range(1, ALERTS + 1):
            coin, horizon = rng.choice(COINS), rng.choice(list(HORIZONS))
            side, op = rng.choice(("up", "down")), rng.choice((">", "<"))
            level = rng.randint(35, 70)
            typed = f"{coin} predict {side} {op} {level}% {horizon} every 5m"
            await register(session, PersonSeen(person, "P"), ChatSeen(person, "private"), T0)
            columns = columns_of(parse_alert(typed, T0))
            await alert_rows.add(session, person, person, deps.directory.ids[coin], columns, T0)


def ms(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"p50 {statistics.median(values) * 1000:7.2f} ms  p99 {p99 * 1000:7.2f} ms"


async def measure(label: str, url: str, rounds: int) -> None:
    await asyncio.to_thread(upgrade, url)
    settings = Settings(database_url=url, symbols=COINS, alerts_max_active=10)
    deps = await build_deps(settings, FixedClock(T0))
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    walk = Walk()
    try:
        await seed(deps, walk)
        matcher = AlertMatcher()
        await matcher.start(deps)
        await matcher.on_predictions(deps)
        busy, quiet, fired, preview = [], [], [], []
        spec = parse_alert("BTC predict up > 60% 24h", T0)
        for _ in range(rounds):
            clock.advance(H)
            async with deps.sessions.begin() as session:
                session.add_all(walk.rows(deps, clock.now()))
            clock.advance(timedelta(minutes=2))
            started = time.perf_counter()
            result = await matcher.on_predictions(deps)
            busy.append(time.perf_counter() - started)
            fired.append(int(result.summary.split(", ")[1].split()[0]))
            started = time.perf_counter()
            again = await matcher.on_predictions(deps)
            quiet.append(time.perf_counter() - started)
            assert again.summary.endswith(" 0 fired"), again.summary
            async with deps.read() as session:
                started = time.perf_counter()
                await prediction_alerts.preview(session, deps.directory.ids["BTC"], spec, T0)
                preview.append(time.perf_counter() - started)
        print(f"{label}: {ALERTS:,} forecast alerts, {DAYS * 24 * len(walk.p):,} predictions")
        each = f"{statistics.mean(fired):.0f} fired a run"
        print(f"  a run after an hour's 21 predictions   {ms(busy)}  ({each})")
        print(f"  a run with nothing stored since        {ms(quiet)}")
        print(f"  the preview of one alert (30 days)     {ms(preview)}")
    finally:
        await close_deps(deps)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if args.stack in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{directory}/alert_predictions.sqlite3"
            await measure("SQLite", url, args.rounds)
    if args.stack in ("postgres", "both"):
        admin = await asyncpg.connect(SERVER + "/postgres")
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{DATABASE}"')
            url = SERVER.replace("postgresql://", "postgresql+asyncpg://") + "/" + DATABASE
            await measure("Postgres", url, args.rounds)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
