"""/quiet and /timezone: when a person hears about their alerts, in their own time. Pure."""

from __future__ import annotations

from datetime import datetime

from bot.i18n import Texts
from bot.views.common import clip, e
from bot.views.refusals import says
from core.people import Preferences


def clock(minutes: int) -> str:
    """22:00: Pythia speaks the 24-hour clock in every language."""
    return f"{minutes // 60 % 24:02}:{minutes % 60:02}"


def quiet_now(t: Texts, chosen: Preferences) -> str:
    hours = chosen.quiet_hours
    if hours is None:
        return t._(
            "No quiet hours: alerts arrive as they fire. Set some with "
            "<code>/quiet 22:00-07:00</code>."
        )
    return t._(
        "Quiet hours: {start}–{end} {zone}. Alerts that fire then arrive as one summary at "
        "{end}. Change them with <code>/quiet 23:00-06:00</code>, or <code>/quiet off</code>.",
        start=clock(hours[0]),
        end=clock(hours[1]),
        zone=e(chosen.timezone),
    )


def quiet_set(t: Texts, chosen: Preferences) -> str:
    hours = chosen.quiet_hours
    if hours is None:
        return t._("Quiet hours off: alerts arrive as they fire.")
    return t._(
        "Quiet hours set: {start}–{end} {zone}. Alerts that fire then arrive as one summary at "
        "{end}.",
        start=clock(hours[0]),
        end=clock(hours[1]),
        zone=e(chosen.timezone),
    )


@says("quiet.unreadable")
def _unreadable(t: Texts, typed: str) -> str:
    return t._(
        "I can't read “{typed}” as quiet hours; send them like <code>/quiet 22:00-07:00</code>, "
        "or <code>/quiet off</code>.",
        typed=e(clip(typed)),
    )


def timezone_now(t: Texts, zone: str, now: datetime) -> str:
    return t._(
        "Your time zone: {zone} ({time} there now). Change it with "
        "<code>/timezone Europe/Berlin</code>.",
        zone=e(zone),
        time=t.time(now, zone),
    )


def timezone_set(t: Texts, zone: str, now: datetime) -> str:
    return t._(
        "Time zone set: {zone} — it's {time} there now.", zone=e(zone), time=t.time(now, zone)
    )
