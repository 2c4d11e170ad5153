"""How technical analysis reads in chat: each reading of `core.ta` said as a line, `label value —
meaning`, then the tally. Pure: an Analysis in, HTML out."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from bot.i18n import N_, Texts
from bot.views.common import clip, e, fit
from bot.views.markets import origin_line
from bot.views.refusals import says
from bot.views.series import usage
from core.ta import (
    ATR_PERIOD,
    EMA_FAST,
    EMA_SLOW,
    RSI_OVERBOUGHT,
    RSI_OVERSOLD,
    RSI_PERIOD,
    SMA_FAST,
    SMA_SLOW,
    UNAVAILABLE,
    Reading,
    Tally,
    TAReport,
)
from services.ta import Analysis

# One mark per reading, so the lean shows at a glance on a phone.
LEAN_MARKS = {"bullish": "▲", "bearish": "▼", "neutral": "•", "info": "•", "unavailable": "○"}
MACD_SAYS = {  # (side of the signal line, where the histogram goes)
    ("above", "rising"): N_("above its signal, histogram rising — momentum is turning up"),
    ("above", "falling"): N_("above its signal, histogram falling — upward momentum is fading"),
    ("above", "flat"): N_("above its signal, histogram flat — upward momentum is holding"),
    ("below", "rising"): N_("below its signal, histogram rising — downward momentum is fading"),
    ("below", "falling"): N_("below its signal, histogram falling — momentum is turning down"),
    ("below", "flat"): N_("below its signal, histogram flat — downward momentum is holding"),
}
PERCENT_B_SAYS = {
    "above_upper": N_(
        "{value} — price is at or above the upper band: stretched high; often eases back"
    ),
    "below_lower": N_(
        "{value} — price is at or below the lower band: stretched low; often bounces"
    ),
    "near_upper": N_("{value} — price is near the upper band"),
    "near_lower": N_("{value} — price is near the lower band"),
    "upper_half": N_("{value} — price is in the upper half of the bands"),
    "lower_half": N_("{value} — price is in the lower half of the bands"),
}


def disclaimer(t: Texts) -> str:
    return t._("Not financial advice.")


def label(t: Texts, reading: Reading) -> str:
    """The indicator's name as traders write it: SMA 200, RSI(14), Bollinger %B."""
    match reading.indicator:
        case "trend":
            return f"SMA {SMA_SLOW}"
        case "sma_cross" if reading.state == UNAVAILABLE:
            return f"SMA {SMA_FAST}/{SMA_SLOW}"
        case "sma_cross":
            return f"SMA {SMA_FAST}"
        case "ema_cross":
            return f"EMA {EMA_FAST}"
        case "rsi":
            return f"RSI({RSI_PERIOD})"
        case "macd":
            return "MACD"
        case "percent_b":
            return t._("Bollinger %B")
        case "atr":
            return f"ATR({ATR_PERIOD})"
    return t._("Realised volatility")


def reading_line(t: Texts, reading: Reading) -> str:
    text = (
        needs(t, reading) if reading.state == UNAVAILABLE else SAYS[reading.indicator](t, reading)
    )
    return f"{LEAN_MARKS[reading.lean]} <b>{e(label(t, reading))}</b> {text}"


def needs(t: Texts, reading: Reading) -> str:
    needed = reading.needed or 0
    return t.ngettext(
        "needs {needed} candle; {have} stored",
        "needs {needed} candles; {have} stored",
        needed,
        needed=t.number(needed),
        have=t.number(reading.have or 0),
    )


def _price(t: Texts, value: float | None) -> str:
    return t.price(Decimal(repr(value or 0.0)))


def ago(t: Texts, bars: int) -> str:
    """When a cross happened, counted in candles."""
    if bars == 0:
        return t._("on the last candle")
    return t.ngettext("{count} candle ago", "{count} candles ago", bars, count=t.number(bars))


def _trend(t: Texts, r: Reading) -> str:
    sma = _price(t, r.value)
    gap = t.pct(abs(r.gap_pct or 0.0), places=1, signed=False)
    if r.state == "above":
        return t._("{sma}, price {gap} above — long-term trend is up", sma=sma, gap=gap)
    if r.state == "below":
        return t._("{sma}, price {gap} below — long-term trend is down", sma=sma, gap=gap)
    return t._("{sma}, price on it — no long-term trend", sma=sma)


def _sma_cross(t: Texts, r: Reading) -> str:
    slow = f"SMA {SMA_SLOW}"
    if r.state == "golden_cross":
        return t._(
            "crossed above {slow} {ago} — golden cross: the longer trend turned up",
            slow=slow,
            ago=ago(t, r.bars_ago or 0),
        )
    if r.state == "death_cross":
        return t._(
            "crossed below {slow} {ago} — death cross: the longer trend turned down",
            slow=slow,
            ago=ago(t, r.bars_ago or 0),
        )
    if r.state == "level":
        return t._("level with {slow} — no clear longer trend", slow=slow)
    window = r.window or 0
    if r.state == "above":
        return t.ngettext(
            "above {slow}, no cross in {count} candle — the longer trend is up",
            "above {slow}, no cross in {count} candles — the longer trend is up",
            window,
            slow=slow,
            count=t.number(window),
        )
    return t.ngettext(
        "below {slow}, no cross in {count} candle — the longer trend is down",
        "below {slow}, no cross in {count} candles — the longer trend is down",
        window,
        slow=slow,
        count=t.number(window),
    )


def _ema(t: Texts, r: Reading) -> str:
    slow = f"EMA {EMA_SLOW}"
    if r.state == "level":
        return t._("level with {slow} — no short-term trend", slow=slow)
    if r.bars_ago is None:
        if r.state == "above":
            return t._("above {slow} — short-term trend is up", slow=slow)
        return t._("below {slow} — short-term trend is down", slow=slow)
    when = ago(t, r.bars_ago)
    if r.state == "above":
        return t._("above {slow} (crossed {ago}) — short-term trend is up", slow=slow, ago=when)
    return t._("below {slow} (crossed {ago}) — short-term trend is down", slow=slow, ago=when)


def _rsi(t: Texts, r: Reading) -> str:
    if r.state == "flat":
        return t._("n/a — price has not moved, so there is no momentum")
    value = t.decimal(r.value or 0.0, 1)
    if r.state == "overbought":
        return t._(
            "{value} — overbought: buyers have pushed hard; pullbacks often follow", value=value
        )
    if r.state == "oversold":
        return t._(
            "{value} — oversold: sellers have pushed hard; bounces often follow", value=value
        )
    return t._(
        "{value} — neutral: not overbought (&gt;{high}) or oversold (&lt;{low})",
        value=value,
        high=t.number(int(RSI_OVERBOUGHT)),
        low=t.number(int(RSI_OVERSOLD)),
    )


def _macd(t: Texts, r: Reading) -> str:
    if r.state == "on":
        return t._("on its signal — no momentum either way")
    return t._(MACD_SAYS[(r.state, r.motion or "flat")])


def _percent_b(t: Texts, r: Reading) -> str:
    if r.state == "flat":
        count = r.window or 0
        return t.ngettext(
            "n/a — the bands are flat: price has not moved in {count} candle",
            "n/a — the bands are flat: price has not moved in {count} candles",
            count,
            count=t.number(count),
        )
    return t._(PERCENT_B_SAYS[r.state], value=t.decimal(r.value or 0.0, 2))


def _atr(t: Texts, r: Reading) -> str:
    return t._(
        "{atr} ({share} of price) — a typical move per candle",
        atr=_price(t, r.value),
        share=t.pct(r.gap_pct or 0.0, places=1, signed=False),
    )


def _volatility(t: Texts, r: Reading) -> str:
    return t._(
        "{value} a year — swings over the last {span}, scaled to a year",
        value=t.pct((r.value or 0.0) * 100, places=0, signed=False),
        span=t.duration(r.span) if r.span is not None else "",
    )


SAYS: dict[str, Callable[[Texts, Reading], str]] = {
    "trend": _trend,
    "sma_cross": _sma_cross,
    "ema_cross": _ema,
    "rsi": _rsi,
    "macd": _macd,
    "percent_b": _percent_b,
    "atr": _atr,
    "volatility": _volatility,
}


def tally_line(t: Texts, tally: Tally) -> str:
    """How the readings lean, counted; says plainly that it is not a forecast."""
    missing = ""
    if tally.unavailable:
        missing = " " + t.ngettext(
            "({count} needs more candles)",
            "({count} need more candles)",
            tally.unavailable,
            count=t.number(tally.unavailable),
        )
    counts = {
        "bullish": t.number(tally.bullish),
        "bearish": t.number(tally.bearish),
        "neutral": t.number(tally.neutral),
        "missing": missing,
    }
    if tally.verdict == "bullish":
        return t._(
            "Signals: {bullish} bullish, {bearish} bearish, {neutral} neutral{missing} — "
            "leaning bullish. A tally of indicators, not a forecast.",
            **counts,
        )
    if tally.verdict == "bearish":
        return t._(
            "Signals: {bullish} bullish, {bearish} bearish, {neutral} neutral{missing} — "
            "leaning bearish. A tally of indicators, not a forecast.",
            **counts,
        )
    return t._(
        "Signals: {bullish} bullish, {bearish} bearish, {neutral} neutral{missing} — "
        "mixed. A tally of indicators, not a forecast.",
        **counts,
    )


def render_ta(
    t: Texts, report: TAReport, symbol: str, timeframe: str, name: str, market: str = ""
) -> str:
    """The readings under a header; `market` (a line saying where the candles came from)
    follows the last close."""
    header = f"<b>{e(clip(symbol, 16))}</b> · {e(clip(name, 32))} · {e(timeframe)}\n" + t._(
        "Close <code>{close}</code> · candle opened {moment}",
        close=t.price(report.last_close),
        moment=t.moment(report.last_ts),  # candles are cut in UTC on every exchange
    )
    if market:
        header += "\n" + market
    lines = [header, "", *(reading_line(t, r) for r in report.readings), ""]
    lines += [f"<i>{tally_line(t, report.tally)}</i>", disclaimer(t)]
    return fit("\n".join(lines))


def analysis_text(t: Texts, analysis: Analysis) -> str:
    market = origin_line(t, analysis.origin)
    return render_ta(t, analysis.report, analysis.coin, analysis.timeframe, analysis.name, market)


# ---- refusals -------------------------------------------------------------------------------


@says("ta.one_coin")
def _one_coin(t: Texts) -> str:
    return t._("One coin and, if you like, a timeframe.") + " " + usage(t, "ta")


@says("ta.not_enough_candles")
def _not_enough(t: Texts, coin: str, timeframe: str, have: int, needed: int) -> str:
    return t.ngettext(
        "I have {have} {timeframe} candle for {coin}; the indicators need at least {needed}. "
        "Try a shorter timeframe, or again later.",
        "I have {have} {timeframe} candles for {coin}; the indicators need at least {needed}. "
        "Try a shorter timeframe, or again later.",
        have,
        have=t.number(have),
        timeframe=e(timeframe),
        coin=e(coin),
        needed=t.number(needed),
    )
