"""Captions under charts: the numbers a person wants without opening the picture. Pure; HTML."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from bot.views.common import clip, e
from core.formatting import decimals_for_price, format_pct, format_price
from core.market import Candle

# Lower bounds of |r| for each word, strongest first.
STRENGTHS = ((0.7, "strong"), (0.4, "moderate"), (0.2, "weak"))


def candles_caption(
    symbol: str,
    name: str,
    timeframe: str,
    period_label: str,
    candles: Sequence[Candle],
    quote: str,
) -> str:
    """e.g. BTC Bitcoin · 1h · 7d — last 64,123.45 USDT (+2.31%) · high … · low … · volume …"""
    if not candles:
        raise ValueError("a chart caption needs at least one candle")
    first, last = candles[0], candles[-1]
    change = (last.close - first.open) / first.open * 100 if first.open else None
    high = max(c.high for c in candles)
    low = min(c.low for c in candles)
    volume = sum((c.volume for c in candles), Decimal(0))
    head = f"<b>{e(clip(symbol, 12))}</b>"
    if name and name != symbol:
        head += f" {e(clip(name, 32))}"
    return (
        f"{head} · {e(clip(timeframe, 8))} · {e(clip(period_label))} — "
        f"last <code>{format_price(last.close)}</code> {e(clip(quote, 12))} ({format_pct(change)})"
        f" · high {format_price(high)} · low {format_price(low)}"
        f" · volume {_quantity(volume)} {e(clip(symbol, 12))}"
    )


def compare_caption(
    a: str,
    b: str,
    change_a_pct: Decimal | float | None,
    change_b_pct: Decimal | float | None,
    correlation: float | None,
    period_label: str,
) -> str:
    """e.g. BTC +4.20% vs ETH −1.30% over 30d · correlation 0.82 (strong)"""
    return (
        f"<b>{e(clip(a, 12))}</b> {_pct(change_a_pct)} vs "
        f"<b>{e(clip(b, 12))}</b> {_pct(change_b_pct)} over {e(clip(period_label))}"
        f" · correlation {_correlation(correlation)}"
    )


def correlation_caption(
    symbols: Sequence[str], matrix: Sequence[Sequence[float]], period_label: str
) -> str:
    """The most and the least correlated pair among `symbols`."""
    count = len(symbols)
    if len(matrix) != count or any(len(row) != count for row in matrix):
        raise ValueError(f"need a {count}×{count} matrix for {count} symbols")
    pairs = [
        (float(matrix[i][j]), symbols[i], symbols[j])
        for i in range(count)
        for j in range(i + 1, count)
        if math.isfinite(matrix[i][j])
    ]
    lead = f"Correlation of {count} coins over {e(clip(period_label))}"
    if not pairs:
        return f"{lead}: not enough data yet."
    if len(pairs) == 1:
        return f"{lead}: {_pair(pairs[0])}"
    most, least = max(pairs), min(pairs)
    return f"{lead} · most alike: {_pair(most)} · least alike: {_pair(least)}"


def correlation_strength(r: float) -> str:
    """A word for how closely two series move together: 0.82 strong, −0.45 moderate, inverse."""
    word = next((word for limit, word in STRENGTHS if abs(r) >= limit), "negligible")
    return f"{word}, inverse" if r < 0 and word != "negligible" else word


def _pair(entry: tuple[float, str, str]) -> str:
    r, first, second = entry
    return f"<b>{e(clip(first, 12))}</b> and <b>{e(clip(second, 12))}</b> {_correlation(r)}"


def _correlation(r: float | None) -> str:
    if r is None or not math.isfinite(r):
        return "n/a"
    return f"{r:.2f}".replace("-", "−") + f" ({correlation_strength(r)})"


def _pct(pct: Decimal | float | None) -> str:
    if pct is None or (isinstance(pct, float) and not math.isfinite(pct)):
        return format_pct(None)
    return format_pct(Decimal(str(pct)))


def _quantity(amount: Decimal) -> str:
    """Whole units once there are thousands of them; otherwise as a price would read."""
    return format_price(amount, 0 if amount >= 1000 else decimals_for_price(amount))
