"""Alerts as people set and look after them: set one (typed, or step by step), list them,
pause, resume or delete one — each in one transaction, a change serialised with the person's
other changes — and the coins and prices the guided /alert offers.

After a change commits, `ALERTS_VERSION` gets a new value: every workers process's matcher
reads that key before each batch of prices and then loads the alerts changed since
(`workers/alerting/matcher.py`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.alerts.grammar import parse_alert
from core.alerts.history import History, backtest_timeframe, history, span_needed
from core.alerts.news import Point, news_history, preview_span
from core.alerts.spec import AlertSpec, NewsBurst, PredictionLevel, SentimentLevel
from core.alerts.storage import columns_of, spec_of
from core.people import ChatSeen, PersonSeen
from core.refusal import BadArgument, Refusal
from core.series_choice import Origin
from db.cache import Cache
from db.repos import alert_news, people, watchlist
from db.repos import alerts as alert_rows
from services import prediction_alerts
from services.coins import follow, market_names, resolve_coins
from services.deps import Deps
from services.prices import quotes
from services.series import load_series

ALERTS_VERSION = "alerts:version"  # a new uuid after every change to any alert
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {  # action: (status after, allowed before)
    "pause": ("paused", ("active",)),
    "resume": ("active", ("paused",)),
    "delete": ("deleted", alert_rows.SHOWN),  # the row stays: its id is in dedupe keys
}
MARKET_WORDS = {"market", "crypto", "all"}  # an alert is on one coin (alerts.asset_id)
_FIRST_WORD = re.compile(r"\s*([^\s<>=≥≤]+)(.*)", re.DOTALL)  # "BTC>70000": the coin, the rest


async def alerts_changed(cache: Cache) -> None:
    """Tell every matcher that alerts changed; call after the change has committed."""
    await cache.set(ALERTS_VERSION, uuid.uuid4().hex)


# ---- what the use cases return -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertSet:
    """A new alert, how often it would have fired, and the person's zone to say it in."""

    alert_id: int
    spec: AlertSpec
    history: History
    zone: str
    origin: Origin | None = None  # the market the history was read from, if any


@dataclass(frozen=True, slots=True)
class AlertSummary:
    """One alert as /alerts shows it."""

    id: int
    spec: AlertSpec
    status: str
    fire_count: int = 0
    last_fired_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AlertList:
    """A person's alerts: active and paused in the order they were set, then those that fired
    or expired, the latest first; and their zone."""

    alerts: tuple[AlertSummary, ...]
    zone: str = "UTC"


@dataclass(frozen=True, slots=True)
class AlertChange:
    """What a Pause, Resume or Delete did: `changed` False when the alert already was not
    active (pause), paused (resume) or there (delete); `status` is the alert's now."""

    alert_id: int
    action: str
    changed: bool
    status: str
    listing: AlertList | None = None  # the person's alerts after it, when asked for


@dataclass(frozen=True, slots=True)
class FlowCoin:
    symbol: str
    price: Decimal | None  # None: no price known yet


# ---- setting one ---------------------------------------------------------------------------------


async def set_alert(
    deps: Deps, person: PersonSeen, chat: ChatSeen, typed: str, *, decimal_comma: bool = False
) -> AlertSet:
    """An alert as typed after /alert (`BTC > 70000`), stored to fire in `chat`, its coin
    followed, and how often it would have fired over the last 30 days.

    Refusals (nothing written): `alert.unknown_coin` (problems, examples, exchanges),
    `alert.market_wide` (examples) for `market …` (an alert watches one coin), the
    grammar's (`alert.*`, `amount.*`, `date.*`), `alert.duplicate` (alert_id) when the person
    has an active or paused alert with the same condition on that coin, `alert.too_many` (cap).
    """
    match = _FIRST_WORD.match(typed)
    if match is None:
        raise BadArgument("alert.empty")
    now = deps.clock.now()
    async with deps.write_for(person.id) as session:
        symbol = await _coin(deps, session, match.group(1))
        zone = await _zone(session, person.id)
        price = await _price(deps, session, symbol)
        words = f"{symbol} {match.group(2)}"
        spec = parse_alert(words, now, price, zone, decimal_comma=decimal_comma)
        asset_id = (await deps.directory_in(session)).ids[symbol]
        await _check_room(deps, session, person.id, asset_id, spec)
        await people.register(session, person, chat, now)
        columns = columns_of(spec)
        alert_id = await alert_rows.add(session, person.id, chat.id, asset_id, columns, now)
        followed = await follow(deps, session, [symbol])
        if isinstance(spec.condition, SentimentLevel | NewsBurst):
            said = await _news_history(session, asset_id, spec, now)
        elif isinstance(spec.condition, PredictionLevel):
            said = await prediction_alerts.preview(session, asset_id, spec, now)
        else:
            timeframe, span = backtest_timeframe(spec.condition), span_needed(spec)
            series = await load_series(deps, session, symbol, timeframe, span=span)
    await alerts_changed(deps.cache)
    if followed:
        await deps.assets_changed()
    if isinstance(spec.condition, SentimentLevel | NewsBurst | PredictionLevel):
        return AlertSet(alert_id, spec, said, zone)
    candles = series.candles if series is not None else []
    origin = series.origin if series is not None else None
    return AlertSet(alert_id, spec, history(spec, candles, now), zone, origin)


async def _news_history(
    session: AsyncSession, asset_id: int, spec: AlertSpec, now: datetime
) -> History:
    """How often a sentiment or burst alert would have fired over the stored index or news."""
    since = now - preview_span(spec)
    if isinstance(spec.condition, SentimentLevel):
        points = await alert_news.index_points(session, [asset_id], since, now)
        return news_history(spec, [Point(ts, value) for _, ts, value in points], [], now)
    stories = await alert_news.tagged_stories(session, [asset_id], since, now)
    return news_history(spec, [], stories, now)


async def _check_room(
    deps: Deps, session: AsyncSession, user_id: int, asset_id: int, spec: AlertSpec
) -> None:
    for row in await alert_rows.live_on(session, user_id, asset_id):
        same = _spec(row)
        if same is not None and same.condition == spec.condition:
            raise Refusal("alert.duplicate", alert_id=row.id)
    cap = deps.settings.alerts_max_active
    if await alert_rows.count_active(session, user_id) >= cap:
        raise Refusal("alert.too_many", cap=cap)


# ---- looking after them --------------------------------------------------------------------------


async def list_alerts(deps: Deps, user_id: int) -> AlertList:
    """The person's alerts (not the deleted ones) and their zone."""
    async with deps.read() as session:
        return await _listing(session, user_id)


async def get_alert(deps: Deps, user_id: int, alert_id: int) -> AlertSummary | None:
    """The person's alert by id; None if it is someone else's, deleted or never was."""
    async with deps.read() as session:
        row = await alert_rows.find(session, user_id, alert_id)
    return None if row is None else _summary(row)


async def change_alert(
    deps: Deps, user_id: int, alert_id: int, action: str, *, listing: bool = False
) -> AlertChange:
    """Pause, resume or delete one of the person's alerts (`listing`: and return their alerts
    as they are after it). Refusals: `alert.not_yours` (someone else's, deleted, or never was),
    `alert.too_many` (cap) to resume at the cap."""
    status, allowed = ACTIONS[action]
    async with deps.write_for(user_id) as session:
        row = await alert_rows.find(session, user_id, alert_id)
        if row is None:
            raise Refusal("alert.not_yours")
        cap = deps.settings.alerts_max_active
        resuming = action == "resume" and row.status == "paused"
        if resuming and await alert_rows.count_active(session, user_id) >= cap:
            raise Refusal("alert.too_many", cap=cap)
        now = deps.clock.now()
        changed = await alert_rows.set_status(session, user_id, alert_id, status, allowed, now)
        shown = await _listing(session, user_id) if listing else None
        after = status if changed else row.status
    if changed:
        await alerts_changed(deps.cache)
    return AlertChange(alert_id, action, changed, after, shown)


async def pause(deps: Deps, user_id: int, alert_id: int) -> AlertChange:
    """Stop watching one of the person's active alerts."""
    return await change_alert(deps, user_id, alert_id, "pause")


async def resume(deps: Deps, user_id: int, alert_id: int) -> AlertChange:
    """Watch a paused alert again (`alert.too_many` at the cap)."""
    return await change_alert(deps, user_id, alert_id, "resume")


async def delete(deps: Deps, user_id: int, alert_id: int) -> AlertChange:
    """Delete one of the person's alerts for good."""
    return await change_alert(deps, user_id, alert_id, "delete")


# ---- the guided /alert ---------------------------------------------------------------------------


async def flow_coins(deps: Deps, user_id: int) -> list[str]:
    """The coins the guided /alert offers: the person's watchlist first, then those followed
    (the configured ones in their order, then the rest)."""
    async with deps.read() as session:
        directory = await deps.directory_in(session)
        theirs = await watchlist.watched(session, user_id)
    followed = [s for s in deps.settings.symbols if s in directory.tracked]
    followed += [s for s in directory.tracked if s not in followed]
    return list(dict.fromkeys([*theirs, *followed]))


async def flow_coin(deps: Deps, typed: str) -> FlowCoin:
    """The coin pressed or typed in the guided /alert, and its price now
    (`alert.unknown_coin` if it is not one)."""
    async with deps.read() as session:
        symbol = await _coin(deps, session, typed)
        return FlowCoin(symbol, await _price(deps, session, symbol))


async def current_price(deps: Deps, symbol: str) -> Decimal | None:
    async with deps.read() as session:
        return await _price(deps, session, symbol)


# ---- building blocks -----------------------------------------------------------------------------


async def _coin(deps: Deps, session: AsyncSession, typed: str) -> str:
    request = await resolve_coins(deps, session, [typed], limit=1)
    if not request.symbols and typed.strip().lower() in MARKET_WORDS:
        raise BadArgument("alert.market_wide", examples=tuple(deps.settings.symbols[:1]))
    if not request.symbols:
        raise BadArgument(
            "alert.unknown_coin",
            problems=request.problems,
            examples=tuple(deps.settings.symbols),
            exchanges=market_names(deps),
        )
    return request.symbols[0]


async def _price(deps: Deps, session: AsyncSession, symbol: str) -> Decimal | None:
    quote = (await quotes(deps, session, [symbol])).get(symbol)
    return None if quote is None else quote.price


async def _zone(session: AsyncSession, user_id: int) -> str:
    chosen = await people.preferences(session, user_id)
    return chosen.timezone if chosen is not None else "UTC"


async def _listing(session: AsyncSession, user_id: int) -> AlertList:
    rows = await alert_rows.shown(session, user_id)
    live = sorted((r for r in rows if r[0].status in alert_rows.LIVE), key=lambda r: r[0].id)
    done = sorted((r for r in rows if r[0].status not in alert_rows.LIVE), key=lambda r: -r[0].id)
    found = (_summary(row, symbol) for row, symbol in live + done)
    return AlertList(tuple(s for s in found if s is not None), await _zone(session, user_id))


def _spec(row: Any, symbol: str | None = None) -> AlertSpec | None:
    try:
        return spec_of(row, symbol)
    except (KeyError, TypeError, ValueError):  # a row no version of the grammar made
        return None


def _summary(row: Any, symbol: str | None = None) -> AlertSummary | None:
    spec = _spec(row, symbol)
    if spec is None:
        return None
    return AlertSummary(row.id, spec, row.status, row.fire_count, row.last_fired_at)


# ---- for the workers -----------------------------------------------------------------------------


async def expire(deps: Deps) -> int:
    """Active and paused alerts past their end become 'expired'; how many did."""
    async with deps.write() as session:
        expired = await alert_rows.expire_due(session, deps.clock.now())
    if expired:
        await alerts_changed(deps.cache)
    return len(expired)
