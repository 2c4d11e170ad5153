"""/alert, /alerts, /quiet and /timezone. Pure: values in, HTML and keyboards out.

Callback data, shared with the message an alert sends when it fires:
    alert:pause:<id> · alert:resume:<id> · alert:delete:<id> · alertchart:<SYMBOL>
and of these messages only:
    alerts:<owner>:<page>                     a page of /alerts
    alertflow:<owner>:<step>[:<value>]        the guided /alert
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.common import clip, e, fit
from core.alerts.grammar import AlertSpec, describe, format_level
from db.alerts import AlertHours, AlertSummary, History

ALERT = "alert"  # alert:<action>:<id>
CHART = "alertchart"  # alertchart:<SYMBOL>
PAGE = "alerts"  # alerts:<owner>:<page>
FLOW = "alertflow"  # alertflow:<owner>:<step>[:<value>]
PAGE_SIZE = 8
FLOW_COINS = 12  # coin buttons in the guided flow

HELP_LINK = "See <code>/help alert</code> for what works."
NOT_YOURS = "This is someone else's alert, or it was deleted — send /alerts for yours."
NOT_YOUR_LIST = "These are someone else's alerts — send /alerts for yours."
NOT_YOUR_FLOW = "Only the person who started this can press its buttons — send /alert for yours."
FLOW_GONE = "This menu is no longer active — send /alert to start again."
SENT_PRIVATELY = "Your alerts are private: I've sent them to you in our private chat."
UNREACHABLE = (
    "Your alerts are private, and I can't write to you first: open a private chat with "
    "@{bot}, press Start, then send /alerts there."
)
EMPTY = (
    "You have no alerts — set one with <code>/alert BTC &gt; 70000</code>, or send /alert "
    "and I'll walk you through it."
)
CANCELLED = "Cancelled — no alert was set."
TIMED_OUT = "This alert menu timed out — send /alert to start again."
ASK_COIN = "<b>New alert</b> — which coin? Pick one or type its symbol. /cancel stops."
ANSWERED = {"pause": "Paused.", "resume": "Watching again.", "delete": "Deleted."}
UNCHANGED = {
    "pause": "It isn't active.",
    "resume": "It isn't paused.",
    "delete": "Already deleted.",
}
_STATUS = {"active": "🟢", "paused": "⏸ paused", "fired": "✔️ fired", "expired": "⌛ expired"}

# The guided flow's kinds: button label, and what the level step asks.
KINDS = {
    "above": ("📈 Price above", "rises above which price?"),
    "below": ("📉 Price below", "falls below which price?"),
    "move": ("↕️ % move", "moves how many percent (either way, within 24 hours)?"),
    "rsi": ("RSI", "RSI(14) on 1h candles: which level?"),
    "volume": ("📊 Volume spike", "trades how many times its usual hourly volume?"),
}


# ---- setting one ---------------------------------------------------------------------------------


def _day(when: datetime, zone: str) -> str:
    local = when.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b}"


def _span(since: datetime, until: datetime) -> str:
    days = (until - since) / timedelta(days=1)
    if days >= 29.5:
        return "the last 30 days"
    if days >= 1.5:
        return f"the last {round(days)} days"
    hours = max(round(days * 24), 1)
    return f"the last {hours} hour{'s' * (hours != 1)}"


def history_line(symbol: str, history: History, zone: str = "UTC") -> str:
    """Would have fired 4 times in the last 30 days, last on 12 Nov."""
    result = history.result
    if result is None:
        return (
            f"I have too few {history.timeframe} candles of {e(symbol)} stored yet to say how "
            "often it would have fired."
        )
    span = _span(result.since, result.until)
    if result.count == 0 or result.last is None:
        return f"It would not have fired in {span}."
    times = "once" if result.count == 1 else f"{result.count} times"
    when = "on" if result.count == 1 else "last on"
    return f"It would have fired {times} in {span}, {when} {_day(result.last, zone)}."


def alert_set(alert_id: int, spec: AlertSpec, history: History, zone: str = "UTC") -> str:
    return (
        f"🔔 Alert #{alert_id} set: {e(describe(spec, zone))}\n"
        f"{history_line(spec.symbol, history, zone)}"
    )


def bad_alert(reason: str) -> str:
    return f"That alert didn't work: {e(reason)}. {HELP_LINK}"


def duplicate(alert_id: int) -> str:
    return f"You already have this alert (#{alert_id}) — see /alerts."


def too_many(cap: int) -> str:
    return (
        f"You have {cap} active alerts, the most one person can keep — pause or delete some "
        "in /alerts first."
    )


def alert_buttons(alert_id: int, status: str) -> list[InlineKeyboardButton]:
    """What can be done to an alert in its state: pause or resume it, delete it."""
    buttons = []
    if status == "active":
        buttons.append(InlineKeyboardButton("⏸ Pause", callback_data=f"{ALERT}:pause:{alert_id}"))
    elif status == "paused":
        buttons.append(InlineKeyboardButton("▶️ Resume", callback_data=f"{ALERT}:resume:{alert_id}"))
    if status != "deleted":
        buttons.append(InlineKeyboardButton("🗑 Delete", callback_data=f"{ALERT}:delete:{alert_id}"))
    return buttons


def card_keyboard(alert_id: int, status: str = "active") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([alert_buttons(alert_id, status)])


def _is_for(button: InlineKeyboardButton, alert_id: int) -> bool:
    data = button.callback_data
    return isinstance(data, str) and data.startswith(f"{ALERT}:") and data.endswith(f":{alert_id}")


def with_status(
    markup: InlineKeyboardMarkup | None, alert_id: int, status: str
) -> InlineKeyboardMarkup | None:
    """Any message's keyboard with one alert's buttons swapped for those of its new status,
    the others (a chart button, say) kept where they were."""
    rows = []
    for row in markup.inline_keyboard if markup is not None else ():
        new: list[InlineKeyboardButton] = []
        for i, button in enumerate(row):
            if not _is_for(button, alert_id):
                new.append(button)
            elif not any(_is_for(b, alert_id) for b in row[:i]):  # the first of them
                new += alert_buttons(alert_id, status)
        if new:
            rows.append(new)
    return InlineKeyboardMarkup(rows) if rows else None


# ---- /alerts -------------------------------------------------------------------------------------


def _fired(alert: AlertSummary, zone: str) -> str:
    if not alert.fire_count or alert.last_fired_at is None:
        return "not fired yet"
    local = alert.last_fired_at.astimezone(ZoneInfo(zone))
    return f"fired {alert.fire_count}×, last {local.day} {local:%b %H:%M}"


def pages(count: int) -> int:
    return max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def alerts_page(
    alerts: Sequence[AlertSummary], page: int, owner: int, zone: str = "UTC"
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a person's alerts, each with its buttons, and ◀ 🔄 ▶ to move about."""
    if not alerts:
        return EMPTY, None
    total = pages(len(alerts))
    page = min(max(page, 0), total - 1)
    shown = alerts[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    counts = {s: sum(a.status == s for a in alerts) for s in _STATUS}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    header = f"<b>Your alerts</b> — {summary}"
    if total > 1:
        header += f" · page {page + 1} of {total}"
    lines, rows = [header], []
    for alert in shown:
        lines.append(f"#{alert.id} {_STATUS[alert.status]} {e(describe(alert.spec, zone))}")
        lines.append(f"      <i>{_fired(alert, zone)}</i>")
        rows.append(
            [
                InlineKeyboardButton(f"{b.text} #{alert.id}", callback_data=b.callback_data)
                for b in alert_buttons(alert.id, alert.status)
            ]
        )
    nav = [InlineKeyboardButton("🔄", callback_data=f"{PAGE}:{owner}:{page}")]
    if page > 0:
        nav.insert(0, InlineKeyboardButton("◀", callback_data=f"{PAGE}:{owner}:{page - 1}"))
    if page < total - 1:
        nav.append(InlineKeyboardButton("▶", callback_data=f"{PAGE}:{owner}:{page + 1}"))
    return fit("\n".join(lines)), InlineKeyboardMarkup([*rows, nav])


def page_of(markup: InlineKeyboardMarkup | None) -> int | None:
    """The page a /alerts message shows (from its 🔄 button); None for any other message."""
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            data = button.callback_data
            if button.text == "🔄" and isinstance(data, str) and data.startswith(f"{PAGE}:"):
                return int(data.rsplit(":", 1)[1])
    return None


# ---- the guided /alert ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    label: str
    words: str  # what the person would have typed after the coin


def _round(value: Decimal, digits: int = 4) -> Decimal:
    """A level people would pick: `digits` significant digits (71,400, not 71,387.46)."""
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent)).normalize()


def suggestions(kind: str, price: Decimal | None) -> list[Suggestion]:
    """Levels to offer as buttons: ±2/5/10 % of the price, RSI 30/70, volume ×2/×3/×5."""
    if kind in ("above", "below"):
        if price is None or price <= 0:
            return []
        sign, op = (1, ">") if kind == "above" else (-1, "<")
        found = []
        for pct in (2, 5, 10):
            level = _round(price * (1 + sign * Decimal(pct) / 100))
            label = f"{'+' if sign > 0 else '−'}{pct}% · {format_level(level)}"
            found.append(Suggestion(label, f"{op} {level:f}"))
        return found
    if kind == "move":
        return [Suggestion(f"±{pct}% in 24h", f"±{pct}% 24h") for pct in (2, 5, 10)]
    if kind == "rsi":
        return [Suggestion("RSI below 30", "rsi < 30"), Suggestion("RSI above 70", "rsi > 70")]
    return [Suggestion(f"×{n}", f"volume x{n}") for n in (2, 3, 5)]


def _cancel(owner: int) -> InlineKeyboardButton:
    return InlineKeyboardButton("✖️ Cancel", callback_data=f"{FLOW}:{owner}:cancel")


def _grid(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def coin_keyboard(owner: int, coins: Sequence[str]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(c, callback_data=f"{FLOW}:{owner}:coin:{c}")
        for c in coins[:FLOW_COINS]
    ]
    return InlineKeyboardMarkup([*_grid(buttons, 4), [_cancel(owner)]])


def ask_kind(symbol: str, price: Decimal | None) -> str:
    now = f" is at {format_level(price)} now" if price is not None else ""
    return f"<b>{e(symbol)}</b>{now}. Tell me when it…"


def kind_keyboard(owner: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(label, callback_data=f"{FLOW}:{owner}:kind:{kind}")
        for kind, (label, _) in KINDS.items()
    ]
    return InlineKeyboardMarkup([*_grid(buttons, 2), [_cancel(owner)]])


def ask_level(symbol: str, kind: str, offered: bool) -> str:
    how = "Pick one or type a number." if offered else "Type a number."
    return f"<b>{e(symbol)}</b> {KINDS[kind][1]} {how}"


def level_keyboard(owner: int, offered: Sequence[Suggestion]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(s.label, callback_data=f"{FLOW}:{owner}:go:{s.words}") for s in offered
    ]
    return InlineKeyboardMarkup([*_grid(buttons, 3), [_cancel(owner)]])


# ---- /quiet and /timezone ------------------------------------------------------------------------


def clock(minutes: int) -> str:
    return f"{minutes // 60:02}:{minutes % 60:02}"


def quiet_now(hours: AlertHours) -> str:
    if hours.quiet_start is None or hours.quiet_end is None:
        return (
            "No quiet hours: alerts arrive as they fire. Set some with "
            "<code>/quiet 22:00-07:00</code>."
        )
    span = f"{clock(hours.quiet_start)}–{clock(hours.quiet_end)} {e(hours.timezone)}"
    return (
        f"Quiet hours: {span}. Alerts that fire then arrive as one summary at "
        f"{clock(hours.quiet_end)}. Change them with <code>/quiet 23:00-06:00</code>, or "
        "<code>/quiet off</code>."
    )


def quiet_set(hours: AlertHours) -> str:
    if hours.quiet_start is None or hours.quiet_end is None:
        return "Quiet hours off: alerts arrive as they fire."
    span = f"{clock(hours.quiet_start)}–{clock(hours.quiet_end)} {e(hours.timezone)}"
    return (
        f"Quiet hours set: {span}. Alerts that fire then arrive as one summary at "
        f"{clock(hours.quiet_end)}."
    )


def bad_quiet(typed: str) -> str:
    return (
        f"I can't read “{e(clip(typed))}” as quiet hours; send them like "
        "<code>/quiet 22:00-07:00</code>, or <code>/quiet off</code>."
    )


def _local_time(zone: str, now: datetime) -> str:
    return f"{now.astimezone(ZoneInfo(zone)):%H:%M}"


def timezone_now(zone: str, now: datetime) -> str:
    return (
        f"Your time zone: {e(zone)} ({_local_time(zone, now)} there now). Change it with "
        "<code>/timezone Europe/Berlin</code>."
    )


def timezone_set(zone: str, now: datetime) -> str:
    return f"Time zone set: {e(zone)} — it's {_local_time(zone, now)} there now."


def bad_timezone(typed: str) -> str:
    return (
        f"I don't know the time zone “{e(clip(typed))}”; send one like "
        "<code>/timezone Europe/Berlin</code> or <code>/timezone America/New_York</code>."
    )
