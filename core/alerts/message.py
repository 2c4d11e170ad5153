"""What a fired alert says, and when it may be said. Pure: a `Firing` in, HTML and a payload out.

The payload is the outbox row's, read by the bot's sender exactly as built here: the message,
its buttons, a one-line summary for when several quiet-hour alerts are merged into one
message, and `headlines` (filled by the news feature; rendered under the message when given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from core.alerts.grammar import AlertSpec, describe, duration_label
from core.formatting import format_pct, format_price

MAX_HEADLINES = 3
MAX_HEADLINE = 200  # characters of a headline's title shown
MAX_TEXT = 4000  # under Telegram's 4096, with room to spare
DAY_MINUTES = 24 * 60

Headline = str | Mapping[str, Any]  # a title, or {"title", "url"?, "source"?}


@dataclass(frozen=True, slots=True)
class Firing:
    """One alert firing: which, on what, and the price that made it fire."""

    alert_id: int
    user_id: int
    spec: AlertSpec
    trigger: str  # identifies the event: the same tick or candle gives the same text
    at: datetime  # when it happened: the tick's time, or the close of the candle
    price: Decimal
    quote: str = "USD"
    change_pct: Decimal | None = None
    change_span: str = "24h"  # what change_pct is measured over, in words
    fire_count: int = 1  # including this firing

    @property
    def dedupe_key(self) -> str:
        return f"alert:{self.alert_id}:{self.trigger}"


def alert_text(
    firing: Firing, zone: str = "UTC", paused: bool = False, headlines: Sequence[Headline] = ()
) -> str:
    """The message: what fired, the price now and its change, when, and what happens next."""
    spec = firing.spec
    lines = [
        f"🔔 <b>{escape(describe(spec, zone))}</b>",
        f"{escape(spec.symbol)} is at <code>{format_price(firing.price)}</code> "
        f"{escape(firing.quote)}{_change(firing)}",
        f"<i>{_when(firing.at, zone)}</i>",
        _next(firing, zone, paused),
    ]
    text = "\n".join(lines)
    news = _headlines(spec.symbol, headlines)
    return text if not news or len(text) + len(news) > MAX_TEXT else f"{text}\n\n{news}"


def alert_summary(firing: Firing, zone: str = "UTC") -> str:
    """One line for a merged message: `BTC rises above 70,000 USD — 70,012.50 USDT at 03:12`."""
    local = firing.at.astimezone(ZoneInfo(zone))
    condition = describe(firing.spec, zone).split(" — ", 1)[0]
    return (
        f"{escape(condition)} — <code>{format_price(firing.price)}</code> "
        f"{escape(firing.quote)} at {local:%H:%M}"
    )


def alert_buttons(firing: Firing) -> list[list[dict[str, str]]]:
    return [
        [
            {"text": "📈 Chart", "callback_data": f"alertchart:{firing.spec.symbol}"},
            {"text": "⏸ Pause", "callback_data": f"alert:pause:{firing.alert_id}"},
        ]
    ]


def alert_payload(
    firing: Firing, zone: str = "UTC", quiet: bool = False, headlines: Sequence[Headline] = ()
) -> dict[str, Any]:
    """The outbox payload of an alert message, as the sender reads it."""
    return {
        "text": alert_text(firing, zone, headlines=headlines),
        "buttons": alert_buttons(firing),
        "alert_id": firing.alert_id,
        "user_id": firing.user_id,
        "symbol": firing.spec.symbol,
        "quiet": quiet,
        "summary": alert_summary(firing, zone),
        "headlines": list(headlines),
    }


def quiet_until(now: datetime, zone: str, start: int | None, end: int | None) -> datetime | None:
    """The end of the person's quiet hours if `now` falls inside them, else None.

    `start` and `end` are minutes after local midnight; quiet hours may wrap midnight (22:00 to
    07:00). Equal or missing bounds mean no quiet hours.
    """
    if start is None or end is None or start % DAY_MINUTES == end % DAY_MINUTES:
        return None
    start, end = start % DAY_MINUTES, end % DAY_MINUTES
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else minute >= start or minute < end
    if not inside:
        return None
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    # aware + timedelta is wall-clock arithmetic: 07:00 local that day, across a DST change too
    return (datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=end)).astimezone(UTC)


def _change(firing: Firing) -> str:
    pct = firing.change_pct
    if pct is None:
        return ""
    arrow = "▲" if pct > 0 else "▼" if pct < 0 else "•"
    return f"  {arrow} {format_pct(pct)} {escape(firing.change_span)}"


def _when(at: datetime, zone: str) -> str:
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%d %b %Y, %H:%M} {escape(local.tzname() or zone)}"


def _next(firing: Firing, zone: str, paused: bool) -> str:
    spec, count = firing.spec, firing.fire_count
    times = "once" if count == 1 else "twice" if count == 2 else f"{count} times"
    if paused:
        return f"Fired {times}; paused — resume it from /alerts."
    if spec.cooldown is None:
        return "It fired once and is now off; set a new one with /alert."
    again = (firing.at + spec.cooldown).astimezone(ZoneInfo(zone))
    return (
        f"Fired {times}; it can fire again from {again:%H:%M} "
        f"(at most every {duration_label(spec.cooldown)})."
    )


def _headlines(symbol: str, headlines: Sequence[Headline]) -> str:
    lines = []
    for item in headlines[:MAX_HEADLINES]:
        title, url, source = _headline_parts(item)
        if not title:
            continue
        shown = escape(title if len(title) <= MAX_HEADLINE else title[: MAX_HEADLINE - 1] + "…")
        if url and url.startswith(("https://", "http://")):
            shown = f'<a href="{escape(url, quote=True)}">{shown}</a>'
        lines.append(f"• {shown}" + (f" — <i>{escape(source)}</i>" if source else ""))
    if not lines:
        return ""
    return f"📰 <b>Latest on {escape(symbol)}</b>\n" + "\n".join(lines)


def _headline_parts(item: Headline) -> tuple[str, str | None, str | None]:
    if isinstance(item, str):
        return item.strip(), None, None
    title, url, source = item.get("title"), item.get("url"), item.get("source")
    return (
        str(title or "").strip(),
        str(url) if url else None,
        str(source) if source else None,
    )
