"""When a digest runs: `daily HH:MM`, `weekly mon HH:MM` at the chat's local wall-clock time, or
`every Nh` on real elapsed time. Pure.

Daily and weekly slots are local times in the chat's zone. A local time a spring-forward skips
runs at the same offset after the gap (02:30 in a 02:00→03:00 gap runs at 03:30 new time); a
local time a fall-back repeats runs once, the first time. `every Nh` runs at the whole UTC hours
where hour % N == 0, so a change of offset neither skips nor doubles it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from core.dates import zone
from core.refusal import BadArgument

Kind = Literal["daily", "weekly", "every"]
EVERY_HOURS: tuple[int, ...] = (1, 2, 3, 4, 6, 8, 12)  # each divides 24: slots align every day
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TYPED_LIMIT = 40  # characters of what was typed a refusal repeats
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(am|pm)?$", re.ASCII)
_EVERY = re.compile(r"^(\d{1,2})?(h|hr|hrs|hour|hours)$", re.ASCII)


class ScheduleError(ValueError):
    """What was typed is not a schedule (parse_schedule turns it into BadArgument)."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A digest's schedule. `minute_of_day` is local (daily, weekly); `weekday` 0 is Monday."""

    kind: Kind
    minute_of_day: int = 0
    weekday: int | None = None
    every_hours: int | None = None

    def __post_init__(self) -> None:
        if self.kind == "every":
            if self.every_hours not in EVERY_HOURS:
                raise ScheduleError(f"every {self.every_hours}h")
        elif not 0 <= self.minute_of_day < 24 * 60:
            raise ScheduleError(f"minute {self.minute_of_day}")
        elif self.kind == "weekly" and (self.weekday is None or not 0 <= self.weekday < 7):
            raise ScheduleError(f"weekday {self.weekday}")
        elif self.kind not in ("daily", "weekly"):
            raise ScheduleError(self.kind)

    @property
    def at(self) -> time:
        """The local time of day of a daily or weekly slot."""
        return time(self.minute_of_day // 60, self.minute_of_day % 60)

    @property
    def text(self) -> str:
        """The canonical form, as stored: `daily 08:00`, `weekly mon 08:00`, `every 6h`."""
        clock = f"{self.minute_of_day // 60:02d}:{self.minute_of_day % 60:02d}"
        if self.kind == "every":
            return f"every {self.every_hours}h"
        if self.kind == "weekly":
            return f"weekly {WEEKDAYS[self.weekday or 0]} {clock}"
        return f"daily {clock}"

    @classmethod
    def from_text(cls, text: str) -> Schedule:
        """The schedule a stored (canonical) text names; BadArgument `digest.schedule` if none."""
        return parse_schedule(text.split())


def parse_schedule(args: Sequence[str]) -> Schedule:
    """A schedule as typed: `daily 8:00`, `daily 8am`, `weekly monday 09:30`, `every 6h`,
    `every 6 hours` (any case). BadArgument `digest.schedule` (typed=…) for anything else."""
    words = [w.strip().lower() for w in args if w.strip()]
    typed = " ".join(args).strip()[:_TYPED_LIMIT]
    try:
        return _parse(words)
    except ScheduleError:
        raise BadArgument("digest.schedule", typed=typed) from None


def _parse(words: list[str]) -> Schedule:
    if not words:
        raise ScheduleError
    kind, rest = words[0], words[1:]
    if kind == "daily":
        return Schedule("daily", _minute_of_day("".join(rest)))
    if kind == "weekly" and rest:
        day = _weekday(rest[0])
        if day is not None:
            return Schedule("weekly", _minute_of_day("".join(rest[1:])), weekday=day)
        day = _weekday(rest[-1])  # `weekly 09:30 monday` reads as well
        if day is not None:
            return Schedule("weekly", _minute_of_day("".join(rest[:-1])), weekday=day)
        raise ScheduleError(rest)
    if kind == "every":
        found = _EVERY.match("".join(rest))
        if found is None:
            raise ScheduleError(rest)
        return Schedule("every", every_hours=int(found.group(1) or 1))
    raise ScheduleError(kind)


def _minute_of_day(clock: str) -> int:
    """`8:00`, `08:00`, `8`, `8am`, `8:30pm`, `20.30` as minutes after midnight."""
    found = _CLOCK.match(clock)
    if found is None:
        raise ScheduleError(clock)
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            raise ScheduleError(clock)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError(clock)
    return hour * 60 + minute


def _weekday(word: str) -> int | None:
    """`mon`, `monday`, `tues`, `thurs`: the weekday a word of at least three letters begins."""
    if len(word) < 3:
        return None
    for number, name in enumerate(_WEEKDAY_NAMES):
        if name.startswith(word):
            return number
    return None


# ---- when ---------------------------------------------------------------------------------------


def next_run(schedule: Schedule, zone_name: str, after: datetime) -> datetime:
    """The first slot of `schedule` strictly after `after`, as aware UTC."""
    after = after.replace(tzinfo=UTC) if after.tzinfo is None else after.astimezone(UTC)
    if schedule.kind == "every":
        step = schedule.every_hours or 1
        slot = after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while slot.hour % step:
            slot += timedelta(hours=1)
        return slot
    local_day = after.astimezone(zone(zone_name)).date()
    for offset in range(-1, 9):  # a week and a day either side covers every offset and weekday
        day = local_day + timedelta(days=offset)
        if schedule.kind == "weekly" and day.weekday() != schedule.weekday:
            continue
        slot = local_slot(day, schedule.at, zone_name)
        if slot > after:
            return slot
    raise AssertionError("a daily or weekly slot comes within nine days")  # pragma: no cover


def local_slot(day: date, at: time, zone_name: str) -> datetime:
    """`at` on `day` in `zone_name` as aware UTC: in a spring-forward gap, the same offset
    after it (the offset before the change, PEP 495's fold=0); at a fall-back, the first."""
    return datetime.combine(day, at, tzinfo=zone(zone_name)).replace(fold=0).astimezone(UTC)


def next_runs(
    digests: Iterable[tuple[int, str, str]], after: datetime
) -> dict[int, dict[str, datetime]]:
    """For digests given as (id, schedule text, zone), each one's next run after `after`, as the
    columns to store (`next_run_at`)."""
    return {
        digest_id: {"next_run_at": next_run(Schedule.from_text(text), zone, after)}
        for digest_id, text, zone in digests
    }
