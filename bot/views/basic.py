"""/start and /help texts."""

from __future__ import annotations

from bot.commands import BY_NAME, COMMANDS
from bot.views.common import clip, e


def welcome(first_name: str, new: bool, examples: tuple[str, ...]) -> str:
    hello = f"Welcome, {e(first_name)}!" if new else f"Welcome back, {e(first_name)}!"
    coins = " ".join(examples[:3])
    return (
        f"{hello} I'm <b>Pythia</b>, your crypto-market companion.\n\n"
        f"Try <code>/price {e(coins)}</code> for the latest prices.\n"
        "Send /help to see everything I can do."
    )


def help_text(topic: str | None = None) -> str:
    if topic:
        name = topic.lstrip("/").split("@")[0].lower()
        command = BY_NAME.get(name)
        if command is None:
            known = ", ".join(c.name for c in COMMANDS)
            return f"There is no command <code>{e(clip(topic))}</code>. Help exists for: {known}."
        return command.usage
    lines = ["<b>Pythia</b> — crypto prices, straight in Telegram.\n"]
    lines += [f"/{c.name} — {e(c.menu)}" for c in COMMANDS]
    lines.append("\nDetails of one command: <code>/help price</code>.")
    return "\n".join(lines)
