"""/ta's computing part: analyse() + render_ta() on 500 real hourly candles, p50 and p99.

    .venv/bin/python bench/bench_ta.py

The whole /ta command should answer in p50 < 30 ms including loading candles from the database;
this measures only what happens after the candles are loaded, which should take a few ms. Each
run starts from Candles with Decimal prices, as a repository returns them, so the Decimal → float
conversion is included.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.i18n import texts_for  # noqa: E402
from bot.views.ta import render_ta  # noqa: E402
from core.ta import analyse  # noqa: E402
from tests.fixtures.candles import load_candles  # noqa: E402

CANDLES = 500
EN = texts_for("en")
RUNS = 200
WARM_UP = 20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def main() -> None:
    candles = load_candles("BTCUSDT_1h")[-CANDLES:]
    for _ in range(WARM_UP):  # first calls pay for imports and TA-Lib's set-up
        render_ta(EN, analyse(candles, "1h"), "BTC", "1h", "Bitcoin")
    gc.collect()
    totals, analysing = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        report = analyse(candles, "1h")
        analysed = time.perf_counter()
        render_ta(EN, report, "BTC", "1h", "Bitcoin")
        done = time.perf_counter()
        totals.append(done - start)
        analysing.append(analysed - start)
    p50, p99 = 1000 * statistics.median(totals), 1000 * percentile(totals, 0.99)
    print(
        f"analyse + render_ta, {CANDLES} BTC/USDT 1h candles, {RUNS} runs: "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms "
        f"(analyse alone p50 {1000 * statistics.median(analysing):.2f} ms)"
    )


if __name__ == "__main__":
    main()
