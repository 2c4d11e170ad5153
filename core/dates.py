"""Dates and times, read in one place: as people type them in chat (`2024-03-01`,
`2024-03-01 14:30`, `today`, `yesterday`, in their own time zone: `parse_date`), and as files
and command lines write them (ISO 8601: `parse_iso`). What a bare day means (midday for a
trade, the end of the day for an alert's `until`) is the caller's choice. Pure.

Every day read lies between EARLIEST and LATEST (a caller may narrow that: a trade's day is
no later than today), so what is read can be moved into any time zone without overflowing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.refusal import BadArgument

EARLIEST = date(2009, 1, 3)  # Bitcoin's first block: nothing in crypto happened before it
LATEST = date(2099, 12, 31)  # far past anything Pythia is asked about, well inside datetime
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_DAY_ISO = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_MOMENT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ t](\d{1,2}):(\d{2})$", re.ASCII)  # lower-cased


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or UTC when it names none: a zone stored before names were
    checked (or since removed from the system's database) never stops a reply."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class TypedDate:
    """A day as typed, and the time of day if one was typed."""

    day: date
    at: time | None = None

    def moment(self, zone_name: str, bare_day: time = time(12, 0)) -> datetime:
        """The typed moment in `zone_name` as aware UTC; a bare day at `bare_day` local time."""
        local = datetime.combine(self.day, self.at or bare_day).replace(tzinfo=zone(zone_name))
        return local.astimezone(UTC)

    def end_of_day(self, zone_name: str) -> datetime:
        """Midnight after the typed day in `zone_name` (or the typed moment, if one was given)."""
        if self.at is not None:
            return self.moment(zone_name)
        next_day = datetime.combine(self.day + timedelta(days=1), time(0))
        return next_day.replace(tzinfo=zone(zone_name)).astimezone(UTC)


def local_day(now: datetime, zone_name: str) -> date:
    """The day it is at `now` in `zone_name`."""
    return now.astimezone(zone(zone_name)).date()


def parse_date(
    text: str,
    now: datetime,
    zone_name: str = "UTC",
    *,
    earliest: date = EARLIEST,
    latest: date = LATEST,
) -> TypedDate:
    """`2024-03-01`, `2024-03-01 14:30` (or with a T), `today`, `yesterday` in `zone_name`.

    Raises BadArgument `date.unreadable` (with what was typed), `date.too_early` (earliest)
    or `date.too_late` (latest) for a day outside [earliest, latest], which the caller may
    narrow within [EARLIEST, LATEST].
    """
    earliest, latest = max(earliest, EARLIEST), min(latest, LATEST)
    typed = " ".join(text.split()).lower()
    local_now = now.astimezone(zone(zone_name))
    moment, day = _MOMENT.match(typed), _DAY.match(typed)
    try:
        if typed == "today":
            found = TypedDate(local_now.date(), local_now.time().replace(second=0, microsecond=0))
        elif typed == "yesterday":
            found = TypedDate(local_now.date() - timedelta(days=1))
        elif moment:
            year, month, d, hour, minute = (int(g) for g in moment.groups())
            found = TypedDate(date(year, month, d), time(hour, minute))
        elif day:
            found = TypedDate(date(*(int(g) for g in day.groups())))
        else:
            raise ValueError(typed)
    except ValueError:
        raise BadArgument("date.unreadable", typed=text.strip()[:40]) from None
    if found.day < earliest:
        raise BadArgument("date.too_early", earliest=earliest)
    if found.day > latest:
        raise BadArgument("date.too_late", latest=latest)
    return found


def parse_iso(text: str, naive: tzinfo | None = None) -> datetime:
    """A date or moment as files and command lines write it (ISO 8601: `2024-03-01`,
    `2024-03-01T14:30:00+02:00`, `…Z`), as aware UTC; a bare day is its midnight in UTC.

    A moment without an offset is read in `naive` if given, else refused: BadArgument
    `date.without_zone` (or `date.unreadable`) with what was written; one that cannot be
    said in UTC (year 1 ahead of it, year 9999 behind it): `date.too_early` or `date.too_late`.
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
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        if moment.year < EARLIEST.year:
            raise BadArgument("date.too_early", earliest=EARLIEST) from None
        raise BadArgument("date.too_late", latest=LATEST) from None
