"""Alerts that post to a group, set and looked after by its admins — through the emulator with
the real Application, on both stacks.

The matrix: every action that configures a group's alerts (set with arguments, set through
the guided flow, pause, resume, delete, turn a page) × who does it (an admin, a member, a
non-member pressing in a public group) × where (a plain group, a forum topic). An admin acts;
anyone else gets the refusal and the database is as it was (rows counted, alerts compared).
A non-member cannot post in a group, so the commands are a member's and an admin's only.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.callbacks import AlertAction, encode
from bot.emulator.records import MessageRecord, User
from bot.groups import ADMIN_KEY, ADMIN_TTL
from core.alerts.grammar import parse_alert
from core.alerts.storage import spec_of
from core.market import PriceQuote
from db.cache import PRICE_CHANNEL
from db.models import Alert
from db.repos import chats
from services.alerts import ANONYMOUS_ADMIN
from services.prices import quotes
from tests.e2e.conftest import Stack
from tests.e2e.groups import ADMINS_ONLY, PLACES, as_the_group, cast

pytestmark = pytest.mark.asyncio(loop_scope="module")

SET = re.compile(r"^🔔 Alert #(\d+) set: ")
REFUSED = (
    "Only this group's admins can set alerts that post here — set your own in a private chat "
    "with me."
)
LINK = "https://t.me/pythia_bot?start=alerts"


async def alerts_in(stack: Stack, chat_id: int) -> list[tuple[int, int, str]]:
    """(id, user_id, status) of every alert that posts to the chat."""
    async with stack.deps.sessions() as session:
        rows = await session.scalars(select(Alert).where(Alert.chat_id == chat_id))
        return sorted((row.id, row.user_id, row.status) for row in rows)


async def topics_of(stack: Stack, chat_id: int) -> list[int | None]:
    """The forum topic each alert of the chat posts into (None: the chat itself)."""
    async with stack.deps.sessions() as session:
        rows = await session.scalars(select(Alert).where(Alert.chat_id == chat_id))
        return [row.thread_id for row in sorted(rows, key=lambda row: row.id)]


async def price_of(stack: Stack, symbol: str) -> Decimal:
    async with stack.deps.read() as session:
        return (await quotes(stack.deps, session, [symbol]))[symbol].price


async def snapshot(stack: Stack, chat_id: int) -> tuple[dict[str, int], list[tuple[int, int, str]]]:
    return await stack.row_counts(), await alerts_in(stack, chat_id)


def labels(message: MessageRecord) -> list[str]:
    return [b["text"] for b in message.buttons]


async def press(stack: Stack, user: User, message: MessageRecord, label: str) -> bool:
    """Press the button labelled `label`: True if it acted (the message was edited), False
    if the press was refused (answered with an alert, nothing edited)."""
    edits = len(message.edits)
    query = await stack.emu.press_button(user, message, text=label)
    answered = await stack.emu.wait_for_callback_answer(query)
    if answered.show_alert:
        return False
    await stack.emu.wait_for(lambda: len(message.edits) > edits, what="the edit")
    return True


# ---- setting one ---------------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
async def test_an_admin_sets_an_alert_that_posts_to_the_group(stack: Stack, place: str) -> None:
    c = cast(stack, place)
    card = await c.say(c.admin, "/alert@pythia_bot BTC rsi < 0.1 1d")
    assert SET.match(card.text), card.text
    assert "BTC RSI(14) on 1d candles drops below 0.1" in card.text
    assert labels(card) == ["⏸ Pause", "🗑 Delete"]
    [(alert_id, user_id, status)] = await alerts_in(stack, c.group.id)
    assert (user_id, status) == (c.admin.id, "active")
    assert SET.match(card.text).group(1) == str(alert_id)  # type: ignore[union-attr]
    async with stack.deps.read() as session:
        group = await chats.settings(session, c.group.id)
    assert group is not None and group.set_up_by == c.admin.id
    again = await c.say(c.admin, "/alert@pythia_bot BTC rsi < 0.1 1d")
    assert again.text == f"This group already has this alert (#{alert_id}) — see /alerts."


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("typed", ["/alert@pythia_bot BTC rsi < 0.1 1d", "/alert@pythia_bot"])
async def test_a_member_is_refused_with_a_link_and_nothing_is_written(
    stack: Stack, place: str, typed: str
) -> None:
    c = cast(stack, place)
    await c.say(c.admin, "/alert@pythia_bot ETH rsi < 0.1 1d")  # the group has one already
    before = await snapshot(stack, c.group.id)
    reply = await c.say(c.member, typed)
    assert reply.text == REFUSED and not reply.buttons
    assert [e["url"] for e in reply.entities if e["type"] == "text_link"] == [LINK]
    assert await snapshot(stack, c.group.id) == before
    assert [m.text for m in stack.emu.bot_messages(c.member)] == []  # nothing privately either


async def test_the_link_starts_a_private_chat_that_says_how(stack: Stack) -> None:
    max_ = stack.emu.add_user("Max")
    hello = await stack.ask(max_, "/start alerts")
    assert "To set an alert, send it in one line — /alert BTC > 70000" in hello.text
    plain = await stack.ask(max_, "/start")
    assert "To set an alert" not in plain.text


@pytest.mark.parametrize("place", PLACES)
async def test_an_anonymous_admin_may_set_one(stack: Stack, place: str) -> None:
    c = cast(stack, place)
    sent = await as_the_group(c, "/alert@pythia_bot SOL rsi < 0.1 1d")
    [card] = await stack.emu.wait_for_bot_messages(c.group, after=sent, timeout=10)
    assert SET.match(card.text) and card.message_thread_id == c.thread, card.text
    [(_, user_id, status)] = await alerts_in(stack, c.group.id)
    assert (user_id, status) == (ANONYMOUS_ADMIN, "active")
    async with stack.deps.read() as session:
        group = await chats.settings(session, c.group.id)
    assert group is not None and group.set_up_by is None  # no one to tell, if removed
    before = await snapshot(stack, c.group.id)
    sent = await as_the_group(c, "/alert@pythia_bot")  # the buttons would be someone else's
    [hint] = await stack.emu.wait_for_bot_messages(c.group, after=sent, timeout=10)
    assert hint.text.startswith("Sent as the group, /alert can't walk you through it")
    assert not hint.buttons and await snapshot(stack, c.group.id) == before


# every kind of alert, as for a person: one line of each (price levels and RSI above)
KINDS = {
    "change": "BTC -5% 24h",
    "macd": "BTC macd cross up 1d",
    "average": "ETH crosses ema 20 4h",
    "volume": "BTC volume x3",
    "sentiment": "BTC sentiment < -0.3",
    "news": "ETH news 5 in 1h every 2h",
    "forecast": "BTC predict up > 65% 24h",
}


@pytest.mark.parametrize("kind", KINDS)
async def test_every_kind_is_for_the_groups_admins_to_set(stack: Stack, kind: str) -> None:
    c = cast(stack, "topic")
    typed = KINDS[kind]
    card = await c.say(c.admin, f"/alert@pythia_bot {typed}")
    assert SET.match(card.text), card.text
    async with stack.deps.read() as session:
        [row] = (await session.scalars(select(Alert).where(Alert.chat_id == c.group.id))).all()
    assert (row.user_id, row.thread_id, row.status) == (c.admin.id, c.thread, "active")
    assert spec_of(row) == parse_alert(typed, row.created_at)
    before = await snapshot(stack, c.group.id)
    refused = await c.say(c.member, f"/alert@pythia_bot {typed}")
    assert refused.text == REFUSED
    assert await snapshot(stack, c.group.id) == before


async def test_telegram_is_asked_who_is_an_admin_once_a_minute(stack: Stack) -> None:
    """A burst of an admin's commands and presses asks getChatMember once; the answer is kept
    ADMIN_TTL seconds, so a demotion is seen within a minute."""
    c = cast(stack, "group")

    def asked() -> int:
        return sum(
            1
            for call in stack.emu.calls
            if call.method == "getChatMember"
            and str(call.params.get("chat_id")) == str(c.group.id)
            and str(call.params.get("user_id")) == str(c.admin.id)
        )

    card = await c.say(c.admin, "/alert@pythia_bot BTC rsi < 0.1 1d")
    assert await press(stack, c.admin, card, "⏸ Pause")
    assert SET.match((await c.say(c.admin, "/alert@pythia_bot ETH rsi < 0.1 1d")).text)
    key = ADMIN_KEY.format(c.group.id, c.admin.id)
    kept_for = await stack.deps.cache.ttl(key)
    assert asked() == 1 and await stack.deps.cache.get(key) == "1"
    assert kept_for is not None and 0 < kept_for <= ADMIN_TTL

    stack.emu.set_member_status(c.group, c.admin, "member")
    await stack.deps.cache.delete(key)  # as when the minute is up
    before = await snapshot(stack, c.group.id)
    assert (await c.say(c.admin, "/alert@pythia_bot SOL rsi < 0.1 1d")).text == REFUSED
    assert asked() == 2 and await snapshot(stack, c.group.id) == before


# ---- the guided flow -----------------------------------------------------------------------------


@pytest.mark.parametrize("place", PLACES)
async def test_an_admin_sets_one_step_by_step_and_no_one_else_moves_the_flow(
    stack: Stack, place: str
) -> None:
    c = cast(stack, place)
    menu = await c.say(c.admin, "/alert@pythia_bot")
    assert menu.text.startswith("New alert — which coin?")
    before = await snapshot(stack, c.group.id)
    for other in (c.member, c.outsider):
        assert not await press(stack, other, menu, "BTC")
        assert menu.text.startswith("New alert") and not menu.edits
    assert await snapshot(stack, c.group.id) == before
    assert await press(stack, c.admin, menu, "BTC")
    assert await press(stack, c.admin, menu, "📉 Price below")
    for other in (c.member, c.outsider):
        assert not await press(stack, other, menu, labels(menu)[0])
    assert await snapshot(stack, c.group.id) == before
    assert await press(stack, c.admin, menu, labels(menu)[2])  # -10%
    assert SET.match(menu.text), menu.text
    assert labels(menu) == ["⏸ Pause", "🗑 Delete"]
    [(_, user_id, status)] = await alerts_in(stack, c.group.id)
    assert (user_id, status) == (c.admin.id, "active")
    assert await topics_of(stack, c.group.id) == [c.thread]  # set in a topic: fires there


# ---- the buttons ---------------------------------------------------------------------------------

ACTIONS = {"pause": "⏸ Pause", "resume": "▶️ Resume", "delete": "🗑 Delete"}
AFTER = {"pause": "paused", "resume": "active", "delete": "deleted"}


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("role", ["admin", "member", "non-member"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("under", ["card", "/alerts"])
async def test_the_buttons_of_a_group_alert_are_for_its_admins(
    stack: Stack, place: str, role: str, action: str, under: str
) -> None:
    c = cast(stack, place)
    card = await c.say(c.admin, "/alert@pythia_bot BTC rsi < 0.2 1d")
    if action == "resume":
        assert await press(stack, c.admin, card, "⏸ Pause")
    [(alert_id, _, status)] = await alerts_in(stack, c.group.id)
    listing = await c.say(c.member, "/alerts@pythia_bot")  # anyone may look
    assert listing.text.split("\n")[0] == f"This group's alerts — 1 {status}"
    message, label = (card, ACTIONS[action])
    if under == "/alerts":
        message, label = (listing, f"{ACTIONS[action]} #{alert_id}")
    before = await snapshot(stack, c.group.id)
    edits = len(message.edits)
    query = await stack.emu.press_button(c.who(role), message, text=label)
    answered = await stack.emu.wait_for_callback_answer(query)
    if role != "admin":
        assert answered.show_alert and answered.answer_text == ADMINS_ONLY
        assert len(message.edits) == edits and await snapshot(stack, c.group.id) == before
        return
    assert not answered.show_alert
    await stack.emu.wait_for(lambda: len(message.edits) > edits, what="the edit")
    assert await alerts_in(stack, c.group.id) == [(alert_id, c.admin.id, AFTER[action])]
    if action == "delete":  # its buttons go
        assert not any(f"#{alert_id}" in label for label in labels(message))
        assert under == "/alerts" or not message.buttons
    else:  # swapped for those of its new state
        assert label not in labels(message)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("role", ["admin", "member", "non-member"])
async def test_pages_of_a_groups_alerts_turn_for_its_admins(
    stack: Stack, place: str, role: str
) -> None:
    c = cast(stack, place)
    for n in range(9):
        card = await c.say(c.admin, f"/alert@pythia_bot ETH rsi < 0.{n + 1} 1d")
        assert SET.match(card.text), card.text
    listing = await c.say(c.member, "/alerts@pythia_bot")
    assert listing.text.startswith("This group's alerts — 9 active · page 1 of 2")
    assert labels(listing)[-2:] == ["🔄", "▶"]
    before = await snapshot(stack, c.group.id)
    acted = await press(stack, c.who(role), listing, "▶")
    assert acted == (role == "admin")
    if acted:
        assert listing.text.startswith("This group's alerts — 9 active · page 2 of 2")
    else:
        assert listing.text.startswith("This group's alerts — 9 active · page 1 of 2")
        assert not listing.edits and await snapshot(stack, c.group.id) == before


# ---- whose alerts a press may touch --------------------------------------------------------------


async def test_a_forged_press_cannot_touch_another_chats_alerts(stack: Stack) -> None:
    """An admin here pressing made-up data for another group's alert, or a person's own: the
    alert is looked for among this group's only."""
    here, there = cast(stack, "topic"), cast(stack, "group")
    await here.say(here.admin, "/alert@pythia_bot BTC rsi < 0.3 1d")
    await there.say(there.admin, "/alert@pythia_bot BTC rsi < 0.3 1d")
    await stack.ask(here.member, "/alert BTC rsi < 0.3 1d")  # a person's own, privately
    listing = await here.say(here.admin, "/alerts@pythia_bot")
    [(theirs, _, _)] = await alerts_in(stack, there.group.id)
    [(private, _, _)] = await alerts_in(stack, here.member.id)
    before = await alerts_in(stack, there.group.id), await alerts_in(stack, here.member.id)
    for count, alert_id in enumerate((theirs, private), 1):
        data = encode(AlertAction("delete", alert_id, here.admin.id))
        query = await stack.emu.press_button(here.admin, listing, data, strict=False)
        await stack.emu.wait_for_callback_answer(query)
        said = await stack.emu.wait_for_bot_messages(here.group, count, after=listing)
        assert said[-1].text.startswith("That alert is not this group's, or it was deleted")
        assert said[-1].message_thread_id == here.thread  # said in the topic pressed in
    after = await alerts_in(stack, there.group.id), await alerts_in(stack, here.member.id)
    assert after == before


async def test_an_alert_a_member_set_in_the_group_before_is_the_groups(stack: Stack) -> None:
    """Set before group alerts were the admins' (a member's, posting to the group): listed
    with the group's, looked after by its admins, not in the member's private list."""
    c = cast(stack, "group")
    await c.say(c.admin, "/alert@pythia_bot SOL rsi < 0.4 1d")  # the group's row exists
    await stack.ask(c.member, "/start")
    [(first, _, _)] = await alerts_in(stack, c.group.id)
    async with stack.deps.sessions.begin() as session:
        old = await session.get(Alert, first)
        assert old is not None
        columns = {k: getattr(old, k) for k in ("asset_id", "kind", "direction", "threshold")}
        row = Alert(
            user_id=c.member.id,
            chat_id=c.group.id,
            timeframe=old.timeframe,
            params=old.params,
            status="active",
            created_at=old.created_at,
            updated_at=old.updated_at,
            **columns,
        )
        session.add(row)
    mine = await stack.ask(c.member, "/alerts")
    assert mine.text.startswith("You have no alerts")
    listing = await c.say(c.member, "/alerts@pythia_bot")
    assert listing.text.startswith("This group's alerts — 2 active")
    assert not await press(stack, c.member, listing, f"⏸ Pause #{row.id}")
    assert await press(stack, c.admin, listing, f"⏸ Pause #{row.id}")
    assert (row.id, c.member.id, "paused") in await alerts_in(stack, c.group.id)


# ---- firing --------------------------------------------------------------------------------------


async def fire_by_tick(stack: Stack, symbol: str, price: Decimal) -> None:
    """A price event as the ingest job publishes it: the workers' matcher takes it from there."""
    quote = PriceQuote(symbol, price, "USDT", "replay", stack.deps.clock.now(), Decimal("1.5"))
    await stack.deps.cache.publish(PRICE_CHANNEL, quote.to_json())


@pytest.mark.parametrize("place", PLACES)
async def test_a_group_alert_fires_into_the_group_and_its_chart_is_for_anyone(
    with_candles: Stack, place: str
) -> None:
    """It posts into the topic it was set in (the group's general chat when set there), in the
    group's language: that of the admin who set Pythia up there, until the group has its own; and
    at once, whatever the admin's own quiet hours."""
    stack = with_candles
    c = cast(stack, place, language_code="es")
    hour = stack.deps.clock.now().hour
    await stack.ask(c.admin, f"/quiet {(hour - 2) % 24:02d}:00-{(hour + 3) % 24:02d}:00")
    price = await price_of(stack, "DOGE")
    level = (price * 3).quantize(Decimal("0.0001"))
    card = await c.say(c.admin, f"/alert@pythia_bot DOGE > {level}")
    assert card.text.startswith("🔔 Alerta #"), card.text
    # from below the level (the other place's test may have left the last tick above it)
    await fire_by_tick(stack, "DOGE", price)
    await fire_by_tick(stack, "DOGE", level * 2)
    [fired] = await stack.emu.wait_for_bot_messages(c.group, after=card, timeout=30)
    assert fired.message_thread_id == c.thread
    assert fired.text.startswith("🔔 DOGE sube por encima de"), fired.text
    assert labels(fired) == ["📈 Gráfico", "⏸ Pausar"]
    query = await stack.emu.press_button(c.member, fired, text="📈 Gráfico")
    assert not (await stack.emu.wait_for_callback_answer(query)).show_alert
    [picture] = await stack.emu.wait_for_bot_messages(c.group, after=fired, timeout=15)
    assert picture.photo is not None and picture.caption.startswith("DOGE")
    [(alert_id, _, status)] = await alerts_in(stack, c.group.id)
    assert status == "fired"
    query = await stack.emu.press_button(c.outsider, fired, text="⏸ Pausar")
    answered = await stack.emu.wait_for_callback_answer(query)
    assert answered.show_alert and answered.answer_text == ADMINS_ONLY
    assert await alerts_in(stack, c.group.id) == [(alert_id, c.admin.id, "fired")]
