"""Forecast alerts from chat, through the emulator on both stacks: `/alert BTC predict up > 65%
24h` set and listed (a duplicate refused), bad variants refused in one line with nothing written,
the guided flow's Forecast kind, and a crossing delivered to the chat once — by the workers'
alerts_predictions job and the sender — while a base-rate answer crossing the level fires
nothing and a second run sends nothing more."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.emulator.records import User
from core.alerts.grammar import parse_alert
from core.alerts.storage import spec_of
from db.models import OutboxMessage, Prediction
from services.alerts import delete
from tests.e2e.conftest import Stack
from tests.e2e.test_alerts_setup import SET, alerts_of, labels, press, refused

pytestmark = pytest.mark.asyncio(loop_scope="module")

PREVIEW = re.compile(
    r"^((The forecast's chance is [\d.]+% now|No edge found for [A-Z]+ now: the model serves the "
    r"base rate, and the alert fires only on a model's forecast)\. )?(It would (not have fired|"
    r"have fired (once|\d+ times)) in the last (day|\d+ days|hour|\d+ hours)(, (last )?on "
    r"[A-Z][a-z]{2} \d{1,2})?\.|I have too few forecasts of [A-Z]+ stored yet to say how often "
    r"it would have fired\.)$"
)


async def test_forecast_alerts_are_set_and_listed(stack: Stack, alice: User) -> None:
    up = await stack.ask(alice, "/alert BTC predict up > 65% 24h")
    first, second = up.text.split("\n")
    match = SET.match(first)
    described = "BTC forecast: chance of up in 24h rises above 65% — once"
    assert match and match.group(2) == described, first
    assert PREVIEW.match(second), second
    down = await stack.ask(alice, "/alert eth forecast down < 40% 4h every 2h")
    first, second = down.text.split("\n")
    match = SET.match(first)
    other = "ETH forecast: chance of down in 4h falls below 40% — every 2 hours at most"
    assert match and match.group(2) == other, first
    assert PREVIEW.match(second), second
    assert labels(down) == ["⏸ Pause", "🗑 Delete"]

    one, two = await alerts_of(stack, alice)
    assert spec_of(one) == parse_alert("BTC predict up > 65% 24h", one.created_at)
    assert spec_of(two) == parse_alert("ETH predict down < 40% 4h every 2h", two.created_at)
    assert (one.kind, one.params["indicator"], two.params["horizon"]) == (
        "indicator",
        "predict",
        "4h",
    )
    listing = await stack.ask(alice, "/alerts")
    assert listing.text.split("\n")[:5] == [
        "Your alerts — 2 active",
        f"#{one.id} 🟢 {described}",
        "      not fired yet",
        f"#{two.id} 🟢 {other}",
        "      not fired yet",
    ]
    again = await stack.ask(alice, "/alert BTC predict up above 0.65")
    assert again.text == f"You already have this alert (#{one.id}) — see /alerts."
    for alert in (one, two):
        await delete(stack.deps, alice.id, alert.id)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/alert BTC predict > 65% 24h", "Say which way, up or down, and how sure, like "),
        ("/alert BTC predict 65%", "Say which way, up or down, and how sure, like "),
        ("/alert BTC predict up down > 60%", "Say which way, up or down, and how sure, like "),
        ("/alert BTC predict up", "Give the chance as a percentage from 1% to 99%, like "),
        ("/alert BTC predict up > 0%", "Chance: give a percentage from 1% to 99%, like "),
        ("/alert BTC predict up > 100%", "Chance: give a percentage from 1% to 99%, like "),
        ("/alert BTC predict up > -5%", "Chance: give a percentage from 1% to 99%, like "),
        ("/alert BTC predict up > NaN%", "I don't understand “nan%” here; try predict up"),
        ("/alert BTC predict up > 65% 2h", "Horizon: forecasts are made for 1h, 4h, or 24h ahead"),
        ("/alert BTC predict up > 65% 7d", "Horizon: forecasts are made for 1h, 4h, or 24h ahead"),
        ("/alert BTC predict up > 65% soon", "I don't understand “soon” here; try predict up"),
        ("/alert BTC predict up > 65% < 70%", "Say one direction: > or <, up or down."),
        ("/alert FOO predict up > 65%", "Unknown symbol: FOO."),
    ],
)
async def test_bad_forecast_alerts_get_one_line_and_write_nothing(
    stack: Stack, alice: User, typed: str, expected: str
) -> None:
    reply = await refused(stack, alice, typed)
    assert reply.text.startswith(expected), reply.text


async def test_the_guided_flow_sets_a_forecast_alert(stack: Stack, alice: User) -> None:
    menu = await stack.ask(alice, "/alert")
    await press(stack, alice, menu, "BTC")
    assert labels(menu)[7:] == ["🔮 Forecast", "✖️ Cancel"]
    await press(stack, alice, menu, "🔮 Forecast")
    assert menu.text.startswith("BTC: when a model's 24h forecast gives which chance?")
    assert labels(menu) == [
        "up above 60%",
        "up above 70%",
        "down above 60%",
        "down above 70%",
        "✖️ Cancel",
    ]
    await press(stack, alice, menu, "down above 70%")
    first, second = menu.text.split("\n")
    assert re.match(
        r"🔔 Alert #\d+ set: BTC forecast: chance of down in 24h rises above 70% — once$", first
    )
    assert PREVIEW.match(second), second
    [row] = await alerts_of(stack, alice)
    assert row.params == {"symbol": "BTC", "indicator": "predict", "side": "down", "horizon": "24h"}
    await delete(stack.deps, alice.id, row.id)


async def add_prediction(
    stack: Stack, coin: str, made_at: datetime, p_up: float, served: str = "model"
) -> int:
    async with stack.deps.sessions.begin() as session:
        row = Prediction(
            model_id=None,
            asset_id=stack.deps.directory.ids[coin],
            horizon="1h",
            made_at=made_at,
            target_at=made_at + timedelta(hours=1),
            reference_price=Decimal("0.1"),
            prob_up=p_up,
            served=served,
            drivers=[],
        )
        session.add(row)
        await session.flush()
        return row.id


async def after(stack: Stack, moment: datetime) -> None:
    """Wait until the stack's replay clock (`replay_speed` times the wall's) has passed `moment`."""
    ahead = (moment - stack.deps.clock.now()).total_seconds()
    await asyncio.sleep(max(ahead, 0) / stack.deps.settings.replay_speed + 0.2)
    assert stack.deps.clock.now() > moment


async def outbox_keys(stack: Stack, alert_id: int) -> list[str]:
    async with stack.deps.sessions() as session:
        keys = await session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.like(f"alert:{alert_id}:%")
            )
        )
        return list(keys)


async def test_a_served_crossing_reaches_the_chat_once(stack: Stack, alice: User) -> None:
    await stack.ask(alice, "/alert DOGE predict up > 65% 1h")
    [alert] = await alerts_of(stack, alice)
    job = stack.workers.matcher.on_predictions  # the alerts_predictions job, run by hand too
    deps = stack.deps
    now = stack.deps.clock.now()
    await add_prediction(stack, "DOGE", now + timedelta(minutes=1), 0.6)
    no_edge = now + timedelta(minutes=2)
    await add_prediction(stack, "DOGE", no_edge, 0.9, served="base_rate")  # "no edge found"
    await after(stack, no_edge)
    assert (await job(deps)).summary.endswith("0 fired")
    assert await outbox_keys(stack, alert.id) == []

    served = now + timedelta(minutes=3)
    crossing = await add_prediction(stack, "DOGE", served, 0.7)
    await after(stack, served)
    fired = await stack.emu.wait_for(
        lambda: next(
            (
                m
                for m in stack.emu.bot_messages(alice)
                if (m.text or "").startswith("🔔 DOGE forecast")
            ),
            None,
        ),
        what="the forecast alert's message",
        timeout=30,
    )
    lines = fired.text.split("\n")
    assert lines[0] == "🔔 DOGE forecast: chance of up in 1h rises above 65% — once"
    assert lines[1] == "The model gives DOGE a 70% chance of being higher in 1h."
    assert lines[2] == "Record at 1h: none resolved yet."
    assert lines[3].startswith("DOGE is at ")
    assert lines[-1] == "Not financial advice."
    assert (await job(deps)).summary.endswith("0 fired")  # a second run sends nothing more
    await asyncio.sleep(1)
    messages = [m for m in stack.emu.bot_messages(alice) if (m.text or "").startswith("🔔 DOGE")]
    assert len(messages) == 1
    assert await outbox_keys(stack, alert.id) == [f"alert:{alert.id}:prediction:{crossing}"]
    [row] = await alerts_of(stack, alice)
    assert (row.status, row.fire_count) == ("fired", 1)
