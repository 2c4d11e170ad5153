"""Charts as PNG bytes for sendPhoto: pure render functions, and the thread they run on."""

from bot.charts.candles import CANDLES_SIZE, candle_frame, render_candles
from bot.charts.candles import Bands as Bands  # a type: re-exported by name
from bot.charts.compare import COMPARE_SIZE, normalise_to_100, render_compare
from bot.charts.correlation import CORRELATION_SIZE, render_correlation
from bot.charts.portfolio import (
    ALLOCATION_SIZE,
    VALUE_SIZE,
    group_allocation,
    render_allocation,
    render_value_line,
)
from bot.charts.renderer import ChartRenderer

__all__ = [
    "ALLOCATION_SIZE",
    "CANDLES_SIZE",
    "COMPARE_SIZE",
    "CORRELATION_SIZE",
    "VALUE_SIZE",
    "ChartRenderer",
    "candle_frame",
    "group_allocation",
    "normalise_to_100",
    "render_allocation",
    "render_candles",
    "render_compare",
    "render_correlation",
    "render_value_line",
]
