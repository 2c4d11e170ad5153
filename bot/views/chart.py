"""Captions and titles of the market pictures: the numbers a person wants without opening the
picture. Pure; HTML."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from bot.i18n import N_, Texts
from bot.views.common import MAX_CAPTION, clip, e, fit
from bot.views.markets import origin_line, origins_line
from core.compare import strength
from core.formatting import decimals_for_price
from core.market import Candle
from services.charts import ChartData, CompareData, CorrelationData

MINUS = "−"
STRENGTH_WORDS = {
    ("strong", False): N_("strong"),
    ("strong", True): N_("strong, inverse"),
    ("moderate", False): N_("moderate"),
    ("moderate", True): N_("moderate, inverse"),
    ("weak", False): N_("weak"),
    ("weak", True): N_("weak, inverse"),
    ("negligible", False): N_("negligible"),
}


def candles_caption(
    t: Texts,
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
    volume = sum((c.volume for c in candles), Decimal(0))
    head = f"<b>{e(clip(symbol, 12))}</b>"
    if name and name != symbol:
        head += f" {e(clip(name, 32))}"
    head += f" · {e(clip(timeframe, 8))} · {e(clip(period_label))}"
    return t._(
        "{head} — last <code>{close}</code> {quote} ({change}) · high {high} · low {low}"
        " · volume {volume} {coin}",
        head=head,
        close=t.price(last.close),
        quote=e(clip(quote, 12)),
        change=t.pct(change),
        high=t.price(max(c.high for c in candles)),
        low=t.price(min(c.low for c in candles)),
        volume=_quantity(t, volume),
        coin=e(clip(symbol, 12)),
    )


def chart_caption(t: Texts, chart: ChartData) -> str:
    """The candles caption, then the market they came from."""
    label = chart.window.period.label
    series = chart.series
    caption = candles_caption(
        t, chart.coin, chart.name, chart.window.timeframe, label, chart.candles, series.quote
    )
    return fit(caption + "\n" + origin_line(t, chart.origin), MAX_CAPTION)


def chart_title(chart: ChartData) -> str:
    """BTC · 1h · 7d · binance: what the picture shows, drawn above it."""
    window = chart.window
    return f"{chart.coin} · {window.timeframe} · {window.period.label} · {chart.series.exchange}"


def compare_caption(
    t: Texts,
    a: str,
    b: str,
    change_a_pct: Decimal | float | None,
    change_b_pct: Decimal | float | None,
    correlation: float | None,
    period_label: str,
) -> str:
    """e.g. BTC +4.20% vs ETH −1.30% over 30d · correlation 0.82 (strong)"""
    return t._(
        "<b>{a}</b> {change_a} vs <b>{b}</b> {change_b} over {period} · correlation {r}",
        a=e(clip(a, 12)),
        change_a=_pct(t, change_a_pct),
        b=e(clip(b, 12)),
        change_b=_pct(t, change_b_pct),
        period=e(clip(period_label)),
        r=_correlation(t, correlation),
    )


def comparison_caption(t: Texts, compared: CompareData) -> str:
    a, b = compared.coins
    changes = compared.aligned.change_pct(a), compared.aligned.change_pct(b)
    period = compared.window.period.label
    caption = compare_caption(t, a, b, *changes, compared.correlation, period)
    markets = origins_line(t, (compared.origins[a], compared.origins[b]))
    return fit(caption + "\n" + markets, MAX_CAPTION)


def compare_title(t: Texts, compared: CompareData) -> str:
    a, b = compared.coins
    return t._("{a} vs {b} · {period}", a=a, b=b, period=compared.window.period.label)


def correlation_caption(
    t: Texts, symbols: Sequence[str], matrix: Sequence[Sequence[float]], period_label: str
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
    params = {"count": t.number(count), "period": e(clip(period_label))}
    if not pairs:
        return t.ngettext(
            "Correlation of {count} coin over {period}: not enough data yet.",
            "Correlation of {count} coins over {period}: not enough data yet.",
            count,
            **params,
        )
    if len(pairs) == 1:
        return t.ngettext(
            "Correlation of {count} coin over {period}: {pair}",
            "Correlation of {count} coins over {period}: {pair}",
            count,
            pair=_pair(t, pairs[0]),
            **params,
        )
    return t.ngettext(
        "Correlation of {count} coin over {period} · most alike: {most} · least alike: {least}",
        "Correlation of {count} coins over {period} · most alike: {most} · least alike: {least}",
        count,
        most=_pair(t, max(pairs)),
        least=_pair(t, min(pairs)),
        **params,
    )


def correlations_caption(t: Texts, found: CorrelationData) -> str:
    caption = correlation_caption(t, found.coins, found.matrix, found.window.period.label)
    markets = origins_line(t, (found.origins[c] for c in found.coins))
    return fit(caption + "\n" + markets, MAX_CAPTION)


def correlation_title(t: Texts, found: CorrelationData) -> str:
    return t._(
        "Correlation of returns · {timeframe} · {period}",
        timeframe=found.window.timeframe,
        period=found.window.period.label,
    )


def correlation_strength(t: Texts, r: float) -> str:
    """A word for how closely two series move together: 0.82 strong, −0.45 moderate, inverse."""
    return t._(STRENGTH_WORDS[strength(r)])


def _pair(t: Texts, entry: tuple[float, str, str]) -> str:
    r, first, second = entry
    return t._(
        "<b>{first}</b> and <b>{second}</b> {r}",
        first=e(clip(first, 12)),
        second=e(clip(second, 12)),
        r=_correlation(t, r),
    )


def _correlation(t: Texts, r: float | None) -> str:
    if r is None or not math.isfinite(r):
        return t._("n/a")
    shown = (MINUS if r < 0 else "") + t.decimal(abs(r), 2)
    return f"{shown} ({correlation_strength(t, r)})"


def _pct(t: Texts, pct: Decimal | float | None) -> str:
    if pct is None or (isinstance(pct, float) and not math.isfinite(pct)):
        return t.pct(None)
    return t.pct(Decimal(str(pct)))


def _quantity(t: Texts, amount: Decimal) -> str:
    """Whole units once there are thousands of them; otherwise as a price would read."""
    return t.decimal(amount, 0 if amount >= 1000 else decimals_for_price(amount))
