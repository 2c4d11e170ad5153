"""What reading the news costs a fired alert: `services.firing.fire` of one alert and of a batch
of 199 (over 10 coins), each notice with its coin's latest stories read in the same transaction,
beside the one stories query alone, over a day of 3,000 stored stories.

    .venv/bin/python bench/bench_alert_news.py [--stack sqlite|postgres|both] [--rounds N]

Recurring price alerts (every 5 minutes) fire round after round, the clock moved on 5 minutes a
round, so each round writes its outbox rows and marks. Postgres uses its own database
`pythia_bench_alert_news`, created and dropped here.
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
from core.alerts.news import LATEST  # noqa: E402
from core.alerts.storage import columns_of  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from core.people import ChatSeen, PersonSeen  # noqa: E402
from core.settings import Settings  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.news import NewsArticle, NewsAssetTag  # noqa: E402
from db.repos import alert_news  # noqa: E402
from db.repos import alerts as alert_rows  # noqa: E402
from db.repos.people import register  # noqa: E402
from services.deps import Deps, build_deps, close_deps  # noqa: E402
from services.firing import Candidate, fire  # noqa: E402

SERVER = os.environ.get("PYTHIA_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "pythia_bench_alert_news"
COINS = ["BTC", "ETH", "SOL", "DOGE", "XRP", "ADA", "AVAX", "LINK", "DOT", "LTC"]
T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
STORIES, PEOPLE = 3000, 200
STEP = timedelta(minutes=5)


async def seed(deps: Deps) -> list[tuple[int, str]]:
    """A day of stories tagged with one or two coins, and one recurring alert per person."""
    rng = random.Random(7)
    ids = deps.directory.ids
    async with deps.sessions.begin() as session:
        for i in range(STORIES):
            at = T0 - timedelta(seconds=rng.uniform(0, 86400))
            story = NewsArticle(
                source="Publisher", url=f"https://news.test/{i}", title=f"Story {i} about coins",
                title_key=f"story {i}", summary="", published_at=at, fetched_at=at,
                publishers=rng.choice((1, 1, 1, 2, 3, 5)), model_score=rng.uniform(-1, 1),
            )  # fmt: skip
            session.add(story)
            await session.flush()
            for coin in rng.sample(COINS, rng.choice((1, 1, 2))):
                session.add(NewsAssetTag(article_id=story.id, asset_id=ids[coin]))
        alerts = []
        for person in range(1, PEOPLE + 1):
            coin = COINS[person % len(COINS)]
            await register(session, PersonSeen(person, "P"), ChatSeen(person, "private"), T0)
            columns = columns_of(parse_alert(f"{coin} > 1000000 every 5m", T0))
            alert_id = await alert_rows.add(session, person, person, ids[coin], columns, T0)
            alerts.append((alert_id, coin))
    return alerts


def ms(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"p50 {statistics.median(values) * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms"


async def measure(label: str, url: str, rounds: int) -> None:
    await asyncio.to_thread(upgrade, url)
    settings = Settings(database_url=url, symbols=COINS, alerts_max_active=10)
    deps = await build_deps(settings, FixedClock(T0))
    clock = deps.clock
    assert isinstance(clock, FixedClock)
    try:
        alerts = await seed(deps)
        one, batch, query, single = [], [], [], []
        for r in range(rounds):
            clock.advance(STEP)
            now = clock.now()

            def candidates(chosen: list[tuple[int, str]], now: datetime = now) -> list[Candidate]:
                return [
                    Candidate(alert_id, coin, now.isoformat(), now, Decimal(1000001))
                    for alert_id, coin in chosen
                ]

            started = time.perf_counter()
            fired = await fire(deps, candidates(alerts[:1]))
            one.append(time.perf_counter() - started)
            started = time.perf_counter()
            fired += await fire(deps, candidates(alerts[1:]))
            batch.append(time.perf_counter() - started)
            assert len(fired) == PEOPLE, (r, len(fired))
            async with deps.read() as session:
                started = time.perf_counter()
                found = await alert_news.tagged_stories(
                    session, [deps.directory.ids[c] for c in COINS], now - LATEST, now
                )
                query.append(time.perf_counter() - started)
                started = time.perf_counter()
                await alert_news.tagged_stories(
                    session, [deps.directory.ids[alerts[0][1]]], now - LATEST, now
                )
                single.append(time.perf_counter() - started)
        print(f"{label}: {STORIES:,} stories over a day, {len(found):,} in the last 6 h")
        print(f"  fire 1 alert (with its stories)         {ms(one)}")
        print(f"  fire {PEOPLE - 1} alerts in one batch            {ms(batch)}")
        print(f"  the stories query of one coin            {ms(single)}")
        print(f"  the one stories query of a 10-coin batch {ms(query)}")
        for what, part, whole in (("one alert", single, one), ("the batch", query, batch)):
            share = statistics.median(part) / statistics.median(whole) * 100
            print(f"  the query's share of firing {what}: {share:.0f}% (p50s)")
    finally:
        await close_deps(deps)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stack", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    if args.stack in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{directory}/alert_news.sqlite3"
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
