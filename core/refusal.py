"""Why Pythia will not do something, as data: a reason code and its parameters, never a sentence.

Core and the services raise them; the bot's views say them in the person's language
(`bot/views/refusals.py` has one renderer per code, and a test keeps the two in step). Codes
are dotted, by subject: `amount.not_a_number`, `trade.oversold`, `alert.level_passed`.
Parameters are plain values (str, int, Decimal, datetime, timedelta, tuples of them); a
parameter that names what was wrong (`what="price"`) is itself a code the view translates.
"""

from __future__ import annotations

from typing import Any


class Refusal(ValueError):
    """Something asked of Pythia that it will not do; `code` says why, `params` the details."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:  # for logs and tracebacks, never for people
        details = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code}({details})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Refusal)
            and type(other) is type(self)
            and (self.code, self.params) == (other.code, other.params)
        )

    def __hash__(self) -> int:
        return hash((type(self), self.code))


class BadArgument(Refusal):
    """What a person typed cannot be used; the view says what was wrong and what would work."""
