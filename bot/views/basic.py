"""/start, /help and /language. Pure: values in, HTML and keyboards out."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import LanguageChoice, encode
from bot.commands import BY_NAME, COMMANDS
from bot.i18n import LANGUAGE_NAMES, Texts
from bot.views.common import clip, e
from core.people import LANGUAGES


def welcome(t: Texts, first_name: str, new: bool, examples: Sequence[str]) -> str:
    name = e(first_name)
    hello = t._("Welcome, {name}!", name=name) if new else t._("Welcome back, {name}!", name=name)
    coins = " ".join(e(c) for c in examples[:3])
    return "\n\n".join(
        [
            hello + " " + t._("I'm <b>Pythia</b>, your crypto-market companion."),
            t._("Try <code>/price {coins}</code> for the latest prices.", coins=coins)
            + "\n"
            + t._("Send /help to see everything I can do."),
        ]
    )


def help_text(t: Texts, topic: str | None = None) -> str:
    if topic:
        name = topic.lstrip("/").split("@")[0].lower()
        command = BY_NAME.get(name)
        if command is None:
            return t._(
                "There is no command <code>{topic}</code>. Help exists for: {known}.",
                topic=e(clip(topic)),
                known=", ".join(c.name for c in COMMANDS),
            )
        return t._(command.usage)
    lines = [t._("<b>Pythia</b> — crypto prices, straight in Telegram.") + "\n"]
    lines += [f"/{c.name} — {e(t._(c.menu))}" for c in COMMANDS]
    lines.append("\n" + t._("Details of one command: <code>/help price</code>."))
    return "\n".join(lines)


def menu(t: Texts) -> list[tuple[str, str]]:
    """(command, description) pairs for Telegram's command menu in `t`'s language."""
    return [(c.name, t._(c.menu)) for c in COMMANDS]


def edited_command_ignored(t: Texts) -> str:
    """The answer to an edited command that changes something: it is not done again."""
    return t._(
        "I don't act on edited commands that change something — send it again as a new message."
    )


def language_now(t: Texts) -> str:
    return t._(
        "I speak to you in <b>{language}</b>. Choose another below, or send "
        "<code>/language es</code>.",
        language=LANGUAGE_NAMES[t.language],
    )


def language_set(t: Texts, changed: bool) -> str:
    """Said in the new language."""
    if not changed:
        return t._(
            "I already speak to you in <b>{language}</b>.", language=LANGUAGE_NAMES[t.language]
        )
    return t._(
        "From now on I speak to you in <b>{language}</b>.", language=LANGUAGE_NAMES[t.language]
    )


def language_keyboard(current: str, owner: int) -> InlineKeyboardMarkup:
    """One button per language, each named in itself, the current one ticked."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if code == current else "") + LANGUAGE_NAMES[code],
                    callback_data=encode(LanguageChoice(code, owner)),
                )
                for code in LANGUAGES
            ]
        ]
    )
