"""The words every alert condition is read with: directions, durations, counts, and the
refusal of words left over. Pure; `core.alerts.grammar` and `core.alerts.news_grammar` read
conditions with them."""

from __future__ import annotations

import re
from datetime import timedelta

from core.alerts.spec import Move
from core.refusal import BadArgument

TYPED = 20  # characters of a typed word echoed in a refusal
UP_WORDS = {">", ">=", "above", "over", "up", "upward", "upwards", "rises", "rise", "jumps"}
UP_WORDS |= {"pumps"}
DOWN_WORDS = {"<", "<=", "below", "under", "down", "downward", "drops", "drop", "falls", "fall"}
DOWN_WORDS |= {"dips", "dumps"}
CROSS_WORDS = {"cross", "crosses", "crossing", "crossed"}
UNITS = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1}
UNITS |= {"h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60}
UNITS |= {"d": 1440, "day": 1440, "days": 1440, "w": 10080, "week": 10080, "weeks": 10080}
UNITS |= {"mo": 43200, "month": 43200, "months": 43200, "y": 525600, "year": 525600}
# Digits are ASCII everywhere: int() would take ² or ١ and then fail or surprise.
DURATION = re.compile(r"^(\d{1,5})([a-z]+)$", re.ASCII)
INTEGER = re.compile(r"^\d+$", re.ASCII)


def is_integer(text: str) -> bool:
    return INTEGER.match(text) is not None


def is_duration(text: str) -> bool:
    match = DURATION.match(text)
    return match is not None and match.group(2) in UNITS


def duration(text: str, what: str, shortest: timedelta, longest: timedelta) -> timedelta:
    """`what` is the window, the repeat or the lifetime."""
    match = DURATION.match(text)
    if not match or match.group(2) not in UNITS:
        raise BadArgument("alert.duration_unreadable", what=what, typed=text[:TYPED])
    span = timedelta(minutes=int(match.group(1)) * UNITS[match.group(2)])
    if not shortest <= span <= longest:
        raise BadArgument(
            "alert.duration_range",
            what=what,
            typed=text[:TYPED],
            shortest=shortest,
            longest=longest,
        )
    return span


def read_move(tokens: list[str]) -> tuple[Move | None, list[str]]:
    """Direction words taken out: up, down, or either way for a bare cross; None if none."""
    ups = [t for t in tokens if t in UP_WORDS]
    downs = [t for t in tokens if t in DOWN_WORDS]
    crosses = [t for t in tokens if t in CROSS_WORDS]
    if ups and downs:
        raise BadArgument("alert.two_directions")
    rest = [t for t in tokens if t not in UP_WORDS | DOWN_WORDS | CROSS_WORDS]
    move: Move | None = "up" if ups else "down" if downs else "either" if crosses else None
    return move, rest


def leftover(tokens: list[str], example: str) -> None:
    """Words no part of a condition took; `example` names the kind whose example would help."""
    if tokens:
        raise BadArgument("alert.leftover", typed=tokens[0][:TYPED], example=example)
