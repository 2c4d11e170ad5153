"""Alerts as people set and look after them: set one (typed, or step by step), list them,
pause, resume or delete one — each in one transaction, a change serialised with the chat's
other changes — and the coins and prices the guided /alert offers.

An alert belongs to the chat it posts to: a private chat's are its person's, a group's are the
group's, set and looked after by its admins (the bot checks who is one; here a group's alert is
only ever found through the group's id, so a press in one chat never touches another's).

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
from core.chats import ANONYMOUS_ADMIN
from core.people import ChatSeen, PersonSeen
from core.refusal import BadArgument, Refusal
from core.series_choice import Origin
from db.cache import Cache
from db.repos import alert_news, chats, people, watchlist
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
    """A chat's alerts: active and paused in the order they were set, then those that fired
    or expired, the latest first; and their zone."""

    alerts: tuple[AlertSummary, ...]
    zone: str = "UTC"
    group: bool = False  # a group's (its admins look after them), not a person's own


@dataclass(frozen=True, slots=True)
class AlertChange:
    """What a Pause, Resume or Delete did: `changed` False when the alert already was not
    active (pause), paused (resume) or there (delete); `status` is the alert's now."""

    alert_id: int
    action: str
    changed: bool
    status: str
    listing: AlertList | None = None  # the chat's alerts after it, when asked for


@dataclass(frozen=True, slots=True)
class FlowCoin:
    symbol: str
    price: Decimal | None  # None: no price known yet


# ---- setting one ---------------------------------------------------------------------------------


async def set_alert(
    deps: Deps,
    person: PersonSeen,
    chat: ChatSeen,
    typed: str,
    *,
    decimal_comma: bool = False,
    thread_id: int | None = None,
) -> AlertSet:
    """An alert as typed after /alert (`BTC > 70000`), stored to fire in `chat`, its coin
    followed, and how often it would have fired over the last 30 days. In a group it is the
    group's (the caller has checked that `person` is one of its admins), said in its zone,
    and the group is marked set up by them if no one was.

    Refusals (nothing written): `alert.unknown_coin` (problems, examples, exchanges),
    `alert.market_wide` (examples) for `market …` (an alert watches one coin), the
    grammar's (`alert.*`, `amount.*`, `date.*`), `alert.duplicate` (alert_id) when the chat
    has an active or paused alert with the same condition on that coin, `alert.too_many` (cap)
    (`alert.group_duplicate`, `alert.group_too_many` in a group).
    """
    match = _FIRST_WORD.match(typed)
    if match is None:
        raise BadArgument("alert.empty")
    now = deps.clock.now()
    async with deps.write_for(chat.id) as session:  # a private chat's id is its person's
        symbol = await _coin(deps, session, match.group(1))
        zone = await _zone(session, chat.id)
        price = await _price(deps, session, symbol)
        words = f"{symbol} {match.group(2)}"
        spec = parse_alert(words, now, price, zone, decimal_comma=decimal_comma)
        asset_id = (await deps.directory_in(session)).ids[symbol]
        await _check_room(deps, session, chat.id, asset_id, spec)
        await people.register(session, person, chat, now)
        if chat.id != person.id and person.id != ANONYMOUS_ADMIN:
            await chats.set_up_by_if_unset(session, chat.id, person.id)
        columns = columns_of(spec)
        alert_id = await alert_rows.add(
            session, person.id, chat.id, asset_id, columns, now, thread_id=thread_id
        )
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
    deps: Deps, session: AsyncSession, chat_id: int, asset_id: int, spec: AlertSpec
) -> None:
    for row in await alert_rows.live_on(session, chat_id, asset_id):
        same = _spec(row)
        if same is not None and same.condition == spec.condition:
            if chat_id < 0:
                raise Refusal("alert.group_duplicate", alert_id=row.id)
            raise Refusal("alert.duplicate", alert_id=row.id)
    await _check_cap(deps, session, chat_id)


async def _check_cap(deps: Deps, session: AsyncSession, chat_id: int) -> None:
    """Room for one more active alert in the chat (each chat has the cap: a person's private
    chat, a group)."""
    cap = deps.settings.alerts_max_active
    if await alert_rows.count_active(session, chat_id) >= cap:
        if chat_id < 0:
            raise Refusal("alert.group_too_many", cap=cap)
        raise Refusal("alert.too_many", cap=cap)


# ---- looking after them --------------------------------------------------------------------------


async def list_alerts(deps: Deps, chat_id: int) -> AlertList:
    """The chat's alerts (not the deleted ones) and its zone: a private chat's are its
    person's, a group's those that post to it."""
    async with deps.read() as session:
        return await _listing(session, chat_id)


async def get_alert(deps: Deps, chat_id: int, alert_id: int) -> AlertSummary | None:
    """The chat's alert by id; None if it posts elsewhere, was deleted or never was."""
    async with deps.read() as session:
        row = await alert_rows.find(session, chat_id, alert_id)
    return None if row is None else _summary(row)


async def change_alert(
    deps: Deps, chat_id: int, alert_id: int, action: str, *, listing: bool = False
) -> AlertChange:
    """Pause, resume or delete one of the chat's alerts — the chat the button was pressed in
    (`listing`: and return its alerts as they are after it). In a group the caller has checked
    that the presser is an admin. Refusals: `alert.not_yours` (`alert.group_gone` in a group)
    when it posts elsewhere, was deleted or never was; `alert.too_many`
    (`alert.group_too_many`) to resume at the cap."""
    status, allowed = ACTIONS[action]
    async with deps.write_for(chat_id) as session:
        row = await alert_rows.find(session, chat_id, alert_id)
        if row is None:
            if chat_id < 0:
                raise Refusal("alert.group_gone")
            raise Refusal("alert.not_yours")
        if action == "resume" and row.status == "paused":
            await _check_cap(deps, session, chat_id)
        now = deps.clock.now()
        changed = await alert_rows.set_status(session, chat_id, alert_id, status, allowed, now)
        shown = await _listing(session, chat_id) if listing else None
        after = status if changed else row.status
    if changed:
        await alerts_changed(deps.cache)
    return AlertChange(alert_id, action, changed, after, shown)


async def pause(deps: Deps, chat_id: int, alert_id: int) -> AlertChange:
    """Stop watching one of the chat's active alerts."""
    return await change_alert(deps, chat_id, alert_id, "pause")


async def resume(deps: Deps, chat_id: int, alert_id: int) -> AlertChange:
    """Watch a paused alert again (`alert.too_many` at the cap)."""
    return await change_alert(deps, chat_id, alert_id, "resume")


async def delete(deps: Deps, chat_id: int, alert_id: int) -> AlertChange:
    """Delete one of the chat's alerts for good."""
    return await change_alert(deps, chat_id, alert_id, "delete")


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


async def _zone(session: AsyncSession, chat_id: int) -> str:
    """The chat's zone: a private chat's is its person's; a group's its own (UTC until set)."""
    if chat_id < 0:
        group = await chats.settings(session, chat_id)
        return group.timezone if group is not None else "UTC"
    chosen = await people.preferences(session, chat_id)
    return chosen.timezone if chosen is not None else "UTC"


async def _listing(session: AsyncSession, chat_id: int) -> AlertList:
    rows = await alert_rows.shown(session, chat_id)
    live = sorted((r for r in rows if r[0].status in alert_rows.LIVE), key=lambda r: r[0].id)
    done = sorted((r for r in rows if r[0].status not in alert_rows.LIVE), key=lambda r: -r[0].id)
    found = (_summary(row, symbol) for row, symbol in live + done)
    zone = await _zone(session, chat_id)
    return AlertList(tuple(s for s in found if s is not None), zone, group=chat_id < 0)


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
