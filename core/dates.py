"""Dates and times, read in one place: as people type them in chat (`2024-03-01`,
`2024-03-01 14:30`, `today`, `yesterday`, in their own time zone: `parse_date`), and as files
and command lines write them (ISO 8601: `parse_iso`). What a bare day means (midday for a
trade, the end of the day for an alert's `until`) is the caller's choice. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from core.refusal import BadArgument

EARLIEST = date(2009, 1, 3)  # Bitcoin's first block: nothing in crypto happened before it
LATEST = date(2100, 1, 1)  # far past anything Pythia is asked about, well inside datetime
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2}):(\d{2})$")  # lower-cased


@dataclass(frozen=True, slots=True)
class TypedDate:
    """A day as typed, and the time of day if one was typed."""

    day: date
    at: time | None = None

    def moment(self, zone: str, bare_day: time = time(12, 0)) -> datetime:
        """The typed moment in `zone` as aware UTC; a bare day at `bare_day` local time."""
        local = datetime.combine(self.day, self.at or bare_day).replace(tzinfo=ZoneInfo(zone))
        return local.astimezone(UTC)

    def end_of_day(self, zone: str) -> datetime:
        """Midnight after the typed day in `zone` (or the typed moment, if one was given)."""
        if self.at is not None:
            return self.moment(zone)
        next_day = datetime.combine(self.day + timedelta(days=1), time(0))
        return next_day.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def parse_date(text: str, now: datetime, zone: str = "UTC") -> TypedDate:
    """`2024-03-01`, `2024-03-01 14:30` (or with a T), `today`, `yesterday` in `zone`.

    Raises BadArgument `date.unreadable` (with what was typed) or `date.out_of_range` for a
    day before EARLIEST or from LATEST on.
    """
    typed = " ".join(text.split()).lower()
    local_now = now.astimezone(ZoneInfo(zone))
    if typed == "today":
        return TypedDate(local_now.date(), local_now.time().replace(second=0, microsecond=0))
    if typed == "yesterday":
        return TypedDate(local_now.date() - timedelta(days=1))
    moment, day = _MOMENT.match(typed), _DAY.match(typed)
    try:
        if moment:
            year, month, d, hour, minute = (int(g) for g in moment.groups())
            found = TypedDate(date(year, month, d), time(hour, minute))
        elif day:
            found = TypedDate(date(*(int(g) for g in day.groups())))
        else:
            raise ValueError(typed)
    except ValueError:
        raise BadArgument("date.unreadable", typed=text.strip()[:40]) from None
    if not EARLIEST <= found.day < LATEST:
        raise BadArgument("date.out_of_range", earliest=EARLIEST, latest=LATEST)
    return found


def parse_iso(text: str, naive: tzinfo | None = None) -> datetime:
    """A date or moment as files and command lines write it (ISO 8601: `2024-03-01`,
    `2024-03-01T14:30:00+02:00`, `…Z`), as aware UTC; a bare day is its midnight in UTC.

    A moment without an offset is read in `naive` if given, else refused: BadArgument
    `date.without_zone` (or `date.unreadable`) with what was written.
    """
    written = text.strip()
    try:
        if _DAY_ISO.fullmatch(written):
            return datetime.combine(date.fromisoformat(written), time(0), tzinfo=UTC)
        moment = datetime.fromisoformat(written)
    except ValueError:
        raise BadArgument("date.unreadable", typed=written[:40]) from None
    if moment.tzinfo is None:
        if naive is None:
            raise BadArgument("date.without_zone", typed=written[:40])
        moment = moment.replace(tzinfo=naive)
    return moment.astimezone(UTC)
