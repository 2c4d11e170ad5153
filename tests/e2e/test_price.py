"""/price end to end: the workers ingest the replayed market, a person asks in Telegram."""

from __future__ import annotations

import asyncio
import re

import pytest

from db.cache import price_key
from services.prices import next_quotes
from tests.e2e.conftest import Stack

# The module shares one running Pythia (the `stack` fixture), so it shares one event loop.
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_price_shows_price_change_exchange_and_age(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/price BTC")
    quote = (await stack.deps.cache.get_prices(["BTC"]))["BTC"]
    assert reply.parse_mode == "HTML"
    first_line, second_line = reply.text.split("\n")
    assert first_line.startswith("BTC ")
    assert re.search(r"[\d,]+\.\d{2} USDT", first_line)
    assert re.search(r"[▲▼•] [+−±]\d+\.\d{2}% 24h", first_line)
    assert "Bitcoin · replay · " in second_line
    assert second_line.endswith(("just now", " ago"))  # Babel's "16 sec. ago"
    shown = re.search(r"BTC ([\d,.]+) USDT", first_line).group(1)
    assert shown.replace(",", "")  # a number, and within a few ticks of the cached one
    assert abs(float(shown.replace(",", "")) / float(quote.price) - 1) < 0.05


async def test_several_symbols_at_once_in_any_case(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/price btc $eth Solana")
    assert [line.split()[0] for line in reply.text.split("\n\n")] == ["BTC", "ETH", "SOL"]


async def test_prices_move_as_the_replay_advances(stack: Stack, alice) -> None:
    first = await stack.ask(alice, "/price ETH")
    seen = before = await stack.deps.cache.get_prices(["ETH"])
    async with asyncio.timeout(15):  # a tick may land on the same cent; wait for one that moves
        while seen["ETH"].price == before["ETH"].price:
            seen = await next_quotes(stack.deps, ["ETH"], unlike=seen)
    second = await stack.ask(alice, "/price ETH")
    assert first.text.split("\n")[0] != second.text.split("\n")[0]


async def test_a_cold_cache_falls_back_to_the_database(fresh_stack: Stack, alice) -> None:
    await fresh_stack.workers.stop()  # nobody refills the cache now
    await fresh_stack.deps.cache.delete(price_key("DOGE"))
    reply = await fresh_stack.ask(alice, "/price DOGE")
    assert reply.text.startswith("DOGE ") and "USDT" in reply.text


async def test_price_in_a_group_addressed_to_the_bot(stack: Stack, alice) -> None:
    group = stack.emu.add_group("Traders", members=[alice])
    reply = await stack.ask(alice, "/price@pythia_bot SOL", chat=group)
    assert reply.text.startswith("SOL ")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/price", "Which coin? Send /price BTC, or several at once: /price BTC ETH SOL."),
        ("/price BTCC", "Unknown symbol: BTCC (did you mean BTC?)."),
        ("/price FOO", "Unknown symbol: FOO. Try BTC, ETH, SOL, DOGE."),
        ("/price 🚀", "Not a coin I know: 🚀. Try BTC, ETH, SOL, DOGE."),
        ("/price <b>btc</b>", "Not a coin I know: <b>btc</b>. Try BTC, ETH, SOL, DOGE."),
        (
            "/price BTC'; DROP TABLE users;--",
            "Not coins I know: BTC';, DROP (did you mean XRP or DOGE?), TABLE and 1 more.",
        ),
        ("/price " + "A" * 4000, "Not a coin I know: AAAAAAAAAAAAAAAAAAAAAAA…. Try BTC, ETH,"),
    ],
)
async def test_bad_input_gets_one_clear_line_and_writes_nothing(
    stack: Stack, alice, typed: str, expected: str
) -> None:
    await stack.ask(alice, "/start")
    before = await stack.row_counts()
    reply = await stack.ask(alice, typed)
    assert reply.text.startswith(expected)
    assert "\n" not in reply.text
    assert await stack.row_counts() == before


async def test_five_thousand_characters_are_refused_politely(stack: Stack, alice) -> None:
    # Telegram clients split such a message; the emulator lets the far side send it whole.
    reply = await stack.ask(alice, "/price " + "x" * 5000)
    assert reply.text.startswith("Not a coin I know: xxxxxxxx")
    assert len(reply.text) < 200


async def test_good_and_bad_symbols_together(stack: Stack, alice) -> None:
    reply = await stack.ask(alice, "/price BTC NOPE")
    blocks = reply.text.split("\n\n")
    assert blocks[0].startswith("BTC ")
    assert blocks[1].startswith("Unknown symbol: NOPE")


# ---- in Spanish and Russian ---------------------------------------------------------------------


async def test_price_in_spanish_has_a_decimal_comma_and_spanish_words(stack: Stack) -> None:
    ana = stack.emu.add_user("Ana", "ana", language_code="es")
    reply = await stack.ask(ana, "/price BTC ETH")
    btc, eth = reply.text.split("\n\n")
    first, second = btc.split("\n")
    assert re.fullmatch(r"BTC \d{1,3}(\.\d{3})*,\d{2} USDT  [▲▼•] [+−±]\d+,\d{2}\xa0% 24 h", first)
    assert re.fullmatch(r"Bitcoin · replay · (justo ahora|hace \d+ (s|min))", second)
    assert eth.startswith("ETH ")


async def test_price_in_russian_groups_with_spaces_and_says_it_in_cyrillic(stack: Stack) -> None:
    ivan = stack.emu.add_user("Иван", "ivan", language_code="ru")
    reply = await stack.ask(ivan, "/price SOL")
    first, second = reply.text.split("\n")
    assert re.fullmatch(
        r"SOL \d{1,3}(\xa0\d{3})*,\d{2} USDT  [▲▼•] [+−±]\d+,\d{2}\xa0% за 24 ч", first
    )
    assert "только что" in second or "назад" in second


async def test_bad_input_in_spanish_gets_one_spanish_line_and_writes_nothing(
    stack: Stack,
) -> None:
    ana = stack.emu.add_user("Ana", "ana2", language_code="es")
    await stack.ask(ana, "/start")
    before = await stack.row_counts()
    unknown = await stack.ask(ana, "/price FOO")
    assert unknown.text == "Símbolo desconocido: FOO. Prueba con BTC, ETH, SOL, DOGE."
    asked = await stack.ask(ana, "/price")
    assert asked.text.startswith("¿Qué moneda? Envía /price BTC")
    assert await stack.row_counts() == before
