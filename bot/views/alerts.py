"""/alert's reply and /alerts: a new alert's card, a chat's alerts page by page (a person's
own, or a group's), and the Pause / Resume / Delete buttons they (and a fired alert) carry;
what a group's members hear when they try to change its alerts. Pure: values in, HTML and
keyboards out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import AlertAction, AlertsPage, decode, encode
from bot.i18n import Texts
from bot.views.alert_specs import describe, history_line
from bot.views.common import fit
from bot.views.markets import origin_line
from services.alerts import AlertSet, AlertSummary

GROUP_LIST = 0  # AlertsPage.owner of a group's list: no one person's (the group's admins')
PAGE_SIZE = 8
STATUS_ICONS = {"active": "🟢", "paused": "⏸", "fired": "✔️", "expired": "⌛"}
REFRESH = "🔄"


# ---- a new alert ---------------------------------------------------------------------------------


def alert_set(t: Texts, done: AlertSet) -> str:
    """🔔 Alert #12 set: BTC rises above 70,000 USD — once, and how often it would have fired."""
    first = t._(
        "🔔 Alert #{alert_id} set: {description}",
        alert_id=done.alert_id,
        description=describe(t, done.spec, done.zone),
    )
    said = history_line(t, done.spec.symbol, done.history, done.zone)
    if done.origin is not None:  # the candles it was tested on came from there
        said += " " + t._("Market: {market}.", market=origin_line(t, done.origin))
    return first + "\n" + said


def see_help(t: Texts) -> str:
    """Said after a refusal of what was typed."""
    return t._("See <code>/help alert</code> for what works.")


def alert_buttons(
    t: Texts, alert_id: int, status: str, owner: int | None = None
) -> list[InlineKeyboardButton]:
    """What can be done to an alert in its state: pause or resume it, delete it."""
    buttons = []
    if status == "active":
        pause = AlertAction("pause", alert_id, owner)
        buttons.append(_button("⏸ " + t.pgettext("button", "Pause"), pause))
    elif status == "paused":
        resume = AlertAction("resume", alert_id, owner)
        buttons.append(_button("▶️ " + t.pgettext("button", "Resume"), resume))
    if status != "deleted":
        delete = AlertAction("delete", alert_id, owner)
        buttons.append(_button("🗑 " + t.pgettext("button", "Delete"), delete))
    return buttons


def card_keyboard(
    t: Texts, alert_id: int, status: str = "active", owner: int | None = None
) -> InlineKeyboardMarkup | None:
    buttons = alert_buttons(t, alert_id, status, owner)
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _button(label: str, data: AlertAction | AlertsPage) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(data))


def _is_for(button: InlineKeyboardButton, alert_id: int) -> bool:
    pressed = decode(button.callback_data)
    return isinstance(pressed, AlertAction) and pressed.alert_id == alert_id


def with_status(
    t: Texts, markup: InlineKeyboardMarkup | None, alert_id: int, status: str, owner: int | None
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
                new += alert_buttons(t, alert_id, status, owner)
        if new:
            rows.append(new)
    return InlineKeyboardMarkup(rows) if rows else None


# ---- /alerts -------------------------------------------------------------------------------------


def pages(count: int) -> int:
    return max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)


def _counts(t: Texts, alerts: Sequence[AlertSummary]) -> str:
    said = {
        "active": lambda n: t.ngettext("{count} active", "{count} active", n, count=t.number(n)),
        "paused": lambda n: t.ngettext("{count} paused", "{count} paused", n, count=t.number(n)),
        "fired": lambda n: t.ngettext("{count} fired", "{count} fired", n, count=t.number(n)),
        "expired": lambda n: t.ngettext("{count} expired", "{count} expired", n, count=t.number(n)),
    }
    counts = {status: sum(a.status == status for a in alerts) for status in said}
    return ", ".join(say(counts[status]) for status, say in said.items() if counts[status])


def _status(t: Texts, status: str) -> str:
    word = {
        "paused": t.pgettext("alert status", "paused"),
        "fired": t.pgettext("alert status", "fired"),
        "expired": t.pgettext("alert status", "expired"),
    }.get(status)
    return STATUS_ICONS[status] + (f" {word}" if word else "")


def _fired(t: Texts, alert: AlertSummary, zone: str) -> str:
    if not alert.fire_count or alert.last_fired_at is None:
        return t._("not fired yet")
    when = t.day(alert.last_fired_at, zone) + " " + t.time(alert.last_fired_at, zone)
    return t._("fired {count}×, last {when}", count=t.number(alert.fire_count), when=when)


def _header(t: Texts, counts: str, page: int, total: int, group: bool) -> str:
    numbers = {"counts": counts, "page": t.number(page + 1), "pages": t.number(total)}
    if group and total > 1:
        return t._("<b>This group's alerts</b> — {counts} · page {page} of {pages}", **numbers)
    if group:
        return t._("<b>This group's alerts</b> — {counts}", counts=counts)
    if total > 1:
        return t._("<b>Your alerts</b> — {counts} · page {page} of {pages}", **numbers)
    return t._("<b>Your alerts</b> — {counts}", counts=counts)


def alerts_page(
    t: Texts,
    alerts: Sequence[AlertSummary],
    page: int,
    owner: int | None,
    zone: str = "UTC",
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a chat's alerts, each with its buttons, and ◀ 🔄 ▶ to move about: a
    person's own (`owner` their id), or a group's (`owner` None: its admins press them)."""
    group = owner is None
    if not alerts:
        return (group_empty(t) if group else empty(t)), None
    total = pages(len(alerts))
    page = min(max(page, 0), total - 1)
    header = _header(t, _counts(t, alerts), page, total, group)
    lines, rows = [header], []
    listed = GROUP_LIST if owner is None else owner
    for alert in alerts[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
        lines.append(f"#{alert.id} {_status(t, alert.status)} {describe(t, alert.spec, zone)}")
        lines.append(f"      <i>{_fired(t, alert, zone)}</i>")
        rows.append(
            [
                InlineKeyboardButton(f"{b.text} #{alert.id}", callback_data=b.callback_data)
                for b in alert_buttons(t, alert.id, alert.status, owner)
            ]
        )
    nav = [_button(REFRESH, AlertsPage(listed, page))]
    if page > 0:
        nav.insert(0, _button("◀", AlertsPage(listed, page - 1)))
    if page < total - 1:
        nav.append(_button("▶", AlertsPage(listed, page + 1)))
    return fit("\n".join(lines)), InlineKeyboardMarkup([*rows, nav])


def empty(t: Texts) -> str:
    return t._(
        "You have no alerts — set one with <code>/alert BTC &gt; 70000</code>, or send /alert "
        "and I'll walk you through it."
    )


def page_of(markup: InlineKeyboardMarkup | None) -> int | None:
    """The page a /alerts message shows (from its 🔄 button); None for any other message."""
    for row in markup.inline_keyboard if markup is not None else ():
        for button in row:
            pressed = decode(button.callback_data)
            if button.text == REFRESH and isinstance(pressed, AlertsPage):
                return pressed.page
    return None


def not_your_list(t: Texts) -> str:
    return t._("These are someone else's alerts — send /alerts for yours.")


def group_empty(t: Texts) -> str:
    return t._(
        "This group has no alerts — its admins can set one with "
        "<code>/alert BTC &gt; 70000</code>, and it will post here."
    )


def members_refused(t: Texts, bot: str) -> str:
    """A member's /alert in a group: one line, and where to set their own."""
    link = escape(f"https://t.me/{bot}?start=alerts", quote=True)
    return t._(
        "Only this group's admins can set alerts that post here — "
        '<a href="{link}">set your own in a private chat with me</a>.',
        link=link,
    )


def anonymous_flow(t: Texts) -> str:
    """/alert alone from an anonymous admin: the buttons would be pressed by someone else."""
    return t._(
        "Sent as the group, /alert can't walk you through it with buttons — type the alert in "
        "one line, like <code>/alert BTC &gt; 70000</code>."
    )


def start_alerts(t: Texts) -> str:
    """After /start from a group's link to set an alert privately."""
    return t._(
        "To set an alert, send it in one line — <code>/alert BTC &gt; 70000</code>, "
        "<code>/alert ETH -5% 1h</code> — or send /alert alone and I'll walk you through it. "
        "/alerts lists yours."
    )
