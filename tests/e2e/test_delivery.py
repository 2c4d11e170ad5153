"""Outbox delivery through the whole bot: rows written as the workers write them, sent by the
Application's own sender (post_init) through PTB and its AIORateLimiter to the emulator,
which answers 429 past Telegram's flood limits — so every 429 here would be our fault. And an
alert set in Spanish or Russian, fired by a price tick, arriving in that language and zone."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bot.emulator.records import User
from bot.i18n import texts_for
from core.market import PriceQuote
from core.notices import AlertFired, read_payload
from db.cache import PRICE_CHANNEL
from db.models import Alert, Asset, OutboxMessage
from db.models import User as Person
from services.prices import quotes
from tests.e2e.conftest import Stack, queue_alerts

pytestmark = pytest.mark.asyncio(loop_scope="module")

BUTTONS = [
    [{"text": "Chart", "callback_data": "chart:BTC"}, {"text": "Pause", "callback_data": "ap:1"}]
]


def alert(text: str, **fields: Any) -> dict[str, Any]:
    return {"text": text, "buttons": BUTTONS, "symbol": "BTC", "quiet": False} | fields


async def settled(stack: Stack, keys: list[str], timeout: float = 90) -> list[OutboxMessage]:
    """The rows of `keys` (in that order) once none is pending."""
    async with asyncio.timeout(timeout):
        while True:
            async with stack.deps.sessions() as session:
                query = select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(keys))
                rows = {row.dedupe_key: row for row in await session.scalars(query)}
            if all(row.status != "pending" for row in rows.values()):
                return [rows[key] for key in keys]
            await asyncio.sleep(0.1)


def sends(stack: Stack, chat_ids: set[int]) -> list[tuple[int, int, float]]:
    """(chat, HTTP status, emulator arrival time) of every sendMessage to those chats."""
    return [
        (int(call.params["chat_id"]), call.status, call.monotonic)
        for call in stack.emu.calls_to("sendMessage")
        if int(call.params["chat_id"]) in chat_ids
    ]


async def test_rows_are_delivered_once_each_with_their_buttons(stack: Stack, alice: User) -> None:
    keys = await queue_alerts(stack, [(alice.id, alert(f"<b>BTC</b> above {n}")) for n in range(3)])
    rows = await settled(stack, keys)
    messages = stack.emu.bot_messages(alice)
    assert [m.text for m in messages] == [f"BTC above {n}" for n in range(3)]
    assert all(m.reply_markup["inline_keyboard"][0][1]["callback_data"] == "ap:1" for m in messages)
    assert [row.telegram_message_id for row in rows] == [m.message_id for m in messages]
    assert [row.status for row in rows] == ["sent"] * 3


async def test_200_rows_for_five_people_and_a_group_get_no_429(stack: Stack) -> None:
    people = [stack.emu.add_user(f"Burst{n}") for n in range(5)]
    group = stack.emu.add_group("Burst group", people)
    rows = [(p.id, alert(f"{p.first_name} #{n}")) for n in range(38) for p in people]
    rows += [(group.id, alert(f"group #{n}")) for n in range(10)]
    keys = await queue_alerts(stack, rows)
    stored = await settled(stack, keys)
    assert [row.status for row in stored] == ["sent"] * 200
    chats = {p.id for p in people} | {group.id}
    calls = sends(stack, chats)
    assert [status for _, status, _ in calls] == [200] * 200  # not a single 429
    arrivals: dict[int, list[float]] = defaultdict(list)
    for chat_id, _, at in calls:
        arrivals[chat_id].append(at)
    for chat_id, times in arrivals.items():
        spacing = 3.0 if chat_id == group.id else 1.0  # Telegram: 1/s per chat, 20/min a group
        # The sender spaces the sends' starts; an arrival is a start plus the trip, which a busy
        # machine stretches now and then (1.6 s, then 0.4 s): so every two gaps in a row, not
        # each one, span the spacing (two sends at once would leave a pair of them short)
        spans = [c - a for a, _, c in zip(times, times[1:], times[2:], strict=False)]
        assert min(spans) > 2 * spacing * 0.8, (chat_id, min(spans))
        assert times[-1] - times[0] >= spacing * (len(times) - 1) - 0.5
    for person in people:  # each chat in its own order
        assert [m.text for m in stack.emu.bot_messages(person)] == [
            f"{person.first_name} #{n}" for n in range(38)
        ]


async def test_retry_after_is_honoured(stack: Stack, alice: User) -> None:
    stack.emu.fail_next("sendMessage", chat=alice, code=429, retry_after=2)
    [key] = await queue_alerts(stack, [(alice.id, alert("after the wait"))])
    [row] = await settled(stack, [key])
    [(_, refused, told), (_, sent, arrived)] = sends(stack, {alice.id})
    assert (refused, sent) == (429, 200) and arrived - told >= 2.0
    assert row.status == "sent"
    assert [m.text for m in stack.emu.bot_messages(alice)] == ["after the wait"]


async def test_a_network_error_is_retried_after_real_seconds(stack: Stack, alice: User) -> None:
    stack.emu.fail_next("sendMessage", chat=alice, code=502, times=2)
    [key] = await queue_alerts(stack, [(alice.id, alert("third time lucky"))])
    [row] = await settled(stack, [key])
    assert row.status == "sent" and row.attempts == 3 and "Bad Gateway" in (row.last_error or "")
    assert [m.text for m in stack.emu.bot_messages(alice)] == ["third time lucky"]
    [(_, _, first), _, (_, _, third)] = sends(stack, {alice.id})
    assert third - first >= 3.0  # back-offs of 1-2 s and 2-4 s of the wall (the replay runs 60x)


@pytest.mark.parametrize("mode", ["garbage", "reset_after"])
async def test_an_alert_telegram_took_but_whose_answer_was_lost_arrives_once(
    stack: Stack, alice: User, mode: str
) -> None:
    stack.emu.fail_next("sendMessage", chat=alice, mode=mode)
    keys = await queue_alerts(
        stack, [(alice.id, alert("only once")), (alice.id, alert("and the next"))]
    )
    lost, fine = await settled(stack, keys)
    assert [m.text for m in stack.emu.bot_messages(alice)] == ["only once", "and the next"]
    assert lost.status == "sent" and lost.telegram_message_id is None
    assert (lost.last_error or "").startswith("ambiguous: ") and lost.attempts == 1
    assert fine.telegram_message_id == stack.emu.bot_messages(alice)[1].message_id
    sender = stack.app.bot_data.outbox
    assert sender is not None and sender.stats.ambiguous >= 1


async def test_a_person_who_blocked_the_bot_has_their_alerts_paused(
    stack: Stack, alice: User
) -> None:
    await stack.ask(alice, "/start")
    async with stack.deps.sessions.begin() as session:
        btc = await session.scalar(select(Asset.id).where(Asset.symbol == "BTC"))
        now = stack.deps.clock.now()
        for threshold in (10**9, 2 * 10**9):  # far above any price: never fires
            session.add(
                Alert(user_id=alice.id, chat_id=alice.id, asset_id=btc, kind="price",
                      direction="above", threshold=Decimal(threshold), created_at=now,
                      updated_at=now)
            )  # fmt: skip
    stack.emu.block_bot(alice)
    keys = await queue_alerts(stack, [(alice.id, alert("one")), (alice.id, alert("two"))])
    rows = await settled(stack, keys)
    assert [row.status for row in rows] == ["failed", "failed"]
    assert [status for _, status, _ in sends(stack, {alice.id})][-1] == 403
    async with stack.deps.sessions() as session:
        person = await session.get(Person, alice.id)
        statuses = list(
            await session.scalars(select(Alert.status).where(Alert.user_id == alice.id))
        )
    assert person is not None and person.blocked_at is not None
    assert statuses == ["paused", "paused"]


async def test_quiet_hours_alerts_arrive_as_one_summary(stack: Stack, alice: User) -> None:
    payloads = [alert(f"full {n}", quiet=True, summary=f"<b>ETH</b> below {n}") for n in range(4)]
    keys = await queue_alerts(stack, [(alice.id, payload) for payload in payloads])
    rows = await settled(stack, keys)
    [summary] = stack.emu.bot_messages(alice)
    assert summary.text.splitlines()[0] == "While you were away, 4 alerts fired:"
    assert summary.text.splitlines()[1:] == [f"• ETH below {n}" for n in range(4)]
    assert {row.telegram_message_id for row in rows} == {summary.message_id}


# ---- an alert set and fired in the person's language ---------------------------------------------


async def price_of(stack: Stack, symbol: str) -> Decimal:
    async with stack.deps.read() as session:
        return (await quotes(stack.deps, session, [symbol]))[symbol].price


async def fire_by_tick(stack: Stack, symbol: str, price: Decimal) -> None:
    """A price event as the ingest job publishes it: the workers' matcher takes it from there."""
    quote = PriceQuote(symbol, price, "USDT", "replay", stack.deps.clock.now(), Decimal("1.5"))
    await stack.deps.cache.publish(PRICE_CHANNEL, quote.to_json())


async def fired_notice(stack: Stack, user: User) -> AlertFired:
    """The notice of the one alert that fired for `user`."""
    async with stack.deps.sessions() as session:
        [row] = await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == user.id))
    notice = read_payload(row.payload)
    assert isinstance(notice, AlertFired)
    return notice


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


async def test_an_alert_set_and_fired_in_spanish(stack: Stack) -> None:
    ana = stack.emu.add_user("Ana", "ana", language_code="es")
    zone = await stack.ask(ana, "/timezone europe/madrid")
    assert zone.text.startswith("Zona horaria configurada: Europe/Madrid")
    level = (await price_of(stack, "BTC") * 2).quantize(Decimal(1))
    card = await stack.ask(ana, f"/alert BTC > {level}")
    assert card.text.startswith("🔔 Alerta #")
    assert f"BTC sube por encima de {texts_for('es').number(level)} USD — una vez" in card.text
    assert [b["text"] for b in card.buttons] == ["⏸ Pausar", "🗑 Borrar"]
    await fire_by_tick(stack, "BTC", level * 2)
    [message] = await stack.emu.wait_for_bot_messages(ana, after=card, timeout=30)
    notice = await fired_notice(stack, ana)
    es = texts_for("es")
    assert plain(message.text).splitlines() == [
        plain(f"🔔 BTC sube por encima de {es.number(level)} USD — una vez"),
        plain(f"BTC está en {es.price(level * 2)} USDT  ▲ +1,50 % en 1 día"),
        plain(es.moment(notice.at, "Europe/Madrid")),  # in Ana's zone
        "Ha saltado una vez y ya está desactivada; crea otra con /alert.",
    ]
    assert [b["text"] for b in message.buttons] == ["📈 Gráfico", "⏸ Pausar"]


async def test_a_recurring_alert_set_and_fired_in_russian(stack: Stack) -> None:
    ivan = stack.emu.add_user("Иван", "ivan", language_code="ru")
    await stack.ask(ivan, "/timezone Europe/Moscow")
    level = (await price_of(stack, "ETH") * 2).quantize(Decimal(1))
    card = await stack.ask(ivan, f"/alert ETH > {level} every 2h")
    assert card.text.startswith("🔔 Оповещение #")
    assert "не чаще чем раз в 2 часа" in card.text
    await fire_by_tick(stack, "ETH", level * 2)
    [message] = await stack.emu.wait_for_bot_messages(ivan, after=card, timeout=30)
    notice = await fired_notice(stack, ivan)
    ru = texts_for("ru")
    lines = plain(message.text).splitlines()
    assert lines[0] == plain(
        f"🔔 ETH поднимается выше {ru.number(level)} USD — не чаще чем раз в 2 часа"
    )
    assert lines[2] == plain(ru.moment(notice.at, "Europe/Moscow")) and lines[2].endswith("MSK")
    again = ru.time(notice.at + timedelta(hours=2), "Europe/Moscow")
    assert (
        lines[3] == f"Сработало 1 раз; снова может сработать с {again} (не чаще чем раз в 2 часа)."
    )
    assert [b["text"] for b in message.buttons] == ["📈 График", "⏸ Пауза"]
    pause = await stack.emu.press_button(ivan, message, text="⏸ Пауза")  # it pauses the alert
    await stack.emu.wait_for_callback_answer(pause)
    await stack.emu.wait_for(lambda: message.edits, what="the new buttons")
    assert [b["text"] for b in message.buttons] == ["📈 График", "▶️ Возобновить", "🗑 Удалить"]
    async with stack.deps.sessions() as session:
        assert (await session.get(Alert, notice.alert_id)).status == "paused"
