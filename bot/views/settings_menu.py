"""/settings: one message with a person's choices and a button for each, each page edited in
place (language, time zone, currency, cost basis, quiet hours, notices), with ◀ Back. Pure:
preferences in, HTML and keyboards out, in the person's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import SETTINGS, SettingsButton, encode
from bot.i18n import LANGUAGE_NAMES, N_, Texts
from bot.views.common import clip, e
from bot.views.portfolio import METHOD_NAMES
from bot.views.quiet_hours import clock
from bot.views.refusals import says
from core.people import LANGUAGES, MUTABLE, Preferences

Page = tuple[str, InlineKeyboardMarkup]

# Quiet-hours presets: a button's value and the hours (minutes after local midnight).
QUIET_PRESETS: dict[str, tuple[int, int] | None] = {
    "off": None,
    "22-07": (22 * 60, 7 * 60),
    "23-08": (23 * 60, 8 * 60),
    "00-08": (0, 8 * 60),
}
# Each kind of notice a person may mute, said.
NOTICE_NAMES = {
    "news_story": N_("News stories about the coins you follow"),
    "chat_paused": N_("When I'm removed from a group or channel you set me up in"),
    "broadcast": N_("Announcements from the people who run me"),
}
METHOD_BUTTONS = {"fifo": N_("FIFO"), "average": N_("Average cost")}
MUTE, HEAR = "-", "+"  # after a notice kind in a button's value: what pressing it does


def notice_choice(value: str) -> tuple[str, bool] | None:
    """(kind, mute) a Notices button's value asks for; None for anything else."""
    kind, last = value[:-1], value[-1:]
    return (kind, last == MUTE) if kind in MUTABLE and last in (MUTE, HEAR) else None


def _button(label: str, page: str, owner: int, value: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(SettingsButton(page, owner, value)))


def _back(t: Texts, owner: int) -> list[InlineKeyboardButton]:
    return [_button(t._("◀ Back"), "menu", owner)]


def _tick(label: str, chosen: bool) -> str:
    return ("✓ " if chosen else "") + label


def _with(said: str | None, text: str) -> str:
    return f"{said}\n\n{text}" if said else text


def quiet_words(t: Texts, hours: tuple[int, int] | None) -> str:
    if hours is None:
        return t._("off")
    return f"{clock(hours[0])}–{clock(hours[1])}"


def notices_words(t: Texts, muted: Sequence[str]) -> str:
    count = sum(kind in muted for kind in MUTABLE)
    if not count:
        return t._("all on")
    return t.ngettext("{count} kind muted", "{count} kinds muted", count, count=count)


# ---- the main page --------------------------------------------------------------------------


def menu(t: Texts, owner: int, chosen: Preferences, now: datetime, said: str | None = None) -> Page:
    """The person's choices, one line each, and a button for each; `said`: what a change just
    did, on top."""
    lines = [
        t._("<b>Your settings</b>"),
        t._(
            "Language: {language}",
            language=LANGUAGE_NAMES[chosen.language if chosen.language in LANGUAGES else "en"],
        ),
        t._(
            "Time zone: {zone} ({time} there now)",
            zone=e(chosen.timezone),
            time=t.time(now, chosen.timezone),
        ),
        t._("Portfolio currency: {quote}", quote=e(chosen.quote)),
        t._("Cost basis: {method}", method=t._(METHOD_NAMES[chosen.method])),
        t._("Quiet hours: {hours}", hours=quiet_words(t, chosen.quiet_hours)),
        t._("Notices: {notices}", notices=notices_words(t, chosen.muted)),
    ]
    rows = [
        [_button(t._("🌐 Language"), "lang", owner), _button(t._("🕒 Time zone"), "tz", owner)],
        [_button(t._("💵 Currency"), "cur", owner), _button(t._("📊 Cost basis"), "cb", owner)],
        [
            _button(t._("🌙 Quiet hours"), "quiet", owner),
            _button(t._("🔔 Notices"), "notes", owner),
        ],
    ]
    return _with(said, "\n".join(lines)), InlineKeyboardMarkup(rows)


# ---- one page per setting -------------------------------------------------------------------


def language_page(t: Texts, owner: int, said: str | None = None) -> Page:
    """The three languages, each named in itself, the current one ticked."""
    text = t._("Choose the language I speak to you in:")
    row = [
        _button(_tick(LANGUAGE_NAMES[code], code == t.language), "lang", owner, code)
        for code in LANGUAGES
    ]
    return _with(said, text), InlineKeyboardMarkup([row, _back(t, owner)])


def currency_page(t: Texts, owner: int, quote: str, said: str | None = None) -> Page:
    text = t._(
        "Your portfolio is kept in <b>{quote}</b>. USDT and USDC trades count as USD unless you "
        "choose one of them.",
        quote=e(quote),
    )
    row = [_button(_tick(q, q == quote), "cur", owner, q) for q in SETTINGS["currency"]]
    return _with(said, text), InlineKeyboardMarkup([row, _back(t, owner)])


def cost_basis_page(t: Texts, owner: int, method: str, said: str | None = None) -> Page:
    text = t._(
        "How the cost of what you sell is counted: FIFO (the oldest units are sold first) or "
        "average cost (every unit held costs the same). Changing it counts all your trades "
        "again."
    )
    row = [
        _button(_tick(t._(METHOD_BUTTONS[m]), m == method), "cb", owner, m)
        for m in SETTINGS["costbasis"]
    ]
    return _with(said, text), InlineKeyboardMarkup([row, _back(t, owner)])


def cost_basis_set(t: Texts, method: str, changed: bool, trades: int) -> str:
    """What choosing a cost basis did: in /settings (always private) with the trades counted."""
    name = t._(METHOD_NAMES[method])
    if not changed:
        return t._("Your cost basis is already {method}.", method=name)
    return t.ngettext(
        "Cost basis set to <b>{method}</b> — {count} trade is counted again with it.",
        "Cost basis set to <b>{method}</b> — {count} trades are counted again with it.",
        trades,
        method=name,
        count=t.number(trades),
    )


def quiet_page(t: Texts, owner: int, chosen: Preferences, said: str | None = None) -> Page:
    hours = chosen.quiet_hours
    text = t._(
        "Quiet hours: {hours} ({zone}). Alerts that fire then arrive as one summary when they "
        "end; news waits. For other hours type <code>/quiet 22:30-06:30</code>.",
        hours=quiet_words(t, hours),
        zone=e(chosen.timezone),
    )
    buttons = [
        _button(_tick(quiet_words(t, preset), preset == hours), "quiet", owner, value)
        for value, preset in QUIET_PRESETS.items()
    ]
    return _with(said, text), InlineKeyboardMarkup([buttons[:2], buttons[2:], _back(t, owner)])


def notices_page(t: Texts, owner: int, muted: Sequence[str], said: str | None = None) -> Page:
    """Each kind a person may mute, on or off, a button to switch it."""
    lines = [t._("<b>Notices</b> — press one to mute it or hear it again:")]
    rows = []
    for kind in MUTABLE:
        name, on = t._(NOTICE_NAMES[kind]), kind not in muted
        lines.append(("🔔 " if on else "🔕 ") + name)
        target = f"{kind}{MUTE if on else HEAR}"  # what pressing it makes it: twice is once
        rows.append([_button(("🔔 " if on else "🔕 ") + clip(name, 48), "notes", owner, target)])
    lines.append(t._("Your own alerts always come. A chat's digests are set with /digest there."))
    return _with(said, "\n".join(lines)), InlineKeyboardMarkup([*rows, _back(t, owner)])


def notice_set(t: Texts, kind: str, muted: bool) -> str:
    name = t._(NOTICE_NAMES[kind])
    if muted:
        return t._("Muted: {notice}.", notice=name)
    return t._("You'll hear this again: {notice}.", notice=name)


# ---- the time zone: a search by city --------------------------------------------------------


def zone_ask(t: Texts, owner: int, zone: str, said: str | None = None) -> Page:
    """Asks for a city or zone (the next text message is the search)."""
    text = t._(
        "Your time zone: {zone}. Type a city or zone to change it — for example Berlin, New "
        "York, São Paulo or Tokyo.",
        zone=e(zone),
    )
    return _with(said, text), InlineKeyboardMarkup([_back(t, owner)])


def zones_found(t: Texts, owner: int, typed: str, zones: Sequence[str]) -> Page:
    """The zones a typed search may mean, one button each (up to 8)."""
    text = t._("Time zones for “{typed}” — choose yours:", typed=e(clip(typed, 40)))
    rows = []
    for zone in zones:
        try:
            rows.append([_button(zone.replace("_", " "), "zone", owner, zone)])
        except ValueError:  # a name whose button would not fit Telegram's 64 bytes
            continue
    rows.append([_button(t._("🔍 Search again"), "tz", owner), *_back(t, owner)])
    return text, InlineKeyboardMarkup(rows)


def no_zone_found(t: Texts, typed: str) -> str:
    return t._(
        "No time zone matches “{typed}”. Type a city such as Berlin, New York or Tokyo, or a "
        "zone such as Europe/Madrid.",
        typed=e(clip(typed, 40)),
    )


def refused(t: Texts, owner: int, said: str) -> Page:
    """A choice that could not be made (a forged button, say): why, and Back."""
    return said, InlineKeyboardMarkup([_back(t, owner)])


def not_yours(t: Texts) -> str:
    """A press on someone else's settings (plain text: an alert)."""
    return t._("These are someone else's settings — send /settings for yours.")


def sent_privately(t: Texts) -> str:
    return t._("I've sent your settings to you in a private chat.")


def cannot_reach(t: Texts, bot_username: str) -> str:
    link = f'<a href="https://t.me/{e(bot_username)}">@{e(bot_username)}</a>'
    return t._(
        "Your settings are yours alone: start a private chat with me ({bot}), then send "
        "/settings there.",
        bot=link,
    )


@says("notices.unknown")
def _unknown_notice(t: Texts, typed: str) -> str:
    return t._("That kind of notice can't be muted; your own alerts always come. See /settings.")
