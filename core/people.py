"""People and chats as Pythia knows them: what Telegram says of them, and what they chose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CostMethod = Literal["fifo", "average"]
LANGUAGES: tuple[str, ...] = ("en", "es", "ru")  # what Pythia speaks
DEFAULT_LANGUAGE = "en"


def language_for(code: str | None) -> str:
    """The language Pythia speaks to someone whose Telegram says `code` (`es-419` → es)."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class PersonSeen:
    """What Telegram says about a user."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None  # Telegram's: the language of the person's app


@dataclass(frozen=True, slots=True)
class ChatSeen:
    id: int
    type: str  # private, group, supergroup or channel
    title: str | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Preferences:
    """Everything a person chose (or the defaults, before they chose): the one reading of a
    person's settings every use case shares."""

    language: str = "en"
    timezone: str = "UTC"
    quote: str = "USD"  # the currency their portfolio is kept in
    method: CostMethod = "fifo"  # how the cost of what they sell is counted
    quiet_start: int | None = None  # quiet hours, minutes after local midnight
    quiet_end: int | None = None

    @property
    def quiet_hours(self) -> tuple[int, int] | None:
        if self.quiet_start is None or self.quiet_end is None:
            return None
        return self.quiet_start, self.quiet_end
