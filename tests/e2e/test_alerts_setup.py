"""Setting alerts up from chat — typed, or step by step with buttons — and /alerts, /quiet and
/timezone, through the emulator on both stacks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.commands import BY_NAME
from bot.emulator.records import CallbackQueryRecord, MessageRecord, User
from bot.i18n import texts_for
from core.alerts.grammar import parse_alert
from core.alerts.storage import spec_of
from db.models import Alert
from db.models import User as UserRow
from db.repos.alerts import pause_all_for_user
from services.alerts import ALERTS_VERSION
from services.prices import quotes
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")

SET = re.compile(r"^🔔 Alert #(\d+) set: (.+)$")
FIRED = re.compile(
    r"^It would (not have fired|have fired (once|\d+ times)) in the last (30|\d\d) days"
    r"(, (last )?on [A-Z][a-z]{2} \d{1,2})?\. Market: Sandbox replay · [A-Z]+/USDT · spot\.$"
)
ALERT_HELP = BY_NAME["alert"].usage


async def alerts_of(stack: Stack, user: User) -> list[Alert]:
    async with stack.deps.sessions() as session:
        rows = await session.scalars(select(Alert).where(Alert.user_id == user.id))
        return sorted(rows, key=lambda row: row.id)


async def price_of(stack: Stack, symbol: str) -> Decimal:
    async with stack.deps.read() as session:
        return (await quotes(stack.deps, session, [symbol]))[symbol].price


async def press(
    stack: Stack, user: User, message: MessageRecord, label: str
) -> CallbackQueryRecord:
    """Press the button labelled `label`; wait for the answer and for the edit it brings."""
    edits = len(message.edits)
    query = await stack.emu.press_button(user, message, text=label)
    answered = await stack.emu.wait_for_callback_answer(query)
    if not answered.show_alert:
        await stack.emu.wait_for(lambda: len(message.edits) > edits, what="the edit")
    return answered


async def assert_unanswered(stack: Stack, user: User, text: str) -> None:
    """`text` gets no reply: one person's updates are handled in order, so a reply to it would
    come before the reply to the /help sent after it."""
    sent = await stack.emu.send_message(user, text)
    await stack.ask(user, "/help")
    replies = [m for m in stack.emu.bot_messages(user) if m.message_id > sent.message_id]
    assert [m.text.split("\n")[0] for m in replies] == [
        "Pythia — crypto prices, straight in Telegram."
    ]


async def refused(stack: Stack, user: User, typed: str) -> MessageRecord:
    """The reply to `typed` from someone known to the bot: one line, and nothing written."""
    await stack.ask(user, "/start")
    before = await stack.row_counts()
    reply = await stack.ask(user, typed)
    assert "\n" not in reply.text and not reply.buttons, reply.text
    assert await stack.row_counts() == before
    return reply


def labels(message: MessageRecord) -> list[str]:
    return [b["text"] for b in message.buttons]


# ---- typed ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "described"),
    [
        ("BTC > {twice}", "BTC rises above {twice} USD — once"),
        ("eth -5% 1h", "ETH falls 5% or more within 1 hour — once"),
        (
            "SOL rsi < 30 4h every 1d",
            "SOL RSI(14) on 4h candles drops below 30 — every 1 day at most",
        ),
        ("BTC macd cross up 1d", "BTC MACD crosses above its signal line on 1d candles — once"),
        ("ETH crosses ema 20 4h", "ETH price crosses EMA 20 on 4h candles — once"),
        ("BTC volume x3", "BTC volume on 1h candles reaches 3× its 20-candle average — once"),
    ],
)
async def test_each_kind_is_set_with_how_often_it_would_have_fired(
    with_candles: Stack, alice, typed: str, described: str
) -> None:
    stack = with_candles
    twice = (await price_of(stack, "BTC") * 2).quantize(Decimal(1))
    reply = await stack.ask(alice, "/alert " + typed.format(twice=twice))
    first, second = reply.text.split("\n")
    match = SET.match(first)
    assert match, reply.text
    assert match.group(2) == described.format(twice=f"{twice:,}")
    assert FIRED.match(second), second
    [row] = await alerts_of(stack, alice)
    assert (row.id, row.status, row.chat_id) == (int(match.group(1)), "active", alice.id)
    assert reply.buttons == [
        {"text": "⏸ Pause", "callback_data": f"alert:pause:{row.id}:{alice.id}"},
        {"text": "🗑 Delete", "callback_data": f"alert:delete:{row.id}:{alice.id}"},
    ]
    symbol = described.split()[0]
    expected = parse_alert(typed.format(twice=twice).replace("eth", "ETH"), row.created_at)
    assert spec_of(row) == expected and spec_of(row).symbol == symbol


async def test_a_level_crossed_lately_shows_when_it_last_fired(with_candles: Stack, alice) -> None:
    level = (await price_of(with_candles, "BTC") * Decimal("1.01")).quantize(Decimal(1))
    reply = await with_candles.ask(alice, f"/alert BTC > {level}")
    line = reply.text.split("\n")[1]
    assert re.match(r"It would have fired (once|\d+ times) in the last 30 days, (last )?on ", line)


async def test_without_the_candles_it_needs_it_says_so(with_candles: Stack, alice) -> None:
    reply = await with_candles.ask(alice, "/alert ETH crosses sma 200 1d")
    assert reply.text.split("\n")[1] == (
        "I have too few 1h candles of ETH stored yet to say how often it would have fired."
        " Market: Sandbox replay · ETH/USDT · spot."
    )
    minutes = await with_candles.ask(alice, "/alert BTC -2% 15m")  # the replay has no 1m ones
    assert minutes.text.split("\n")[1].startswith("I have too few 1m candles of BTC")
    assert len(await alerts_of(with_candles, alice)) == 2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/alert BTC > -5", "Level: it must be more than zero, like 70000. See /help alert"),
        ("/alert BTC < 0", "Level: it must be more than zero, like 70000. See /help alert"),
        ("/alert BTC > 1e30", "Level: “1e30” is not a number I can read"),
        ("/alert BTC > NaN", "Level: “nan” is not a number I can read"),
        ("/alert BTC > 10000000000000", "Level: the largest I can take is 1,000,000,000,000."),
        ("/alert BTC > 10000000000k", "Level: 10,000,000,000,000 is beyond any real price."),
        ("/alert BTC > 1", "BTC is already at or above 1 ("),
        ("/alert FOO > 5", "Unknown symbol: FOO. Try BTC, ETH, SOL, DOGE."),
        ("/alert LTC > 5", "LTC isn't traded on the sandbox replay."),
        ("/alert BTC stoch < 20", "I don't know “stoch”; alerts understand price levels"),
        ("/alert ETH -5% 1m", "Window: it must be from 5 minutes to 30 days, not 1m."),
        ("/alert ETH -5% 60d", "Window: it must be from 5 minutes to 30 days, not 60d."),
        ("/alert SOL rsi < 130", "RSI runs from 0 to 100; pick a level like 30 or 70."),
        ("/alert BTC volume x500", "The most a volume alert watches for is ×100."),
    ],
)
async def test_bad_input_gets_one_line_and_writes_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    reply = await refused(stack, alice, typed)
    assert reply.text.startswith(expected), reply.text


async def test_the_same_alert_twice_is_refused(stack: Stack, alice) -> None:
    level = (await price_of(stack, "ETH") * 3).quantize(Decimal(1))
    first = await stack.ask(alice, f"/alert ETH > {level}")
    alert_id = SET.match(first.text.split("\n")[0]).group(1)
    before = await stack.row_counts()
    for typed in (f"/alert ETH > {level}", f"/alert eth above {level} every 1h"):
        again = await stack.ask(alice, typed)
        assert again.text == f"You already have this alert (#{alert_id}) — see /alerts."
    assert await stack.row_counts() == before
    other = await stack.ask(alice, f"/alert ETH > {level + 1}")  # another level is another alert
    assert other.text.startswith("🔔 Alert #")


async def test_active_alerts_have_a_cap(fresh_stack: Stack, alice) -> None:
    stack = fresh_stack
    stack.deps.settings = stack.deps.settings.model_copy(update={"alerts_max_active": 2})
    high = (await price_of(stack, "BTC") * 2).quantize(Decimal(1))
    first = await stack.ask(alice, f"/alert BTC > {high}")
    await stack.ask(alice, f"/alert BTC > {high + 1}")
    before = await stack.row_counts()
    refused = await stack.ask(alice, f"/alert BTC > {high + 2}")
    assert refused.text == (
        "You have 2 active alerts, the most one person can keep — pause or delete some in "
        "/alerts first."
    )
    assert await stack.row_counts() == before
    await press(stack, alice, first, "⏸ Pause")  # a paused alert frees its place
    third = await stack.ask(alice, f"/alert BTC > {high + 2}")
    assert third.text.startswith("🔔 Alert #")
    resume = await stack.emu.press_button(alice, first, text="▶️ Resume")  # … until resumed
    answered = await stack.emu.wait_for_callback_answer(resume)  # at once, before the work
    assert not answered.show_alert
    [why] = await stack.emu.wait_for_bot_messages(alice, after=third)
    assert why.text.startswith("You have 2 active alerts")
    assert [a.status for a in await alerts_of(stack, alice)] == ["paused", "active", "active"]


# ---- step by step --------------------------------------------------------------------------------


async def test_the_guided_flow_sets_an_alert_with_buttons(with_candles: Stack, alice) -> None:
    stack = with_candles
    menu = await stack.ask(alice, "/alert")
    assert menu.text.startswith("New alert — which coin?")
    assert {"BTC", "ETH", "SOL", "DOGE", "✖️ Cancel"} <= set(labels(menu))
    await press(stack, alice, menu, "BTC")
    assert re.match(r"BTC is at [\d,.]+ now\. Tell me when it…", menu.text)
    assert labels(menu)[:5] == [
        "📈 Price above",
        "📉 Price below",
        "↕️ % move",
        "RSI",
        "📊 Volume spike",
    ]
    await press(stack, alice, menu, "📈 Price above")
    assert menu.text == "BTC rises above which price? Pick one or type a number."
    offered = labels(menu)
    assert [label[:4] for label in offered[:3]] == ["+2% ", "+5% ", "+10%"]
    await press(stack, alice, menu, offered[1])
    first, second = menu.text.split("\n")
    assert re.match(r"🔔 Alert #\d+ set: BTC rises above [\d,.]+ USD — once$", first)
    assert FIRED.match(second), second
    assert labels(menu) == ["⏸ Pause", "🗑 Delete"]
    [row] = await alerts_of(stack, alice)
    price = await price_of(stack, "BTC")
    assert row.direction == "above" and price * Decimal("1.02") < row.threshold < price * 2


async def test_the_guided_flow_takes_typed_answers(stack: Stack, alice) -> None:
    menu = await stack.ask(alice, "/alert")
    kinds = await stack.ask(alice, "ethereum")  # typed instead of pressed: a new message
    assert kinds.text.startswith("ETH is at ") and not menu.buttons
    await press(stack, alice, kinds, "↕️ % move")
    assert labels(kinds) == ["±2% in 24h", "±5% in 24h", "±10% in 24h", "✖️ Cancel"]
    wrong = await stack.ask(alice, "0")  # refused: say why, and wait for another
    assert wrong.text == (
        "The move must be more than 0%, like -5% or +10%. See /help alert for what works."
    )
    done = await stack.ask(alice, "7")
    assert done.text.startswith("🔔 Alert #")
    assert "ETH moves 7% or more either way within 1 day — once" in done.text
    [row] = await alerts_of(stack, alice)
    assert (row.kind, row.direction, row.threshold) == ("change", "either", Decimal(7))
    await assert_unanswered(stack, alice, "8")  # the flow is over: plain text is no answer


async def test_cancel_stops_the_flow_and_writes_nothing(stack: Stack, alice) -> None:
    await stack.ask(alice, "/start")
    before = await stack.row_counts()
    menu = await stack.ask(alice, "/alert")
    await press(stack, alice, menu, "SOL")
    cancelled = await stack.ask(alice, "/cancel")
    assert cancelled.text == "Cancelled — no alert was set." and not menu.buttons
    menu = await stack.ask(alice, "/alert")
    await press(stack, alice, menu, "✖️ Cancel")
    assert menu.text == "Cancelled — no alert was set." and not menu.buttons
    assert await stack.row_counts() == before


async def test_a_flow_left_alone_times_out(stack: Stack, alice) -> None:
    menu = await stack.ask(alice, "/alert")
    await press(stack, alice, menu, "BTC")
    await stack.ask(alice, "/help")  # handled after the press is done with, its timeout set
    jobs = stack.app.job_queue.jobs()
    [timeout] = [j for j in jobs if getattr(j.data, "conversation_key", None) == (alice.id,) * 2]
    await timeout.run(stack.app)  # what the job queue does when the flow has waited too long
    timeout.schedule_removal()
    assert menu.text == "This alert menu timed out — send /alert to start again."
    assert not menu.buttons
    await assert_unanswered(stack, alice, "ETH")  # no flow is waiting for a coin


async def test_typing_an_alert_in_the_middle_of_the_flow_ends_it(stack: Stack, alice) -> None:
    await stack.ask(alice, "/alert")
    reply = await stack.ask(alice, "/alert DOGE < 0.0001 ")
    assert reply.text.startswith("DOGE is already at or below") or reply.text.startswith("🔔")
    await assert_unanswered(stack, alice, "/cancel")  # no flow left to cancel


async def test_only_the_person_who_started_the_flow_can_press_its_buttons(
    stack: Stack, alice
) -> None:
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", admins=[alice, bob])  # both may set the group's
    menu = await stack.ask(alice, "/alert@pythia_bot", chat=group)
    answered = await press(stack, bob, menu, "BTC")
    assert answered.show_alert and answered.answer_text.startswith("Only the person who started")
    assert menu.text.startswith("New alert") and not menu.edits
    await stack.ask(bob, "/alert@pythia_bot", chat=group)  # even from within a flow of his own
    answered = await press(stack, bob, menu, "ETH")
    assert answered.answer_text.startswith("Only the person who started") and not menu.edits
    await press(stack, alice, menu, "ETH")  # still hers
    assert menu.text.startswith("ETH is at ")


# ---- /alerts and the alert buttons ---------------------------------------------------------------


async def test_alerts_lists_them_with_pause_resume_and_delete(stack: Stack, alice) -> None:
    high = (await price_of(stack, "SOL") * 2).quantize(Decimal(1))
    await stack.ask(alice, f"/alert SOL > {high}")
    await stack.ask(alice, "/alert SOL volume x99 1d")  # none of these fire meanwhile
    one, two = (a.id for a in await alerts_of(stack, alice))
    listing = await stack.ask(alice, "/alerts")
    lines = listing.text.split("\n")
    assert lines[0] == "Your alerts — 2 active"
    assert lines[1] == f"#{one} 🟢 SOL rises above {high:,} USD — once"
    assert lines[2].strip() == "not fired yet"
    assert labels(listing) == [
        f"⏸ Pause #{one}",
        f"🗑 Delete #{one}",
        f"⏸ Pause #{two}",
        f"🗑 Delete #{two}",
        "🔄",
    ]
    answered = await press(stack, alice, listing, f"⏸ Pause #{one}")
    assert not answered.show_alert  # answered at once; the page itself says what changed
    assert listing.text.startswith("Your alerts — 1 active, 1 paused")
    assert f"#{one} ⏸ paused SOL rises above" in listing.text
    await press(stack, alice, listing, f"▶️ Resume #{one}")
    assert listing.text.startswith("Your alerts — 2 active")
    await press(stack, alice, listing, f"🗑 Delete #{two}")
    assert f"#{two}" not in listing.text and f"⏸ Pause #{two}" not in labels(listing)
    assert [a.status for a in await alerts_of(stack, alice)] == ["active", "deleted"]


async def test_the_buttons_of_a_new_alert_change_it_in_place(stack: Stack, alice) -> None:
    card = await stack.ask(alice, "/alert DOGE rsi > 99.9 1d")
    await press(stack, alice, card, "⏸ Pause")
    assert labels(card) == ["▶️ Resume", "🗑 Delete"]
    await press(stack, alice, card, "▶️ Resume")
    assert labels(card) == ["⏸ Pause", "🗑 Delete"]
    await press(stack, alice, card, "🗑 Delete")
    assert not card.buttons and card.text.startswith("🔔 Alert #")
    [row] = await alerts_of(stack, alice)
    assert row.status == "deleted"
    listing = await stack.ask(alice, "/alerts")
    assert listing.text.startswith("You have no alerts")


async def test_someone_else_pressing_my_alert_buttons_changes_nothing(stack: Stack, alice) -> None:
    """Only in a forged update can someone else press a button in my private chat; then too
    nothing changes. (A group's alerts: tests/e2e/test_group_alerts.py.)"""
    bob = stack.emu.add_user("Bob")
    card = await stack.ask(alice, "/alert ETH rsi < 0.1 1d")
    [row] = await alerts_of(stack, alice)
    for label in ("⏸ Pause", "🗑 Delete"):
        answered = await press(stack, bob, card, label)
        assert answered.show_alert
        assert answered.answer_text.startswith("This is someone else's alert")
    # a button without its owner (as sent before owners rode in them): the chat says whose
    resume = await stack.emu.press_button(bob, card, f"alert:pause:{row.id}", strict=False)
    answered = await stack.emu.wait_for_callback_answer(resume)
    assert answered.show_alert and answered.answer_text.startswith("This is someone else's")
    assert not card.edits
    [row] = await alerts_of(stack, alice)
    assert row.status == "active"


async def test_alerts_lists_the_alerts_of_the_chat_it_is_sent_in(stack: Stack, alice) -> None:
    """Privately, mine; in a group, the group's (whoever of its admins set them)."""
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", members=[bob], admins=[alice])
    await stack.ask(alice, "/alert@pythia_bot BTC rsi < 0.1 1d", chat=group)
    await stack.ask(alice, "/alert ETH rsi < 0.2 1d")
    shown = await stack.ask(bob, "/alerts@pythia_bot", chat=group)  # anyone may look
    assert shown.text.split("\n")[0] == "This group's alerts — 1 active"
    assert "BTC RSI(14) on 1d candles drops below 0.1" in shown.text and "ETH" not in shown.text
    mine = await stack.ask(alice, "/alerts")
    assert mine.text.split("\n")[0] == "Your alerts — 1 active"
    assert "ETH RSI(14) on 1d candles drops below 0.2" in mine.text and "BTC" not in mine.text
    page = await stack.emu.press_button(bob, shown, shown.buttons[-1]["callback_data"])
    assert (await stack.emu.wait_for_callback_answer(page)).show_alert


async def test_many_alerts_come_in_pages(stack: Stack, alice) -> None:
    high = (await price_of(stack, "BTC") * 2).quantize(Decimal(1))
    for step in range(10):
        await stack.ask(alice, f"/alert BTC > {high + step}")
    listing = await stack.ask(alice, "/alerts")
    assert listing.text.startswith("Your alerts — 10 active · page 1 of 2")
    assert labels(listing)[-2:] == ["🔄", "▶"]
    await press(stack, alice, listing, "▶")
    assert listing.text.startswith("Your alerts — 10 active · page 2 of 2")
    assert labels(listing)[-2:] == ["◀", "🔄"]


async def test_the_chart_button_sends_the_chart_of_the_coin(with_candles: Stack, alice) -> None:
    card = await with_candles.ask(alice, "/alert SOL rsi > 99.9 1d")
    query = await with_candles.emu.press_button(alice, card, "alertchart:SOL", strict=False)
    await with_candles.emu.wait_for_callback_answer(query)
    [picture] = await with_candles.emu.wait_for_bot_messages(alice, after=card, timeout=15)
    assert picture.photo is not None and picture.caption.startswith("SOL Solana · 1h · 7d")


async def test_help_alert_explains_the_grammar(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/help alert")
    assert reply.text.startswith("/alert — tell me when something happens to a coin.")
    assert "/alert SOL rsi < 30 4h" in reply.text and "Volume" in ALERT_HELP
    assert reply.text.endswith(
        "Send /alert alone and I'll walk you through it with buttons; /alerts lists yours."
    )
    menu = dict(stack.emu.my_commands())
    assert {"alert", "alerts", "quiet", "timezone"} <= set(menu)


# ---- /quiet and /timezone ------------------------------------------------------------------------


async def stored_hours(stack: Stack, user: User) -> tuple[str, int | None, int | None]:
    async with stack.deps.sessions() as session:
        row = await session.get(UserRow, user.id)
        return row.timezone, row.quiet_start, row.quiet_end


async def test_quiet_hours_and_time_zone(stack: Stack, alice) -> None:
    shown = await stack.ask(alice, "/quiet")
    assert shown.text.startswith("No quiet hours: alerts arrive as they fire.")
    quiet = await stack.ask(alice, "/quiet 22:00-07:00")
    assert quiet.text == (
        "Quiet hours set: 22:00–07:00 UTC. Alerts that fire then arrive as one summary at 07:00."
    )
    assert await stored_hours(stack, alice) == ("UTC", 22 * 60, 7 * 60)
    zone = await stack.ask(alice, "/timezone europe/berlin")
    assert re.match(r"^Time zone set: Europe/Berlin — it's \d\d:\d\d there now\.$", zone.text)
    shown = await stack.ask(alice, "/quiet")
    assert shown.text.startswith("Quiet hours: 22:00–07:00 Europe/Berlin.")
    now = await stack.ask(alice, "/timezone")
    assert now.text.startswith("Your time zone: Europe/Berlin (")
    off = await stack.ask(alice, "/quiet off")
    assert off.text == "Quiet hours off: alerts arrive as they fire."
    assert await stored_hours(stack, alice) == ("Europe/Berlin", None, None)
    await stack.ask(alice, "/quiet 23:30 to 6")
    assert await stored_hours(stack, alice) == ("Europe/Berlin", 23 * 60 + 30, 6 * 60)


async def test_a_time_zone_shows_in_alert_dates(stack: Stack, alice) -> None:
    await stack.ask(alice, "/timezone Asia/Tokyo")
    day = (stack.deps.clock.now() + timedelta(days=10)).date()
    reply = await stack.ask(alice, f"/alert BTC macd cross up 1d until {day}")
    assert f"— once, until the end of {texts_for('en').date(day)}" in reply.text
    [row] = await alerts_of(stack, alice)
    assert row.expires_at == datetime.combine(day, time(15), UTC)  # midnight after, in Tokyo


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/quiet 25:00-07:00", "I can't read “25:00-07:00” as quiet hours; send them like"),
        ("/quiet 22:00-22:00", "I can't read “22:00-22:00” as quiet hours"),
        ("/quiet soon", "I can't read “soon” as quiet hours"),
        ("/timezone Mars/Olympus", "I don't know the time zone “Mars/Olympus”; send one like"),
        ("/timezone ../../etc/passwd", "I don't know the time zone “../../etc/passwd”"),
        ("/timezone <b>", "I don't know the time zone “<b>”"),
    ],
)
async def test_bad_quiet_hours_or_time_zones_get_one_line_and_write_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    reply = await refused(stack, alice, typed)
    assert reply.text.startswith(expected), reply.text
    assert await stored_hours(stack, alice) == ("UTC", None, None)


# ---- for the workers and the sender --------------------------------------------------------------


async def test_every_change_is_announced_for_the_workers(stack: Stack, alice) -> None:
    cache = stack.deps.cache
    version = await cache.get(ALERTS_VERSION)
    card = await stack.ask(alice, "/alert BTC rsi > 99.9 1d")
    for label in (None, "⏸ Pause", "▶️ Resume", "🗑 Delete"):
        if label is not None:
            await press(stack, alice, card, label)
        assert await cache.get(ALERTS_VERSION) not in (version, None), label
        version = await cache.get(ALERTS_VERSION)


async def test_a_person_who_blocked_the_bot_has_their_alerts_paused(stack: Stack, alice) -> None:
    high = (await price_of(stack, "ETH") * 2).quantize(Decimal(1))
    for step in range(3):
        await stack.ask(alice, f"/alert ETH > {high + step}")
    first, second, third = await alerts_of(stack, alice)
    await press(stack, alice, await stack.ask(alice, "/alerts"), f"🗑 Delete #{second.id}")
    async with stack.deps.sessions.begin() as session:
        paused = await pause_all_for_user(session, alice.id, stack.deps.clock.now())
    assert paused == [first.id, third.id]
    assert [a.status for a in await alerts_of(stack, alice)] == ["paused", "deleted", "paused"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/alert BTC %", "Write a move like -5%, +10% or ±5%."),
        ("/alert BTC % 99999999999999999999999999999% -0", "Write a move like -5%, +10% or ±5%."),
        ("/alert DOGE % rsi 1,000,000.5 > 0.0000000001", "Write a move like -5%, +10% or ±5%."),
        ("/alert ETH +99999999999999999999% 1h", "A move of more than 1,000% is beyond what"),
        ("/alert ETH -0.00001% 1h", "Percentage: at most 4 decimal places, please"),
        ("/alert BTC < 0.0000000000001", "Level: the smallest I can take is 0.000000000001."),
        ("/alert SOL rsi < 1,000,000.5", "RSI runs from 0 to 100; pick a level like 30 or 70."),
        ("/alert SOL rsi ² < 30", "Say a level and a side, like rsi < 30 4h"),
        ("/alert ETH crosses sma " + "9" * 5000, "Period: it must be from 2 to 500 candles"),
        (
            "/alert BTC > 70000 until 9999-12-31",
            "An alert can live 365 days at most; pick an earlier date.",
        ),
        ("/alert BTC > 70000 until 0001-01-01", "That date has passed; give one in the future"),
    ],
)
async def test_input_beyond_any_real_alert_gets_one_line_and_writes_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    await stack.ask(alice, "/timezone America/New_York")  # the calendar's ends overflow here
    reply = await refused(stack, alice, typed)
    assert reply.text.startswith(expected), reply.text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/timezone localtime", "I don't know the time zone “localtime”; send one like"),
        ("/timezone Factory", "I don't know the time zone “Factory”; send one like"),
        ("/timezone posixrules", "I don't know the time zone “posixrules”; send one like"),
        ("/timezone UTC+3", "I don't know the time zone “UTC+3”; send one like"),
        (
            "/timezone berln",
            "I don't know the time zone “berln”; did you mean /timezone Europe/Berlin?",
        ),
    ],
)
async def test_only_real_places_are_time_zones(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    reply = await refused(stack, alice, typed)
    assert reply.text.startswith(expected), reply.text
    assert (await stored_hours(stack, alice))[0] == "UTC"


async def test_a_city_that_names_one_zone_is_that_zone(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/timezone new york")
    assert reply.text.startswith("Time zone set: America/New_York — it's ")
    assert (await stored_hours(stack, alice))[0] == "America/New_York"
