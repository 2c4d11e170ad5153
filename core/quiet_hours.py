"""Quiet hours: when a person would rather not hear about their alerts, as they type them
(`/quiet 22:00-07:00`) and as the workers apply them. Pure.

Quiet hours are minutes after local midnight in the person's time zone; they may wrap midnight
(22:00 to 07:00). Alerts that fire inside them wait until they end and arrive as one summary.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from core.dates import zone
from core.refusal import BadArgument

DAY_MINUTES = 24 * 60
OFF = frozenset({"off", "none", "no", "never", "stop"})
TYPED = 40  # characters of what was typed echoed in a refusal

_CLOCK = r"([01]?\d|2[0-3])(?::([0-5]\d))?"
_QUIET = re.compile(rf"^{_CLOCK}\s*(?:-|–|—|to)\s*{_CLOCK}$")


def parse_quiet_hours(text: str) -> tuple[int, int] | None:
    """`22:00-07:00` (or `22-7`, `22:30 to 6:15`) as minutes after midnight; None for `off`.

    Raises BadArgument `quiet.unreadable` for anything else, and for hours that start when
    they end (no quiet at all, or all day: either way not what anyone means)."""
    typed = text.strip().lower()
    if typed in OFF:
        return None
    match = _QUIET.match(typed)
    if match is None:
        raise BadArgument("quiet.unreadable", typed=text.strip()[:TYPED])
    start_h, start_m, end_h, end_m = match.groups()
    start = int(start_h) * 60 + int(start_m or 0)
    end = int(end_h) * 60 + int(end_m or 0)
    if start == end:
        raise BadArgument("quiet.unreadable", typed=text.strip()[:TYPED])
    return start, end


def quiet_until(
    now: datetime, zone_name: str | None, start: int | None, end: int | None
) -> datetime | None:
    """The end of the person's quiet hours if `now` falls inside them, else None.

    `start` and `end` are minutes after local midnight in `zone_name` (a zone this Python does
    not know, or none: UTC, as core.dates.zone says); equal or missing bounds mean no quiet
    hours.
    """
    if start is None or end is None or start % DAY_MINUTES == end % DAY_MINUTES:
        return None
    start, end = start % DAY_MINUTES, end % DAY_MINUTES
    tz = zone(zone_name)
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    inside = start <= minute < end if start < end else minute >= start or minute < end
    if not inside:
        return None
    day = local.date() if minute < end else local.date() + timedelta(days=1)
    # aware + timedelta is wall-clock arithmetic: 07:00 local that day, across a DST change too
    return (datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=end)).astimezone(UTC)
