"""/portfolio end to end through the emulator, for a person with 10,000 trades over 50 assets.

    .venv/bin/python bench/bench_portfolio.py   # SQLite + in-process cache, then Postgres + Redis
    .venv/bin/python bench/bench_portfolio.py --stack sqlite

Three processes, as in production: the emulator, `pythia run` on the replay market, and this
load generator (see harness.py). Before the asks, the trades are written straight into the
stack's database with db.repos.trades.add, as /buy stores them: bench_portfolio_core's active
trader (2020–2022; 60% buys, 40% sells of part, now and then all, of a holding — the ledger
stays valid; quantities with 8 places, a fee on most trades), its prices scaled to each of our
assets' price level.

Of the 50 assets, the 7 the replay market trades (BTC, ETH, SOL, BNB, XRP, ADA, DOGE) are priced
live by the workers (the cache); the other 43 (BENCH00…BENCH42) are listed on an exchange
"bench" with a stored latest price and no ticker, so their price comes from the database on
every ask (the cache-miss path, a query more than a live price costs).

One request at a time; latency is measured inside the emulator, from the moment the person's
message exists to the moment the bot's message arrives:
- *first ask*: nothing cached yet — 10,000 trades read and replayed, the picture drawn.
- *steady*: ASKS asks in a row, nothing changed in between but the live prices — the text, and
  end to end (text, then the allocation picture, re-sent by Telegram file_id while it would
  look the same). Target: end to end p99 < 100 ms.
- *after a small trade*: a trade is added before each ask, so the ledger is no longer the one
  the bot holds: the added trade is read and all 10,000+ replayed; the picture looks the same.
- *after a trade that moves the allocation*: as above, and the picture is drawn again.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench_portfolio_core as portfolio_core  # noqa: E402
from harness import (  # noqa: E402
    POSTGRES_URL,
    STACKS,
    Stack,
    add_stack_argument,
    chosen_stacks,
    median,
    percentile,
    running_stack,
    wait_ready,
)
from sqlalchemy import select  # noqa: E402

from bot.emulator.records import User  # noqa: E402
from core.market import PriceQuote  # noqa: E402
from core.people import ChatSeen, PersonSeen  # noqa: E402
from db.engine import create_engine, create_sessionmaker  # noqa: E402
from db.models import Asset  # noqa: E402
from db.repos import trades as trade_rows  # noqa: E402
from db.repos.assets import ensure_market, register_listings  # noqa: E402
from db.repos.people import register  # noqa: E402
from db.repos.prices import latest_for_assets, save_latest  # noqa: E402

TRADES = portfolio_core.TRADES
LIVE = ["BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE"]
STORED = [f"BENCH{n:02d}" for n in range(43)]
ASKS = 200
CHANGED_ASKS = 20
TARGET_P99_MS = 100.0
SATOSHI = portfolio_core.SATOSHI
CENT = Decimal("0.01")


def database_url(stack: Stack) -> str:
    """The database harness.running_stack gave `pythia run`."""
    if stack.name == "sqlite":
        return f"sqlite+aiosqlite:///{stack.data_dir}/bench.sqlite3"
    return POSTGRES_URL


def active_trader(
    rng: random.Random, levels: dict[str, Decimal]
) -> list[tuple[str, str, Decimal, Decimal, Decimal, datetime]]:
    """bench_portfolio_core's trader, (asset, side, quantity, price, fee, when) oldest first, on
    our 50 assets: each of its assets renamed to one of ours and its prices and fees scaled to
    our asset's price level (quantities, so the ledger's validity, stay as they were)."""
    trades, core_levels = portfolio_core.active_trader(rng)
    names = dict(zip(sorted(core_levels), sorted(levels), strict=True))
    scale = {core: levels[ours] / core_levels[core] for core, ours in names.items()}
    return [
        (
            names[t.asset],
            t.side,
            t.quantity,
            max((t.price * scale[t.asset]).quantize(CENT), CENT),
            (t.fee * scale[t.asset]).quantize(CENT),
            t.executed_at,
        )
        for t in trades
    ]


class Ledgers:
    """The stack's database, from this process: what a benchmark writes before it asks."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.sessions = create_sessionmaker(self.engine)
        self.ids: dict[str, int] = {}

    async def prepare(self, user: User, rng: random.Random) -> dict[str, Decimal]:
        """List and price the stored-price assets, register the person, store their trades;
        returns each asset's price level."""
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            await register_listings(session, "bench", {a: (f"{a}/USD", "USD") for a in STORED}, now)
            live = await latest_for_assets(session, LIVE)
            levels = {a: q.price for a, q in live.items()}
            rows = []
            for asset in STORED:
                levels[asset] = Decimal(rng.randint(10, 10_000_000)).scaleb(-2)
                market = await ensure_market(session, "bench", f"{asset}/USD", asset, "USD", now)
                price = (levels[asset] * Decimal(rng.randint(80, 130)) / 100).quantize(CENT)
                rows.append((market, PriceQuote(asset, price, "USD", "bench", now)))
            await save_latest(session, rows, now)
            person = PersonSeen(user.id, user.first_name, user.username)
            await register(session, person, ChatSeen(user.id, "private"), now)
        missing = set(LIVE) - set(levels)
        assert not missing, f"the replay has not priced {missing} yet"
        async with self.sessions.begin() as session:
            self.ids = await _asset_ids(session, list(levels))
            trades = active_trader(rng, levels)
            await trade_rows.add(
                session,
                user.id,
                [(self.ids[a], s, q, p, f, w, "USD") for a, s, q, p, f, w in trades],
                now,
            )
        return levels

    async def buy(self, user: User, asset: str, quantity: Decimal, price: Decimal) -> None:
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            row = (self.ids[asset], "buy", quantity, price, Decimal(0), now, "USD")
            await trade_rows.add(session, user.id, [row], now)

    async def close(self) -> None:
        await self.engine.dispose()


async def _asset_ids(session, symbols: list[str]) -> dict[str, int]:
    rows = await session.execute(select(Asset.symbol, Asset.id).where(Asset.symbol.in_(symbols)))
    return dict(rows.tuples().all())


async def ask(stack: Stack, user: User) -> tuple[float, float, str | None]:
    """/portfolio once: seconds to the text, to the picture, and the picture's file_id."""
    sent = await stack.client.send_message(user, "/portfolio")
    text, picture = await stack.client.wait_for_bot_messages(user, count=2, after=sent, timeout=60)
    assert text.text and text.text.startswith("Your portfolio ·"), text.text
    assert picture.photo is not None, picture.body
    return (
        text.monotonic - sent.monotonic,
        picture.monotonic - sent.monotonic,
        picture.photo.file_id,
    )


def figures(latencies: list[float]) -> str:
    ms = [1000 * s for s in latencies]
    return f"p50 {median(ms):6.1f} ms, p99 {percentile(ms, 0.99):6.1f} ms, max {max(ms):6.1f} ms"


async def measure(stack: Stack) -> None:
    rng = random.Random(20261126)
    user = await stack.client.add_user("Trader", "trader")
    ledgers = Ledgers(database_url(stack))
    try:
        started = time.perf_counter()
        levels = await ledgers.prepare(user, rng)
        print(f"  seeded {TRADES:,} trades in {time.perf_counter() - started:.1f} s", flush=True)
        text, full, first_file = await ask(stack, user)
        print(f"  first ask (nothing cached):       text {1000 * text:.1f} ms, "
              f"with picture {1000 * full:.1f} ms")  # fmt: skip
        steady = [await ask(stack, user) for _ in range(ASKS)]
        small, moved = [], []
        for _ in range(CHANGED_ASKS):
            await ledgers.buy(user, "BTC", SATOSHI, levels["BTC"])
            small.append(await ask(stack, user))
        for n in range(CHANGED_ASKS):  # a tenth of the portfolio's value, alternately two coins
            asset = ("ETH", "SOL")[n % 2]
            await ledgers.buy(
                user, asset, (50_000 / levels[asset]).quantize(SATOSHI), levels[asset]
            )
            moved.append(await ask(stack, user))
    finally:
        await ledgers.close()
    seen = {first_file}

    def phase(results: list[tuple[float, float, str | None]]) -> str:
        """Text and end-to-end figures, and how many pictures were drawn, not re-sent."""
        drawn = len({file_id for *_, file_id in results} - seen)
        seen.update(file_id for *_, file_id in results)
        return (
            f"text       {figures([t for t, _, _ in results])}\n"
            f"      end to end {figures([f for _, f, _ in results])} (picture drawn {drawn}x)"
        )

    p99 = 1000 * percentile([f for _, f, _ in steady], 0.99)
    verdict = "met" if p99 < TARGET_P99_MS else "NOT met"
    print(
        f"  steady, {ASKS} asks in a row:\n      {phase(steady)}\n"
        f"  target end to end p99 < {TARGET_P99_MS:.0f} ms: {verdict}\n"
        f"  after a small trade, {CHANGED_ASKS}x:\n      {phase(small)}\n"
        f"  after a trade moving the allocation, {CHANGED_ASKS}x:\n      {phase(moved)}",
        flush=True,
    )


async def run_stack(name: str) -> None:
    async with running_stack(name) as stack:
        await wait_ready(stack)
        await measure(stack)


def main() -> None:
    parser = argparse.ArgumentParser()
    add_stack_argument(parser)
    args = parser.parse_args()
    for name in chosen_stacks(args):
        print(f"{STACKS[name]}:", flush=True)
        asyncio.run(run_stack(name))


if __name__ == "__main__":
    main()
