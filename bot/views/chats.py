"""A group or channel with Pythia in it, in words: the hello when it is added (or comes back),
the note to whoever set it up when it is removed, linking a channel (and why it could not be),
the list of linked channels with an Unlink button each. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import UnlinkChannel, encode
from bot.i18n import Texts
from bot.views.common import clip, e, fit
from bot.views.refusals import says
from core.chats import PAUSED_REMOVED, ChatSettings
from core.notices import ChatPaused

# Why a channel could not be linked, as the bot found out from Telegram (bot.groups).
LINK_PROBLEMS = ("not_found", "not_a_channel", "bot_not_admin", "bot_cannot_post", "not_admin")


def _name(title: str | None, username: str | None) -> str:
    """A chat as people know it: its title in bold, else its @username."""
    if title:
        return f"<b>{e(clip(title, 64))}</b>"
    return e(f"@{username}") if username else "?"


def _what(t: Texts, digests: int, alerts: int) -> str:
    """'2 digests and 3 alerts', 'one digest'... (at least one of them)."""
    parts = []
    if digests:
        parts.append(t.ngettext("{count} digest", "{count} digests", digests, count=digests))
    if alerts:
        parts.append(t.ngettext("{count} alert", "{count} alerts", alerts, count=alerts))
    return t.and_list(parts)


# ---- in the group -------------------------------------------------------------------------


def hello_text(t: Texts) -> str:
    """Pythia is added to a group for the first time."""
    return t._(
        "👋 Hi, I'm Pythia: crypto prices, charts, news and forecasts. Anyone here can ask "
        "me, e.g. /price BTC, /chart ETH, /news. This group's admins can set up a daily "
        "digest (/digest) and alerts that post here (/alert). /help lists everything."
    )


def back_text(t: Texts, digests: int, alerts: int) -> str:
    """Pythia is added back to a group it had been removed from."""
    if not digests and not alerts:
        return t._("👋 I'm back. /help lists what I can do here.")
    return t._("👋 I'm back. Resumed here: {things}.", things=_what(t, digests, alerts))


# ---- to who set it up -----------------------------------------------------------------------


def paused_text(t: Texts, notice: ChatPaused) -> str:
    """The ChatPaused notice, in the private chat of who set Pythia up there."""
    name = _name(notice.title, notice.username)
    if notice.chat_type == "channel":
        removed = t._("I can no longer post in the channel {name}.", name=name)
        again = t._("Make me an admin there with the right to post again, and they resume.")
    else:
        removed = t._("I was removed from the group {name}.", name=name)
        again = t._("Add me back to the group, and they resume.")
    if not notice.digests and not notice.alerts:
        return f"{removed} {t._('Nothing of yours was posting there.')}"
    paused = t._("Paused there: {things}.", things=_what(t, notice.digests, notice.alerts))
    return f"{removed} {paused} {again}"


# ---- linking a channel ------------------------------------------------------------------------


def link_usage(t: Texts) -> str:
    return t._(
        "Send <code>/channel @yourchannel</code>, or forward me a post from the channel. "
        "First add me to it as an admin with the right to post messages."
    )


def link_in_private(t: Texts) -> str:
    return t._("Link a channel in a private chat with me: send /channel there.")


def link_problem(t: Texts, problem: str, typed: str) -> str:
    """Why the channel could not be linked, and what to do about it."""
    name = f"<b>{e(clip(typed, 40))}</b>"
    if problem == "not_found":
        return t._(
            "I can't find the channel {name}. Check its @name; for a private channel, forward "
            "me one of its posts.",
            name=name,
        )
    if problem == "not_a_channel":
        return t._("{name} is not a channel: /digest works in groups directly.", name=name)
    if problem == "not_admin":
        return t._("Only an admin of {name} can link it.", name=name)
    if problem == "bot_cannot_post":
        return t._(
            "I'm an admin of {name} but may not post there: give me the right to post "
            "messages, then try again.",
            name=name,
        )
    return t._(
        "Add me to {name} as an admin with the right to post messages, then try again.", name=name
    )


def linked_text(t: Texts, channel: ChatSettings) -> str:
    name = _name(channel.title, channel.username)
    handle = f"@{channel.username}" if channel.username else str(channel.id)
    return t._(
        "✅ Linked {name}: I can post there now. Schedule a digest for it with {example}.",
        name=name,
        example=f"<code>/digest {e(handle)} daily 08:00</code>",
    )


# ---- /channels ----------------------------------------------------------------------------------


def channels_text(t: Texts, channels: Sequence[ChatSettings]) -> str:
    if not channels:
        return t._(
            "You have linked no channel. Add me to your channel as an admin with the right to "
            "post messages, then send <code>/channel @yourchannel</code>."
        )
    lines = [t._("📣 Your channels:")]
    for channel in channels:
        name = _name(channel.title, channel.username)
        if channel.paused_reason == PAUSED_REMOVED:
            state = t._("paused: I may not post there")
            lines.append(f"• {name} — {state}")
        else:
            lines.append(f"• {name}")
    example = channels[0].username or str(channels[0].id)
    hint = t._(
        "A digest for a channel: {example}.",
        example=f"<code>/digest {e('@' + example if channels[0].username else example)} "
        "daily 08:00</code>",
    )
    return fit("\n".join([*lines, "", hint]))


def channels_keyboard(
    t: Texts, owner: int, channels: Sequence[ChatSettings]
) -> InlineKeyboardMarkup | None:
    """One Unlink button per channel."""
    if not channels:
        return None
    rows = [
        [
            InlineKeyboardButton(
                t.pgettext("button", "Unlink {name}", name=clip(c.title or c.username or "?")),
                callback_data=encode(UnlinkChannel(owner, c.id)),
            )
        ]
        for c in channels
    ]
    return InlineKeyboardMarkup(rows)


def unlinked_note(t: Texts, channel: ChatSettings) -> str:
    """Plain text (a press's answer): no HTML."""
    return t._(
        "Unlinked {name}: I won't post there any more, and its digests are deleted.",
        name=channel.title or channel.username or "",
    )


def admins_only(t: Texts) -> str:
    """A member's (or a passer-by's) command or press that would change what Pythia does in a
    group (its alerts, its digests); plain text."""
    return t._("Only this group's admins can change that.")


def not_your_channel(t: Texts) -> str:
    return t._("That button is for whoever linked the channel.")


# ---- refusals -----------------------------------------------------------------------------------


@says("channel.unknown")
def _unknown(t: Texts, typed: str) -> str:
    return t._(
        "You have no linked channel {name}. /channels lists yours; link one with "
        "<code>/channel @yourchannel</code>.",
        name=f"<b>{e(clip(typed, 40))}</b>",
    )


@says("channel.taken")
def _taken(t: Texts, title: str) -> str:
    return t._(
        "Another admin of {name} has linked it already; they can unlink it with /channels.",
        name=f"<b>{e(clip(title, 40))}</b>",
    )


@says("channel.not_a_channel")
def _not_a_channel(t: Texts, title: str) -> str:
    return link_problem(t, "not_a_channel", title)
