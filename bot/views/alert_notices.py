"""A fired alert as its recipient reads it, rendered when the sender sends it: in their
language and time zone, with 📈 Chart and ⏸ Pause; and the one summary of the alerts that
fired during their quiet hours. Pure: a notice (`core.notices.AlertFired`) in, HTML out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import AlertAction, AlertChart, encode
from bot.i18n import Texts
from bot.views.alert_specs import chance_pct, condition_line, describe, sentiment_value
from bot.views.common import MAX_MESSAGE, e, telegram_length
from bot.views.quiet_hours import clock
from core.alerts.spec import AlertSpec, NewsBurst, PredictionLevel, SentimentLevel
from core.alerts.storage import spec_of
from core.notices import AlertFired, Headline

MAX_HEADLINES = 3
MAX_HEADLINE = 200  # characters of a headline's title shown
MAX_TEXT = 4000  # under Telegram's 4096, with room to spare


def fired_text(t: Texts, notice: AlertFired, zone: str = "UTC") -> str:
    """What fired, the price now and its change, when, and what happens next (and the news)."""
    spec = spec_of(notice.condition)
    lines = [
        f"🔔 <b>{describe(t, spec, zone)}</b>",
        _value_line(t, notice, spec),
        _price_line(t, notice),
        f"<i>{t.moment(notice.at, zone)}</i>",
        _next(t, notice, spec, zone),
    ]
    text = "\n".join(line for line in lines if line)
    news = _headlines(t, spec, notice.headlines)
    text = text if not news or len(text) + len(news) > MAX_TEXT else f"{text}\n\n{news}"
    if isinstance(spec.condition, PredictionLevel):
        return f"{text}\n\n<i>{t._('Not financial advice.')}</i>"
    return text


def _value_line(t: Texts, notice: AlertFired, spec: AlertSpec) -> str:
    """A news alert's reading: the sentiment index at the crossing, or the stories counted."""
    c, value, symbol = spec.condition, notice.value, e(spec.symbol)
    if value is None:
        return ""
    if isinstance(c, SentimentLevel):
        return t._(
            "{symbol} news sentiment is at <code>{value}</code>",
            symbol=symbol,
            value=sentiment_value(t, float(value)),
        )
    if isinstance(c, PredictionLevel):
        return _forecast_lines(t, notice, c)
    if isinstance(c, NewsBurst):
        count = int(value)
        return t.ngettext(
            "{count} story about {symbol} within {window}",
            "{count} stories about {symbol} within {window}",
            count,
            count=t.number(count),
            symbol=symbol,
            window=t.duration(c.window),
        )
    return ""


def _forecast_lines(t: Texts, notice: AlertFired, c: PredictionLevel) -> str:
    """The chance the model gives the alert's side, and how right its forecasts have been."""
    assert notice.value is not None
    values = {
        "symbol": e(notice.condition.symbol),
        "chance": chance_pct(t, notice.value),
        "horizon": c.horizon,
    }
    if c.side == "up":
        said = t._(
            "The model gives {symbol} a {chance} chance of being higher in {horizon}.", **values
        )
    else:
        said = t._(
            "The model gives {symbol} a {chance} chance of being lower in {horizon}.", **values
        )
    record = notice.record
    if record is None or record.resolved == 0:
        return f"{said}\n" + t._("Record at {horizon}: none resolved yet.", **values)
    right = Decimal(record.correct * 100) / record.resolved
    line = t.ngettext(
        "Record at {horizon}: right {share} of {count} resolved forecast.",
        "Record at {horizon}: right {share} of {count} resolved forecasts.",
        record.resolved,
        share=t.pct(right, places=0, signed=False),
        count=t.number(record.resolved),
        **values,
    )
    return f"{said}\n{line}"


def fired_keyboard(t: Texts, notice: AlertFired) -> InlineKeyboardMarkup:
    chart = AlertChart(notice.condition.symbol)
    pause = AlertAction("pause", notice.alert_id, notice.user_id)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "📈 " + t.pgettext("button", "Chart"), callback_data=encode(chart)
                ),
                InlineKeyboardButton(
                    "⏸ " + t.pgettext("button", "Pause"), callback_data=encode(pause)
                ),
            ]
        ]
    )


def fired_line(t: Texts, notice: AlertFired, zone: str = "UTC") -> str:
    """One line of a quiet-hours summary: BTC rises above 70,000 USD — 70,012.50 USDT at 03:12."""
    if notice.price is None:
        return t._(
            "{condition} — at {time}",
            condition=condition_line(t, spec_of(notice.condition)),
            time=t.time(notice.at, zone),
        )
    return t._(
        "{condition} — <code>{price}</code> {quote} at {time}",
        condition=condition_line(t, spec_of(notice.condition)),
        price=t.price(notice.price),
        quote=e(notice.quote),
        time=t.time(notice.at, zone),
    )


def away_summary(
    t: Texts,
    lines: Sequence[str],
    window: tuple[int, int] | None = None,
    limit: int = MAX_MESSAGE,
) -> str:
    """One message for the alerts that fired during quiet hours (`window`, in minutes after
    local midnight); `lines` are one line of HTML each. Cut to fit `limit`."""
    count = len(lines)
    if window is None:
        header = t.ngettext(
            "While you were away, {count} alert fired:",
            "While you were away, {count} alerts fired:",
            count,
            count=t.number(count),
        )
    else:
        header = t.ngettext(
            "While you were away ({start}–{end}), {count} alert fired:",
            "While you were away ({start}–{end}), {count} alerts fired:",
            count,
            count=t.number(count),
            start=clock(window[0]),
            end=clock(window[1]),
        )
    shown, used = [header], telegram_length(header)
    for i, line in enumerate(lines):
        item = f"• {line}"
        more = _more(t, count - i - 1) if i < count - 1 else ""
        if used + 1 + telegram_length(item) + 1 + telegram_length(more) > limit:
            shown.append(_more(t, count - i))
            break
        shown.append(item)
        used += 1 + telegram_length(item)
    return "\n".join(shown)


def _more(t: Texts, count: int) -> str:
    return t._("…and {count} more", count=t.number(count))


def _price_line(t: Texts, notice: AlertFired) -> str:
    """BTC is at 70,012.50 USDT  ▲ +2.31% in 1 day (nothing when no price is known)"""
    if notice.price is None:
        return ""
    line = t._(
        "{symbol} is at <code>{price}</code> {quote}",
        symbol=e(notice.condition.symbol),
        price=t.price(notice.price),
        quote=e(notice.quote),
    )
    pct = notice.change_pct
    if pct is None:
        return line
    arrow = "▲" if pct > 0 else "▼" if pct < 0 else "•"
    if notice.change_window is None:
        return f"{line}  {arrow} {t.pct(pct)}"
    change = t._("{change} in {window}", change=t.pct(pct), window=t.duration(notice.change_window))
    return f"{line}  {arrow} {change}"


def _next(t: Texts, notice: AlertFired, spec: AlertSpec, zone: str) -> str:
    if spec.cooldown is None:
        return t._("It fired once and is now off; set a new one with /alert.")
    values = {
        "time": t.time(notice.at + spec.cooldown, zone),
        "cooldown": t.duration(spec.cooldown),
    }
    if notice.fire_count == 2:
        return t._(
            "Fired twice; it can fire again from {time} (at most every {cooldown}).", **values
        )
    return t.ngettext(
        "Fired once; it can fire again from {time} (at most every {cooldown}).",
        "Fired {count} times; it can fire again from {time} (at most every {cooldown}).",
        notice.fire_count,
        count=t.number(notice.fire_count),
        **values,
    )


def _headlines(t: Texts, spec: AlertSpec, headlines: Sequence[Headline]) -> str:
    """The stories under the alert: a linked title, its publisher and how many carried it."""
    lines = []
    for item in headlines[:MAX_HEADLINES]:
        title = item.title.strip()
        if not title:
            continue
        shown = e(title if len(title) <= MAX_HEADLINE else title[: MAX_HEADLINE - 1] + "…")
        if item.url and item.url.startswith(("https://", "http://")):
            shown = f'<a href="{escape(item.url, quote=True)}">{shown}</a>'
        line = f"• {shown}" + (f" — <i>{e(item.source)}</i>" if item.source else "")
        if item.publishers > 1:
            line += " · " + t.ngettext(
                "{count} publisher",
                "{count} publishers",
                item.publishers,
                count=t.number(item.publishers),
            )
        lines.append(line)
    if not lines:
        return ""
    if isinstance(spec.condition, SentimentLevel | NewsBurst):
        header = t._("📰 <b>The stories behind it</b>")
    else:
        header = t._("📰 <b>Latest on {symbol}</b>", symbol=e(spec.symbol))
    return header + "\n" + "\n".join(lines)
