"""Charts come out as PNGs of the promised size, from real candles, without blocking or leaking."""

from __future__ import annotations

import asyncio
import csv
import gc
import gzip
import math
import struct
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import talib
from matplotlib.figure import Figure

from bot.charts import (
    ALLOCATION_SIZE,
    CANDLES_SIZE,
    COMPARE_SIZE,
    CORRELATION_SIZE,
    VALUE_SIZE,
    ChartRenderer,
    group_allocation,
    normalise_to_100,
    render_allocation,
    render_candles,
    render_compare,
    render_correlation,
    render_value_line,
)
from bot.charts.canvas import compact, places_for_step, time_label
from bot.i18n import texts_for
from core.market import Candle

SANDBOX = Path(__file__).resolve().parents[2] / "data" / "sandbox"
SYMBOLS = ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def sandbox_candles(symbol: str, hours: int | None = None) -> list[Candle]:
    """The bundled Binance hourly candles of `symbol`, the last `hours` of them."""
    with gzip.open(SANDBOX / f"{symbol}USDT_1h.csv.gz", "rt", newline="") as rows:
        candles = [
            Candle(
                datetime.fromisoformat(row["date"]).replace(tzinfo=UTC),
                *(Decimal(row[k]) for k in ("open", "high", "low", "close", "volume")),
            )
            for row in csv.DictReader(rows)
        ]
    return candles if hours is None else candles[-hours:]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG has right after its signature."""
    assert data[:8] == PNG_MAGIC
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


def closes(candles: list[Candle]) -> np.ndarray:
    return np.array([float(c.close) for c in candles])


@pytest.fixture(scope="module")
def history() -> dict[str, list[Candle]]:
    return {symbol: sandbox_candles(symbol) for symbol in SYMBOLS}


@pytest.fixture(scope="module")
def btc_week(history: dict[str, list[Candle]]) -> list[Candle]:
    return history["BTC"][-168:]


@pytest.fixture
async def renderer():
    renderer = ChartRenderer()
    yield renderer
    renderer.close()


def test_a_week_of_hourly_candles_with_bands_renders_at_the_intended_size(
    btc_week: list[Candle],
) -> None:
    bands = talib.BBANDS(closes(btc_week), timeperiod=20)
    assert math.isnan(bands[0][0])  # TA-Lib leaves the first 19 empty
    picture = render_candles(btc_week, t=EN, title="BTC/USDT · 1h · 7d", bands=bands)
    assert png_size(picture) == CANDLES_SIZE


def test_bands_that_start_with_nans_render() -> None:
    candles = sandbox_candles("SOL", 30)
    middle = closes(candles)
    middle[:25] = np.nan  # only the last five candles have a band
    picture = render_candles(
        candles, t=EN, title="SOL", bands=(middle * 1.02, middle, middle * 0.98)
    )
    assert png_size(picture) == CANDLES_SIZE


def test_a_chart_without_volume_or_averages_keeps_its_size() -> None:
    picture = render_candles(sandbox_candles("DOGE", 12), t=EN, title="DOGE", mav=(), volume=False)
    assert png_size(picture) == CANDLES_SIZE


def test_averages_longer_than_the_chart_are_left_out_rather_than_failing() -> None:
    assert png_size(render_candles(sandbox_candles("ADA", 10), t=EN, title="ADA", mav=(20, 50)))


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_candles_is_a_clear_error(count: int) -> None:
    with pytest.raises(ValueError, match=f"at least 2 candles, got {count}"):
        render_candles(sandbox_candles("BTC", 2)[:count], t=EN, title="BTC")


def test_candles_out_of_time_order_are_refused() -> None:
    with pytest.raises(ValueError, match="time order"):
        render_candles(sandbox_candles("BTC", 5)[::-1], t=EN, title="BTC")


def test_bands_must_have_one_value_per_candle() -> None:
    candles = sandbox_candles("BTC", 30)
    short = [1.0] * 29
    with pytest.raises(ValueError, match="one value per candle"):
        render_candles(candles, t=EN, title="BTC", bands=(short, short, short))


def test_compare_scales_every_series_to_100_at_the_first_common_time() -> None:
    hours = [T0 + timedelta(hours=i) for i in range(4)]
    times, scaled = normalise_to_100(
        {
            "BTC": [(hours[0], 40_000.0), (hours[1], 44_000.0), (hours[2], 38_000.0)],
            "ETH": [(hours[1], 2_000.0), (hours[2], 2_500.0), (hours[3], 1_000.0)],
        }
    )
    assert times == hours[1:3]  # only the hours both have
    assert scaled == {"BTC": [100.0, 38_000 / 44_000 * 100], "ETH": [100.0, 125.0]}


def test_compare_needs_two_shared_timestamps_and_a_positive_start() -> None:
    with pytest.raises(ValueError, match="share 1 timestamps"):
        normalise_to_100({"A": [(T0, 1.0)], "B": [(T0, 2.0)]})
    with pytest.raises(ValueError, match="cannot be scaled"):
        normalise_to_100({"A": [(T0, 0.0), (T0 + timedelta(hours=1), 1.0)]})


def test_compare_renders_two_real_assets(history: dict[str, list[Candle]]) -> None:
    series = {s: [(c.ts, float(c.close)) for c in history[s][-720:]] for s in ("BTC", "ETH")}
    assert png_size(render_compare(series, t=EN, title="BTC vs ETH · 30d")) == COMPARE_SIZE


def test_a_correlation_heat_map_of_seven_coins(history: dict[str, list[Candle]]) -> None:
    # Hourly log returns over the hours every coin has (the data keeps real exchange gaps).
    common = sorted(set.intersection(*({c.ts for c in history[s]} for s in SYMBOLS)))[-720:]
    returns = []
    for symbol in SYMBOLS:
        by_time = {c.ts: float(c.close) for c in history[symbol]}
        returns.append(np.diff(np.log([by_time[ts] for ts in common])))
    matrix = np.corrcoef(returns)
    assert matrix[0][1] > 0.5  # BTC and ETH move together: the inputs are aligned
    picture = render_correlation(SYMBOLS, matrix.tolist(), t=EN, title="Correlation · 30d")
    assert png_size(picture) == CORRELATION_SIZE


def test_a_correlation_matrix_must_be_square() -> None:
    with pytest.raises(ValueError, match="square matrix for 3 symbols"):
        render_correlation(["A", "B", "C"], [[1.0, 0.2], [0.2, 1.0]], t=EN, title="x")


def test_small_holdings_are_grouped_as_other() -> None:
    slices = group_allocation(["ETH", "DUST", "BTC", "PEPE", "ZERO"], [30, 1, 68, 1, 0])
    assert slices == [("BTC", 68.0), ("ETH", 30.0), ("other", 2.0)]


def test_too_many_holdings_keep_the_largest_and_fold_the_rest() -> None:
    labels = [f"C{i}" for i in range(12)]
    slices = group_allocation(labels, [100 - i for i in range(12)], max_slices=5)
    assert [label for label, _ in slices] == ["C0", "C1", "C2", "C3", "other"]
    assert sum(value for _, value in slices) == pytest.approx(sum(100 - i for i in range(12)))


def test_an_allocation_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="adds up to 0"):
        group_allocation(["BTC"], [0.0])


def test_portfolio_pictures_render_at_their_sizes() -> None:
    allocation = render_allocation(["BTC", "ETH", "USD $"], [6_000, 3_000, 1_000], title="Mine")
    assert png_size(allocation) == ALLOCATION_SIZE
    days = [(T0 + timedelta(days=i), 10_000 + 50.0 * i) for i in range(90)]
    assert png_size(render_value_line(days, title="Value", currency="USD")) == VALUE_SIZE


@pytest.mark.parametrize(
    ("step", "places"), [(500.0, 0), (2.5, 1), (0.5, 1), (0.25, 2), (0.0002, 4)]
)
def test_price_ticks_show_the_places_their_step_needs(step: float, places: int) -> None:
    assert places_for_step(step) == places


def test_volumes_read_compactly_in_each_language() -> None:
    volumes = (0, 950, 1_200, 34_500, 5_600_000)
    assert [compact(v) for v in volumes] == ["0", "950", "1.2K", "34.5K", "5.6M"]
    assert [compact(v, ES) for v in volumes[2:]] == ["1,2\xa0mil", "34,5\xa0mil", "5,6\xa0M"]
    assert compact(1_200, RU) == "1,2\xa0тыс."


def test_time_ticks_say_dates_and_times_in_the_persons_language() -> None:
    march = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    assert time_label(EN, march, timedelta(hours=6)) == "14:30"
    assert time_label(EN, march.replace(hour=0, minute=0), timedelta(hours=6)) == "Mar 1"
    assert time_label(ES, march, timedelta(days=2)) == "1 mar"
    assert time_label(RU, march, timedelta(days=2)) == "1 мар."
    assert time_label(EN, march, timedelta(days=30)) == "Mar 2024"


@pytest.mark.parametrize("t", [ES, RU], ids=["es", "ru"])
def test_pictures_in_spanish_and_russian_draw_every_glyph(
    t, btc_week: list[Candle], history: dict[str, list[Candle]]
) -> None:
    import warnings

    series = {s: [(c.ts, float(c.close)) for c in history[s][-720:]] for s in ("BTC", "ETH")}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing Cyrillic glyph warns
        bands = talib.BBANDS(closes(btc_week), timeperiod=20)
        candles = render_candles(btc_week, t=t, title="BTC · 1h · 7d", bands=bands)
        compared = render_compare(
            series, t=t, title=t._("{a} vs {b} · {period}", a="BTC", b="ETH", period="30d")
        )
        matrix = render_correlation(["A", "B"], [[1, -0.5], [-0.5, 1]], t=t, title="x")
    assert png_size(candles) == CANDLES_SIZE and png_size(compared) == COMPARE_SIZE
    assert png_size(matrix) == CORRELATION_SIZE


async def test_concurrent_renders_all_finish_and_leave_no_figure_behind(
    renderer: ChartRenderer,
) -> None:
    candles = sandbox_candles("ETH", 24)
    tasks = []
    for i in range(50):  # mostly the cheapest picture, to keep the test quick
        if i % 25 == 0:
            tasks.append(renderer.candles(candles, t=EN, title=f"ETH {i}", mav=(), volume=False))
        else:
            tasks.append(renderer.allocation(["BTC", "ETH"], [i + 1.0, 10.0], t=EN, title=f"#{i}"))
    pictures = await asyncio.gather(*tasks)
    assert all(picture[:8] == PNG_MAGIC for picture in pictures)
    assert plt.get_fignums() == []
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, Figure)]
    assert [t.name for t in threading.enumerate() if t.name.startswith("charts")] == ["charts_0"]


async def test_a_render_leaves_the_event_loop_free(
    renderer: ChartRenderer, btc_week: list[Candle]
) -> None:
    await renderer.allocation(["warm"], [1.0], t=EN, title="warm-up")
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await renderer.candles(btc_week, t=EN, title="BTC")
    took = time.perf_counter() - started
    ticker.cancel()
    assert len(gaps) >= 5
    assert max(gaps) < took / 2  # a blocking render would show up as one gap as long as itself


async def test_a_bad_request_fails_in_the_caller_not_in_the_thread(
    renderer: ChartRenderer,
) -> None:
    with pytest.raises(ValueError, match="at least 2 candles"):
        await renderer.candles(sandbox_candles("BTC", 1), t=EN, title="BTC")
    assert png_size(await renderer.correlation(["A", "B"], [[1, 0], [0, 1]], t=EN, title="x"))
