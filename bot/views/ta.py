"""How technical analysis reads in chat. Pure: a TAReport in, HTML out."""

from __future__ import annotations

from datetime import UTC

from bot.views.common import clip, e, fit
from core.formatting import format_price
from core.ta import Reading, TAReport

# One mark per reading, so the lean shows at a glance on a phone.
LEAN_MARKS = {"bullish": "▲", "bearish": "▼", "neutral": "•", "info": "•", "unavailable": "○"}
DISCLAIMER = "Not financial advice."


def reading_line(reading: Reading) -> str:
    text = f"{LEAN_MARKS[reading.lean]} <b>{e(reading.label)}</b> {e(reading.value)}"
    return f"{text} — {e(reading.meaning)}" if reading.meaning else text


def render_ta(report: TAReport, symbol: str, timeframe: str, name: str) -> str:
    candle_time = report.last_ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        f"<b>{e(clip(symbol, 16))}</b> · {e(clip(name, 32))} · {e(timeframe)}\n"
        f"Close <code>{format_price(report.last_close)}</code> · candle opened {candle_time}"
    )
    lines = [header, "", *(reading_line(r) for r in report.readings), ""]
    lines += [f"<i>{e(report.summary)}</i>", DISCLAIMER]
    return fit("\n".join(lines))
