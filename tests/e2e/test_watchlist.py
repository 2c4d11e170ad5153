"""/watch, /unwatch, /prices and /top through the emulator."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.watchlist import MAX_WATCHED
from db.repos.assets import register_listings
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_watch_then_prices_in_one_message(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/watch btc ETH")
    assert reply.text.startswith("Watching BTC, ETH.")
    assert "Your list: BTC, ETH" in reply.text
    table = await stack.ask(alice, "/prices")
    lines = table.text.split("\n")
    assert lines[0] == "Your watchlist"
    assert lines[1].startswith("BTC ") and lines[2].startswith("ETH ")
    assert "%" in lines[1] and lines[-1].startswith("24 h change · prices")
    assert table.buttons == [{"text": "🔄 Refresh", "callback_data": f"prices:{alice.id}"}]


async def test_refresh_updates_the_table_in_place(stack: Stack, alice) -> None:
    await stack.ask(alice, "/watch SOL")
    table = await stack.ask(alice, "/prices")
    query = await stack.emu.press_button(alice, table, f"prices:{alice.id}")
    await stack.emu.wait_for_callback_answer(query)
    assert len(stack.emu.bot_messages(alice)) == 2  # edited, not re-sent


async def test_someone_else_cannot_refresh_my_list(stack: Stack, alice) -> None:
    bob = stack.emu.add_user("Bob")
    group = stack.emu.add_group("Traders", members=[alice, bob])
    await stack.ask(alice, "/watch@pythia_bot BTC", chat=group)
    table = await stack.ask(alice, "/prices@pythia_bot", chat=group)
    query = await stack.emu.press_button(bob, table, f"prices:{alice.id}")
    answered = await stack.emu.wait_for_callback_answer(query)
    assert "someone else's watchlist" in answered.answer_text
    assert answered.show_alert


async def test_duplicates_are_noted_and_unwatch_removes(stack: Stack, alice) -> None:
    await stack.ask(alice, "/watch BTC ETH")
    again = await stack.ask(alice, "/watch btc doge")
    assert again.text.startswith("Watching DOGE. Already on your list: BTC.")
    removed = await stack.ask(alice, "/unwatch ETH sol")
    assert removed.text == "Removed ETH. SOL isn't on your watchlist. Still watching BTC, DOGE."
    cleared = await stack.ask(alice, "/unwatch all")
    assert cleared.text == "Removed BTC, DOGE. Your watchlist is empty."
    empty = await stack.ask(alice, "/prices")
    assert empty.text.startswith("Your watchlist is empty") and not empty.buttons


async def test_a_coin_nobody_followed_is_followed_once_watched(fresh_stack: Stack, alice) -> None:
    stack = fresh_stack
    # XRP is in the replay data but not among this stack's configured symbols
    assert "XRP" not in stack.deps.directory.tracked
    reply = await stack.ask(alice, "/watch XRP")
    assert reply.text.startswith("Watching XRP.")
    directory = await stack.deps.current_directory()
    assert "XRP" in directory.tracked


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/watch", "Which coins? Send /watch BTC ETH SOL."),
        ("/watch FOO", "Unknown symbol: FOO. Try BTC, ETH, SOL, DOGE."),
        ("/watch LTC", "LTC isn't traded on the sandbox replay."),
        ("/watch 🚀🚀", "Not a coin I know: 🚀🚀. Try BTC, ETH, SOL, DOGE."),
        ("/unwatch", "Which coins? Send /unwatch BTC, or /unwatch all."),
    ],
)
async def test_bad_watch_input_gets_one_line_and_writes_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    await stack.ask(alice, "/start")
    before = await stack.row_counts()
    reply = await stack.ask(alice, typed)
    assert reply.text == expected
    assert await stack.row_counts() == before


async def test_the_watchlist_has_a_limit(fresh_stack: Stack, alice) -> None:
    stack = fresh_stack
    # an exchange listing more coins than a watchlist holds (setup data, written as the
    # market sync job writes it)
    coins = [f"ZZ{i:02d}" for i in range(MAX_WATCHED + 1)]
    async with stack.deps.sessions.begin() as session:
        await register_listings(
            session, "replay", {c: (f"{c}/USDT", "USDT") for c in coins}, datetime.now(UTC)
        )
    await stack.deps.assets_changed()
    first = await stack.ask(alice, "/watch " + " ".join(coins[:MAX_WATCHED]))
    assert first.text.startswith(f"Watching {coins[0]}, ")
    before = await stack.row_counts()
    refused = await stack.ask(alice, f"/watch {coins[-1]}")
    assert refused.text == (
        f"A watchlist holds at most {MAX_WATCHED} coins and yours has {MAX_WATCHED}; "
        "remove some with /unwatch first."
    )
    assert await stack.row_counts() == before


async def test_top_lists_gainers_and_losers(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/top")
    assert reply.text.startswith("Top movers, 24 h — 4 of 5 coins followed")
    assert "Gainers" in reply.text and "Losers" in reply.text


# ---- in Spanish and Russian ---------------------------------------------------------------------


async def test_watch_and_prices_in_spanish(stack: Stack) -> None:
    ana = stack.emu.add_user("Ana", "ana", language_code="es")
    reply = await stack.ask(ana, "/watch btc ETH")
    assert reply.text == (
        "Añadidas a tu lista: BTC, ETH. Tu lista: BTC, ETH. Consulta sus precios con /prices."
    )
    table = await stack.ask(ana, "/prices")
    lines = table.text.split("\n")
    assert lines[0] == "Tu lista de seguimiento"
    assert re.match(r"BTC +\d{1,3}(\.\d{3})*,\d{2} +[+−±]\d+,\d{2}\xa0%", lines[1])
    assert lines[-1].startswith("cambio en 24 h · precios de ")
    assert table.buttons == [{"text": "🔄 Actualizar", "callback_data": f"prices:{ana.id}"}]


async def test_watch_prices_and_someone_elses_button_in_russian(stack: Stack) -> None:
    ivan = stack.emu.add_user("Иван", "ivan", language_code="ru")
    olga = stack.emu.add_user("Ольга", "olga", language_code="ru")
    group = stack.emu.add_group("Трейдеры", members=[ivan, olga])
    reply = await stack.ask(ivan, "/watch@pythia_bot SOL DOGE", chat=group)
    assert reply.text.startswith("Добавлено в список: SOL, DOGE. Ваш список: DOGE, SOL")
    table = await stack.ask(ivan, "/prices@pythia_bot", chat=group)
    assert table.text.startswith("Ваш список наблюдения\nDOGE ")
    assert re.search(r"\d,\d{2}\xa0%", table.text) and "изменение за 24 ч" in table.text
    assert table.buttons[0]["text"] == "🔄 Обновить"
    query = await stack.emu.press_button(olga, table, f"prices:{ivan.id}")
    answered = await stack.emu.wait_for_callback_answer(query)
    assert (
        answered.answer_text
        == "Это чужой список наблюдения — отправьте /prices, чтобы увидеть свой."
    )
    removed = await stack.ask(ivan, "/unwatch@pythia_bot SOL BTC", chat=group)
    assert (
        removed.text
        == "Убрано из списка: SOL. BTC нет в вашем списке наблюдения. В списке остались: DOGE."
    )


async def test_top_in_spanish_and_russian(stack: Stack) -> None:
    ana = stack.emu.add_user("Ana", "ana_top", language_code="es")
    spanish = await stack.ask(ana, "/top")
    assert spanish.text.startswith("Mayores movimientos, 24 h: 4 de 5 monedas seguidas")
    assert "📈 Suben" in spanish.text and "📉 Bajan" in spanish.text
    assert re.search(r"[+−]\d+,\d{2}\xa0% · \d{1,3}(\.\d{3})*,\d{2} USDT", spanish.text)
    ivan = stack.emu.add_user("Иван", "ivan_top", language_code="ru")
    russian = await stack.ask(ivan, "/top")
    assert russian.text.startswith("Лидеры движения за 24 ч — 4 из 5 отслеживаемых монет")
    assert "📈 Рост" in russian.text and "📉 Падение" in russian.text
