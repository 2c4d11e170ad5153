"""/portfolio's computing part: replay + valuation of 10,000 trades over 50 assets, p50 and p99.

    .venv/bin/python bench/bench_portfolio_core.py

The whole /portfolio command should answer in p99 < 100 ms for a person with this many
trades; this measures only what happens after the trades are loaded, which should be a small
fraction of that (< 20 ms). Each run starts from Trade objects, as the repository returns
them (oldest first), and does everything /portfolio needs: check and replay every trade,
then value the holdings. The person is an active trader: 60% buys, 40% sells of part (now
and then all) of a holding, quantities with 8 places, prices with 2, a fee on most trades.

Besides wall-clock p50/p99, the CPU time p50 is shown: on a busy machine the two part, and
the difference is time spent waiting for a core. The last line replays the same trades in a
shuffled order, which costs the sorting that the repository's order saves.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.portfolio import Ledger, Trade, valuation  # noqa: E402

TRADES = 10_000
ASSETS = 50
RUNS = 50
WARM_UP = 5
NOW = datetime(2025, 1, 1, tzinfo=UTC)
SATOSHI = Decimal("0.00000001")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def active_trader(rng: random.Random) -> tuple[list[Trade], dict[str, Decimal]]:
    """TRADES valid trades over ASSETS assets, oldest first, and a price for each."""
    assets = [f"C{n:02d}" for n in range(ASSETS)]
    level = {asset: Decimal(rng.randint(10, 10_000_000)).scaleb(-2) for asset in assets}
    held = dict.fromkeys(assets, Decimal(0))
    trades, when = [], datetime(2020, 1, 1, tzinfo=UTC)
    for n in range(1, TRADES + 1):
        asset = rng.choice(assets)
        when += timedelta(minutes=rng.randint(1, 240))
        price = (level[asset] * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal("0.01"))
        if held[asset] and rng.random() < 0.4:
            share = Decimal(1) if rng.random() < 0.05 else Decimal(rng.randint(1, 99)) / 100
            quantity = max((held[asset] * share).quantize(SATOSHI, ROUND_DOWN), SATOSHI)
            side = "sell"
            held[asset] -= quantity
        else:
            quantity = Decimal(rng.randint(1, 10**9)).scaleb(-8)
            side = "buy"
            held[asset] += quantity
        fee = (quantity * price / 1000).quantize(Decimal("0.01")) if rng.random() < 0.8 else 0
        trades.append(Trade(n, asset, side, quantity, price, Decimal(fee), when, "USD"))
    return trades, level


def measure(trades: list[Trade], prices: dict[str, Decimal], method: str, label: str) -> None:
    for _ in range(WARM_UP):
        valuation(Ledger.replay(trades, method), prices, NOW)  # type: ignore[arg-type]
    gc.collect()
    walls, cpus, replaying = [], [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        ledger = Ledger.replay(trades, method)  # type: ignore[arg-type]
        replayed = time.perf_counter()
        view = valuation(ledger, prices, NOW)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
        replaying.append(replayed - start)
    assert view.total_pnl == view.value - view.net_invested  # the books balance
    p50, p99 = 1000 * statistics.median(walls), 1000 * percentile(walls, 0.99)
    print(
        f"replay + valuation, {method:7} {label:>8}: p50 {p50:6.2f} ms, p99 {p99:6.2f} ms "
        f"(CPU p50 {1000 * statistics.median(cpus):6.2f} ms, "
        f"replay alone p50 {1000 * statistics.median(replaying):6.2f} ms)"
    )


def main() -> None:
    trades, prices = active_trader(random.Random(20240301))
    print(f"{TRADES:,} trades over {ASSETS} assets, {RUNS} runs each")
    for method in ("fifo", "average"):
        measure(trades, prices, method, "in order")
    random.Random(1).shuffle(trades)
    measure(trades, prices, "fifo", "shuffled")


if __name__ == "__main__":
    main()
