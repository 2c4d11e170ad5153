"""The commands Pythia offers: the menu Telegram shows and the text of /help, in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandHelp:
    name: str
    menu: str  # the one-liner in Telegram's command menu (≤ 256 characters)
    usage: str  # HTML, shown by /help <name>


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp(
        "price",
        "Latest price of one or more coins",
        "<b>/price</b> SYMBOL [SYMBOL…]\n"
        "The latest price, 24 h change, exchange and how fresh the price is.\n"
        "Examples: <code>/price BTC</code> · <code>/price eth sol doge</code> · "
        "<code>/price bitcoin</code>\nUp to 10 coins at once.",
    ),
    CommandHelp(
        "help",
        "What Pythia can do",
        "<b>/help</b> [command]\nAll commands, or the details of one: <code>/help price</code>.",
    ),
    CommandHelp(
        "start",
        "Start talking to Pythia",
        "<b>/start</b>\nRegisters you and shows what to try first.",
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}


def menu() -> list[tuple[str, str]]:
    """(command, description) pairs for set_my_commands, most useful first."""
    return [(c.name, c.menu) for c in COMMANDS]
