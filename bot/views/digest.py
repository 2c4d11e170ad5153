"""/digest in a chat: the chat's digests with their buttons, a digest's section toggles, the
how-to, and what changing the chat's coins, zone and language says back — in the chat's
language. Pure: values in, HTML and keyboards out.

A schedule is said in words (`every day at 08:00 (Europe/Madrid)`, `Mondays at 09:30`,
`every 6 hours`); the next run is a moment in the chat's zone. Refusals of the digest service
(`digest.*`, `chat.unknown`) are said here too."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import DigestButton, encode
from bot.i18n import N_, Texts
from bot.i18n.texts import LANGUAGE_NAMES
from bot.views.common import clip, e, fit
from bot.views.refusals import says
from core.chats import ChatSettings
from core.digest.schedule import Schedule
from services.digests import DigestView

SECTION_NAMES = {
    "overview": N_("Market overview"),
    "movers": N_("Top movers"),
    "news": N_("News and sentiment"),
    "predictions": N_("Predictions and their record"),
    "chart": N_("Chart"),
}
# the day of a weekly digest, as its own phrase: the article and case each language needs
WEEKLY = (
    N_("Mondays at {time}"),
    N_("Tuesdays at {time}"),
    N_("Wednesdays at {time}"),
    N_("Thursdays at {time}"),
    N_("Fridays at {time}"),
    N_("Saturdays at {time}"),
    N_("Sundays at {time}"),
)
ON, OFF = "✅", "▫️"
EXAMPLES = (
    "<code>/digest daily 08:00</code>",
    "<code>/digest weekly mon 09:30</code>",
    "<code>/digest every 6h</code>",
)


# ---- words -------------------------------------------------------------------------------------


def schedule_words(t: Texts, schedule: Schedule, zone: str) -> str:
    """every day at 08:00 (Europe/Madrid) · Mondays at 09:30 (Europe/Madrid) · every 6 hours."""
    if schedule.kind == "every":
        hours = schedule.every_hours or 1
        return t.ngettext("every hour", "every {hours} hours", hours, hours=t.number(hours))
    clock = f"{schedule.at:%H:%M}"
    if schedule.kind == "weekly":
        said = t._(WEEKLY[schedule.weekday or 0], time=clock)
    else:
        said = t._("every day at {time}", time=clock)
    return f"{said} ({e(zone)})"


def section_name(t: Texts, section: str) -> str:
    return t._(SECTION_NAMES[section]) if section in SECTION_NAMES else e(section)


def _coins(coins: Sequence[str]) -> str:
    return ", ".join(e(c) for c in coins) if coins else "—"


def _card(t: Texts, digest: DigestView, number: int, now: datetime) -> list[str]:
    """One digest of the list: its schedule, state, sections, coins and next run."""
    head = f"<b>{number}.</b> " + schedule_words(t, digest.schedule, digest.zone)
    if not digest.active:
        head += " — ⏸ " + t._("paused")
    lines = [
        head,
        t._(
            "Sections: {sections}", sections=t.and_list(section_name(t, s) for s in digest.sections)
        ),
        t._("Coins: {coins}", coins=_coins(digest.coins)),
    ]
    if digest.active and digest.next_run_at is not None:
        lines.append(t._("Next: {moment}", moment=t.moment(digest.next_run_at, digest.zone)))
    return lines


# ---- the list ------------------------------------------------------------------------------------


def digest_list(
    t: Texts,
    digests: Sequence[DigestView],
    chat_id: int,
    now: datetime,
    *,
    where: str | None = None,
    said: str | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The chat's digests, each with ⏸/▶ 🗑 🧩 👁; with none, how to make one. `where`: the
    channel's name when configured from a private chat; `said`: a line first (what a press
    did)."""
    lines = [said, ""] if said else []
    if not digests:
        return "\n".join([*lines, how_to(t, where)]), None
    title = t._("🗞 Digests") if where is None else t._("🗞 Digests of {channel}", channel=e(where))
    lines.append(f"<b>{title}</b>")
    rows = []
    for number, digest in enumerate(digests, 1):
        lines += ["", *_card(t, digest, number, now)]
        rows += digest_buttons(t, digest, chat_id, number if len(digests) > 1 else None)
    return fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def digest_buttons(
    t: Texts, digest: DigestView, chat_id: int, number: int | None = None
) -> list[list[InlineKeyboardButton]]:
    """[⏸ Pause | ▶ Resume] [🗑 Delete] [🧩 Sections] [👁 Preview] of one digest (numbered
    when the list has several)."""
    mark = f"{number}· " if number is not None else ""
    switch = (
        ("pause", "⏸ " + t.pgettext("button", "Pause"))
        if digest.active
        else ("resume", "▶️ " + t.pgettext("button", "Resume"))
    )
    pairs = [
        switch,
        ("delete", "🗑 " + t.pgettext("button", "Delete")),
        ("sections", "🧩 " + t.pgettext("button", "Sections")),
        ("preview", "👁 " + t.pgettext("button", "Preview")),
    ]
    buttons = [_button(mark + label, action, chat_id, digest.id) for action, label in pairs]
    return [buttons[:2], buttons[2:]]


def how_to(t: Texts, where: str | None = None) -> str:
    """No digests yet: what /digest does and three examples."""
    examples = " · ".join(_for(x, where) for x in EXAMPLES)
    return "\n".join(
        [
            t._("No digests here yet.")
            if where is None
            else t._("{channel} has no digests yet.", channel=e(where)),
            t._(
                "A digest posts a market summary on a schedule — prices and 24 h change, top "
                "movers, news and sentiment, predictions, a chart — in this chat's time zone."
            ),
            t._("Try {examples}.", examples=examples),
        ]
    )


def _for(example: str, where: str | None) -> str:
    """An example command, aimed at the channel when there is one."""
    return example if where is None else example.replace("/digest", f"/digest {e(where)}", 1)


# ---- a digest's sections -----------------------------------------------------------------------


def sections_editor(
    t: Texts,
    digest: DigestView,
    offered: Sequence[str],
    chat_id: int,
    *,
    created: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """A digest and its section toggles (✅ on, ▫️ off; only sections offered), 👁 Preview
    and ✔ Done."""
    said = schedule_words(t, digest.schedule, digest.zone)
    first = (
        t._("🗞 Digest set: {schedule}.", schedule=said)
        if created
        else t._("🗞 Digest: {schedule}.", schedule=said)
    )
    lines = [first, t._("Coins: {coins}", coins=_coins(digest.coins))]
    if digest.active and digest.next_run_at is not None:
        lines.append(t._("Next: {moment}", moment=t.moment(digest.next_run_at, digest.zone)))
    lines.append(t._("Choose its sections:"))
    rows = [
        [
            _button(
                f"{ON if name in digest.sections else OFF} {section_name(t, name)}",
                "toggle",
                chat_id,
                digest.id,
                name,
            )
        ]
        for name in offered
    ]
    rows.append(
        [
            _button("👁 " + t.pgettext("button", "Preview"), "preview", chat_id, digest.id),
            _button("✔ " + t.pgettext("button", "Done"), "done", chat_id, digest.id),
        ]
    )
    return fit("\n".join(lines)), InlineKeyboardMarkup(rows)


def _button(
    label: str, action: str, chat_id: int, digest_id: int | None, section: str | None = None
) -> InlineKeyboardButton:
    data = encode(DigestButton(action, chat_id, digest_id, section))
    return InlineKeyboardButton(label, callback_data=data)


# ---- what a change says --------------------------------------------------------------------------


def deleted(t: Texts, digest: DigestView) -> str:
    return t._(
        "🗑 Deleted the digest {schedule}.",
        schedule=schedule_words(t, digest.schedule, digest.zone),
    )


def paused(t: Texts, digest: DigestView) -> str:
    return t._(
        "⏸ Paused the digest {schedule}.", schedule=schedule_words(t, digest.schedule, digest.zone)
    )


def resumed(t: Texts, digest: DigestView) -> str:
    return t._(
        "▶️ Resumed the digest {schedule}.",
        schedule=schedule_words(t, digest.schedule, digest.zone),
    )


def coins_set(t: Texts, digests: Sequence[DigestView]) -> str:
    coins = digests[0].coins if digests else ()
    return t.ngettext(
        "🪙 The digest here now shows {coins}.",
        "🪙 The {count} digests here now show {coins}.",
        len(digests),
        count=t.number(len(digests)),
        coins=_coins(coins),
    )


def zone_set(t: Texts, chat: ChatSettings, now: datetime) -> str:
    return t._(
        "🕰 This chat's digests now run in {zone} (it is {time} there).",
        zone=e(chat.timezone),
        time=t.time(now, chat.timezone),
    )


def language_set(t: Texts, language: str) -> str:
    name = LANGUAGE_NAMES.get(language, language)
    return t._("🗣 This chat's digests are now in {language}.", language=e(name))


def channel_admins_only(t: Texts, channel: str) -> str:
    """A person (no longer) admin of the channel they aim at."""
    return t._("Only {channel}'s admins can change its digests.", channel=e(channel))


def no_digests_for_coins(t: Texts) -> str:
    return t._(
        "There is no digest here to set coins for yet — make one first, like "
        "<code>/digest daily 08:00</code>."
    )


def zone_unknown(t: Texts, typed: str, suggestions: Sequence[str] = ()) -> str:
    """/digest zone with a zone that is none: what would work."""
    if suggestions:
        return t._(
            "I don't know the time zone “{typed}”; did you mean {choices}?",
            typed=e(clip(typed)),
            choices=t.or_list(f"<code>/digest zone {e(z)}</code>" for z in suggestions),
        )
    return t._(
        "I don't know the time zone “{typed}”; send one like "
        "<code>/digest zone Europe/Madrid</code>.",
        typed=e(clip(typed)),
    )


def language_unknown(t: Texts, typed: str, languages: Sequence[str]) -> str:
    return t._(
        "I don't speak “{typed}”. Choose {choices}.",
        typed=e(clip(typed)),
        choices=t.or_list(f"<code>/digest language {code}</code>" for code in languages),
    )


def what_to_type(t: Texts, what: str) -> str:
    """`/digest coins`, `/digest zone`, `/digest language` with nothing after them."""
    examples = {
        "coins": "<code>/digest coins BTC ETH SOL</code>",
        "zone": "<code>/digest zone Europe/Madrid</code>",
        "language": "<code>/digest language es</code>",
    }
    return t._("Add what to set, like {example}.", example=examples[what])


# ---- refusals of the digest service --------------------------------------------------------------


@says("digest.schedule")
def _schedule(t: Texts, typed: str) -> str:
    return t._(
        "I can't read “{typed}” as a schedule. Try {examples} (24-hour clock; every 1, 2, 3, "
        "4, 6, 8 or 12 hours).",
        typed=e(clip(typed, 40)),
        examples=t.or_list(EXAMPLES),
    )


@says("digest.unknown")
def _unknown(t: Texts, digest_id: int) -> str:
    return t._("That digest is gone — send /digest to see this chat's digests.")


@says("digest.too_many")
def _too_many(t: Texts, most: int) -> str:
    return t.ngettext(
        "A chat can have {most} digest — delete one under /digest first.",
        "A chat can have {most} digests — delete one under /digest first.",
        most,
        most=t.number(most),
    )


@says("digest.limits")
def _limits(t: Texts, what: str, most: int) -> str:
    return t.ngettext(
        "A digest shows up to {most} coin — for example <code>/digest coins BTC ETH SOL</code>.",
        "A digest shows up to {most} coins — for example <code>/digest coins BTC ETH SOL</code>.",
        most,
        most=t.number(most),
    )


@says("digest.section")
def _section(t: Texts, section: str) -> str:
    return t._("That section isn't offered here — choose one of the buttons.")


@says("digest.no_sections")
def _no_sections(t: Texts) -> str:
    return t._("A digest needs at least one section — turn another on first.")


@says("digest.which_coins")
def _which_coins(t: Texts) -> str:
    return t._("Which coins? For example <code>/digest coins BTC ETH SOL</code>.")


@says("chat.unknown")
def _chat_unknown(t: Texts, chat_id: int) -> str:
    return t._("I don't know that chat yet — send /digest there first.")
