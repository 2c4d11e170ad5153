"""Alerts as commands need them: set, listed, paused, resumed, deleted — each scoped to one person —
how often one would have fired, and the row ↔ `AlertSpec` mapping the workers match with.

After every change commits, `ALERTS_VERSION` gets a new value and the alert's id is published on
`ALERTS_CHANGED`, so worker processes keep their index current.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.backtest import LOOKBACK, Backtest, backtest
from core.alerts.grammar import (
    AlertSpec,
    AverageCross,
    Condition,
    MacdCross,
    PriceChange,
    PriceLevel,
    RsiLevel,
    VolumeSpike,
    parse_alert,
)
from core.market import TIMEFRAMES
from core.people import ChatSeen, PersonSeen
from core.periods import BadArgument
from core.symbols import SymbolProblem
from db.cache import Cache
from db.models import Alert, User
from db.repos.people import register
from services._legacy import ensure_tracked, latest_quotes, load_series, resolve_symbols
from services.deps import Deps

ALERTS_VERSION = "alerts:version"  # a new uuid after every change
ALERTS_CHANGED = "alerts:changed"  # the id of each alert that changed
LIVE = ("active", "paused")  # what a new alert may not duplicate
SHOWN = ("active", "paused", "fired", "expired")  # what /alerts lists
MINUTE_TIMEFRAMES = ("1m", "5m", "15m")  # tested on 1m candles; everything else on 1h
_LOCK_TTL, _LOCK_WAIT = 10.0, 5.0


class DuplicateAlert(Exception):
    def __init__(self, alert_id: int) -> None:
        super().__init__(f"the same alert exists: #{alert_id}")
        self.alert_id = alert_id


class TooManyAlerts(Exception):
    def __init__(self, cap: int) -> None:
        super().__init__(f"at most {cap} active alerts")
        self.cap = cap


class UnknownCoin(Exception):
    def __init__(self, problems: Sequence[SymbolProblem]) -> None:
        super().__init__(", ".join(p.text for p in problems))
        self.problems = tuple(problems)


# ---- rows and specs ------------------------------------------------------------------------------


def columns_of(spec: AlertSpec) -> dict[str, Any]:
    """The `alerts` columns that hold `spec`: direction (above|below, or up|down|either for
    moves and crosses), threshold (level, percentage or multiple), timeframe, window_seconds;
    params hold the rest and the symbol, so a row alone gives back its spec."""
    c = spec.condition
    columns: dict[str, Any] = {"direction": None, "threshold": None, "timeframe": None}
    params: dict[str, Any] = {"symbol": spec.symbol}
    if isinstance(c, PriceLevel):
        columns |= {"kind": "price", "direction": c.direction, "threshold": c.level}
    elif isinstance(c, PriceChange):
        seconds = int(c.window.total_seconds())
        columns |= {"kind": "change", "direction": c.move, "threshold": c.pct}
        columns["window_seconds"] = seconds
    elif isinstance(c, RsiLevel):
        columns |= {"kind": "indicator", "direction": c.direction, "threshold": c.level}
        params |= {"indicator": "rsi", "period": c.period}
        params |= {"direction": c.direction, "level": str(c.level)}  # as the matcher reads it
    elif isinstance(c, MacdCross):
        columns |= {"kind": "indicator", "direction": c.move}
        params |= {"indicator": "macd", "move": c.move}
    elif isinstance(c, AverageCross):
        columns |= {"kind": "indicator", "direction": c.move}
        params |= {"indicator": c.average, "period": c.period, "move": c.move}
    else:
        columns |= {"kind": "volume", "threshold": c.multiple}
        params |= {"lookback": c.lookback}
    if not isinstance(c, PriceLevel | PriceChange):
        columns["timeframe"] = c.timeframe
    cooldown = 0 if spec.cooldown is None else int(spec.cooldown.total_seconds())
    return columns | {
        "params": params,
        "recurring": spec.recurring,
        "cooldown_seconds": cooldown,
        "expires_at": spec.expires_at,
    }


def spec_of(row: Alert | Any, symbol: str | None = None) -> AlertSpec:
    """The `AlertSpec` an alerts row (or a result row with its columns) holds: what the person
    asked for, as the grammar made it. `symbol` if given, else the one stored with it."""
    params, kind = row.params, row.kind
    condition: Condition
    if kind == "price":
        condition = PriceLevel(row.direction, row.threshold)  # type: ignore[arg-type]
    elif kind == "change":
        window = timedelta(seconds=row.window_seconds or 0)
        condition = PriceChange(row.direction, row.threshold, window)  # type: ignore[arg-type]
    elif kind == "volume":
        condition = VolumeSpike(row.threshold, row.timeframe, params["lookback"])  # type: ignore[arg-type]
    elif params["indicator"] == "rsi":
        condition = RsiLevel(row.direction, row.threshold, row.timeframe, params["period"])  # type: ignore[arg-type]
    elif params["indicator"] == "macd":
        condition = MacdCross(row.direction, row.timeframe)  # type: ignore[arg-type]
    else:
        condition = AverageCross(
            params["indicator"],
            params["period"],
            row.direction,  # type: ignore[arg-type]
            row.timeframe,  # type: ignore[arg-type]
        )
    cooldown = timedelta(seconds=row.cooldown_seconds) if row.recurring else None
    return AlertSpec(symbol or params["symbol"], condition, cooldown, row.expires_at)


# ---- setting one from chat -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertSet:
    alert_id: int
    spec: AlertSpec
    history: History
    zone: str  # the person's, for saying it back


_FIRST_WORD = re.compile(r"\s*([^\s<>=≥≤]+)(.*)", re.DOTALL)  # "BTC>70000": the coin, the rest


async def find_coin(deps: Deps, typed: str) -> str:
    """The listed coin `typed` names (UnknownCoin if none)."""
    request = await resolve_symbols(deps, [typed], limit=1)
    if not request.symbols:
        raise UnknownCoin(request.problems)
    return request.symbols[0]


async def current_price(deps: Deps, symbol: str) -> Decimal | None:
    quote = (await latest_quotes(deps, [symbol])).get(symbol)
    return None if quote is None else quote.price


async def set_alert(deps: Deps, person: PersonSeen, chat: ChatSeen, typed: str) -> AlertSet:
    """An alert as typed after /alert, stored, its coin followed, and how often it would have
    fired. Nothing is written when it raises UnknownCoin, BadArgument (the grammar's words),
    DuplicateAlert or TooManyAlerts."""
    match = _FIRST_WORD.match(typed)
    if match is None:
        raise BadArgument("say a coin and when to alert, like /alert BTC > 70000")
    symbol = await find_coin(deps, match.group(1))
    zone = (await alert_hours(deps, person.id)).timezone
    price = await current_price(deps, symbol)
    spec = parse_alert(f"{symbol} {match.group(2)}", deps.clock.now(), price, zone)
    alert = await create(deps, person, chat, spec)
    await ensure_tracked(deps, [symbol])
    return AlertSet(alert.id, spec, await history_of(deps, spec), zone)


# ---- changes -------------------------------------------------------------------------------------


async def announce(cache: Cache, alert_ids: Sequence[int]) -> None:
    """Tell every worker these alerts changed; call after the change has committed."""
    if not alert_ids:
        return
    await cache.set(ALERTS_VERSION, uuid.uuid4().hex)
    for alert_id in alert_ids:
        await cache.publish(ALERTS_CHANGED, str(alert_id))


def _person_lock(deps: Deps, user_id: int) -> AbstractAsyncContextManager[bool]:
    """One change to a person's alerts at a time, across processes: the duplicate and cap
    checks read what the previous change wrote."""
    return deps.cache.lock(f"alerts:person:{user_id}", ttl=_LOCK_TTL, wait=_LOCK_WAIT)


async def _active_count(session: AsyncSession, user_id: int) -> int:
    query = select(func.count()).where(Alert.user_id == user_id, Alert.status == "active")
    return await session.scalar(query) or 0


async def create(deps: Deps, person: PersonSeen, chat: ChatSeen, spec: AlertSpec) -> Alert:
    """Store `spec` (its symbol a known coin) as an active alert that fires in `chat`.

    Raises DuplicateAlert when the person has an active or paused alert with the same
    condition on the same coin, TooManyAlerts at the cap; nothing is written then.
    """
    now = deps.clock.now()
    asset_id = deps.directory.ids[spec.symbol]
    async with _person_lock(deps, person.id), deps.sessions.begin() as session:
        live = await session.scalars(
            select(Alert).where(
                Alert.user_id == person.id, Alert.asset_id == asset_id, Alert.status.in_(LIVE)
            )
        )
        for row in live:
            if spec_of(row).condition == spec.condition:
                raise DuplicateAlert(row.id)
        cap = deps.settings.alerts_max_active
        if await _active_count(session, person.id) >= cap:
            raise TooManyAlerts(cap)
        await register(session, person, chat, now)
        row = Alert(
            user_id=person.id,
            chat_id=chat.id,
            asset_id=asset_id,
            status="active",
            fire_count=0,
            created_at=now,
            updated_at=now,
            **columns_of(spec),
        )
        session.add(row)
        await session.flush()
    await announce(deps.cache, [row.id])
    return row


async def _set_status(
    deps: Deps, user_id: int, alert_id: int, status: str, allowed_from: Sequence[str]
) -> bool:
    async with deps.sessions.begin() as session:
        result = await session.execute(
            update(Alert)
            .where(
                Alert.id == alert_id,
                Alert.user_id == user_id,
                Alert.status.in_(allowed_from),
            )
            .values(status=status, updated_at=deps.clock.now())
        )
    changed = bool(result.rowcount)
    if changed:
        await announce(deps.cache, [alert_id])
    return changed


async def pause(deps: Deps, user_id: int, alert_id: int) -> bool:
    """Stop watching one of the person's active alerts; False if it was not theirs or active."""
    return await _set_status(deps, user_id, alert_id, "paused", ("active",))


async def resume(deps: Deps, user_id: int, alert_id: int) -> bool:
    """Watch a paused alert again (TooManyAlerts at the cap); False if not theirs or paused."""
    async with _person_lock(deps, user_id):
        async with deps.sessions() as session:
            paused = await session.scalar(
                select(Alert.id).where(
                    Alert.id == alert_id, Alert.user_id == user_id, Alert.status == "paused"
                )
            )
            active = await _active_count(session, user_id)
        if paused is None:
            return False
        if active >= deps.settings.alerts_max_active:
            raise TooManyAlerts(deps.settings.alerts_max_active)
        return await _set_status(deps, user_id, alert_id, "active", ("paused",))


async def delete(deps: Deps, user_id: int, alert_id: int) -> bool:
    """Delete one of the person's alerts for good (the row stays, marked deleted, so its id —
    part of the outbox's dedupe keys — is never handed out again)."""
    return await _set_status(deps, user_id, alert_id, "deleted", SHOWN)


async def pause_all_for_user(
    session: AsyncSession, user_id: int, now: datetime | None = None
) -> list[int]:
    """Pause every active alert of a person (who blocked the bot), in the caller's transaction.

    Returns the ids paused: pass them to `announce` once that transaction has committed.
    """
    result = await session.execute(
        update(Alert)
        .where(Alert.user_id == user_id, Alert.status == "active")
        .values(status="paused", updated_at=now or datetime.now(UTC))
        .returning(Alert.id)
    )
    return sorted(result.scalars())


# ---- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertSummary:
    """One alert as /alerts shows it."""

    id: int
    spec: AlertSpec
    status: str
    fire_count: int = 0
    last_fired_at: datetime | None = None


def summary_of(row: Alert) -> AlertSummary:
    return AlertSummary(row.id, spec_of(row), row.status, row.fire_count, row.last_fired_at)


async def get_alert(deps: Deps, user_id: int, alert_id: int) -> AlertSummary | None:
    """The person's alert by id; None if it is someone else's, deleted or never was."""
    async with deps.sessions() as session:
        row = await session.scalar(
            select(Alert).where(
                Alert.id == alert_id, Alert.user_id == user_id, Alert.status != "deleted"
            )
        )
    return None if row is None else summary_of(row)


async def list_alerts(deps: Deps, user_id: int) -> list[AlertSummary]:
    """The person's alerts: active and paused ones in the order they were set, then those that
    fired or expired, the latest first."""
    async with deps.sessions() as session:
        rows = list(
            await session.scalars(
                select(Alert).where(Alert.user_id == user_id, Alert.status.in_(SHOWN))
            )
        )
    live = sorted((r for r in rows if r.status in LIVE), key=lambda r: r.id)
    done = sorted((r for r in rows if r.status not in LIVE), key=lambda r: -r.id)
    return [summary_of(row) for row in live + done]


# ---- how often it would have fired ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class History:
    """An alert's backtest over stored candles of `timeframe`; None when too few are stored."""

    timeframe: str
    result: Backtest | None


def tested_on(condition: Condition) -> str:
    """The stored candles a condition is tested on: 1h, or 1m when 1h cannot measure it."""
    if isinstance(condition, PriceLevel):
        return "1h"
    if isinstance(condition, PriceChange):
        return "1h" if condition.window % TIMEFRAMES["1h"] == timedelta(0) else "1m"
    return "1m" if condition.timeframe in MINUTE_TIMEFRAMES else "1h"


def _warm_up(condition: Condition) -> tuple[timedelta, timedelta]:
    """(history loaded before the 30 days, the least of it the condition can be read with)."""
    if isinstance(condition, PriceLevel):
        return timedelta(hours=1), timedelta(0)
    if isinstance(condition, PriceChange):
        return condition.window, condition.window
    step = TIMEFRAMES[condition.timeframe]
    if isinstance(condition, RsiLevel):
        wanted, least = max(100, 5 * condition.period), condition.period + 1
    elif isinstance(condition, MacdCross):
        wanted, least = 150, 35
    elif isinstance(condition, AverageCross):
        wanted, least = 3 * condition.period + 10, condition.period + 1
    else:
        wanted, least = condition.lookback + 2, condition.lookback + 1
    return min(wanted * step, timedelta(days=365)), least * step


async def history_of(deps: Deps, spec: AlertSpec) -> History:
    """How often `spec` would have fired over the last 30 days of its coin's stored candles."""
    timeframe = tested_on(spec.condition)
    wanted, least = _warm_up(spec.condition)
    series = await load_series(deps, spec.symbol, timeframe, span=LOOKBACK + wanted)
    since = deps.clock.now() - LOOKBACK
    candles = series.candles if series is not None else []
    if len(candles) < 2 or candles[-1].ts < since or candles[-1].ts - candles[0].ts <= least:
        return History(timeframe, None)
    readable = max(since, candles[0].ts + least)  # before that the condition cannot be read
    try:
        return History(timeframe, backtest(spec, candles, timeframe, since=readable))
    except ValueError:  # the candles cannot measure the condition after all
        return History(timeframe, None)


# ---- quiet hours and time zone -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertHours:
    """When a person wants alerts: their time zone, and quiet hours in minutes after local
    midnight (start may be after end: 22:00–07:00 runs over midnight)."""

    timezone: str = "UTC"
    quiet_start: int | None = None
    quiet_end: int | None = None


async def alert_hours(deps: Deps, user_id: int) -> AlertHours:
    async with deps.sessions() as session:
        user = await session.get(User, user_id)
    if user is None:
        return AlertHours()
    return AlertHours(user.timezone or "UTC", user.quiet_start, user.quiet_end)


async def _save_hours(
    deps: Deps, person: PersonSeen, chat: ChatSeen, values: dict[str, Any]
) -> AlertHours:
    async with deps.sessions.begin() as session:
        await register(session, person, chat, deps.clock.now())
        await session.execute(update(User).where(User.id == person.id).values(**values))
    return await alert_hours(deps, person.id)


async def set_quiet_hours(
    deps: Deps, person: PersonSeen, chat: ChatSeen, hours: tuple[int, int] | None
) -> AlertHours:
    """Quiet from `hours[0]` to `hours[1]` minutes after local midnight; None: never quiet."""
    start, end = hours if hours is not None else (None, None)
    return await _save_hours(deps, person, chat, {"quiet_start": start, "quiet_end": end})


async def set_timezone(deps: Deps, person: PersonSeen, chat: ChatSeen, zone: str) -> AlertHours:
    """The person's IANA time zone (checked by the caller)."""
    return await _save_hours(deps, person, chat, {"timezone": zone})
