"""/portfolio, /pnl, /costbasis and /currency through the emulator, on trades stored as /buy stores
them. The market is held still (workers stopped after ingesting candles) so every figure can be
checked against core's valuation at the very prices the bot used."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import pytest_asyncio

from bot.emulator.records import MessageRecord, User
from bot.i18n import texts_for
from core.people import ChatSeen, PersonSeen
from core.portfolio import Ledger, Trade, period_start, pnl_over, valuation
from db.repos import trades as trade_rows
from db.repos.people import register
from services.portfolio import prices_at
from services.snapshots import day_of, record_snapshots
from tests.e2e.conftest import Stack, ingest_candles_now

pytestmark = pytest.mark.asyncio(loop_scope="module")
D = Decimal
EN = texts_for("en")
money, signed, pct = EN.money, EN.signed, EN.pct
# (asset, side, quantity, price, fee, days ago): two coins held, one partly sold, one unpriced
TRADES = [
    ("BTC", "buy", "0.5", "25000", "12.5", 40),
    ("ETH", "buy", "4", "1600", "3", 35),
    ("BTC", "buy", "0.25", "27000", "0", 20),
    ("ETH", "sell", "1.5", "1750", "2", 3),
    ("LTC", "buy", "10", "70", "0", 2),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def still(stack: Stack) -> Stack:
    """The module's Pythia with candles stored and its workers stopped: prices stand still."""
    await ingest_candles_now(stack)
    await stack.workers.stop()
    return stack


async def seed(
    stack: Stack, user: User, trades: Sequence[tuple], quote: str = "USD"
) -> list[Trade]:
    """Store trades for `user` directly in the stack's database; the core Trades stored."""
    now = stack.deps.clock.now()
    ids = stack.deps.directory.ids
    rows = [
        (ids[asset], side, D(q), D(p), D(fee), now - timedelta(days=days), quote)
        for asset, side, q, p, fee, days in trades
    ]
    async with stack.deps.sessions.begin() as session:
        person = PersonSeen(user.id, user.first_name, user.username)
        await register(session, person, ChatSeen(user.id, "private"), now)
        stored = await trade_rows.add(session, user.id, rows, now)
    # as the ledger books them: dollar stablecoins as USD
    return [
        Trade(trade_id, trade[0], side, q, p, fee, when, "USD")
        for trade_id, (_, side, q, p, fee, when, _), trade in zip(stored, rows, trades, strict=True)
    ]


async def prices_now(stack: Stack, assets: Sequence[str]) -> dict[str, Decimal]:
    quotes = await stack.deps.cache.get_prices(list(assets))
    return {asset: quote.price for asset, quote in quotes.items()}


async def answers(
    stack: Stack, user: User, text: str, count: int, chat=None
) -> list[MessageRecord]:
    sent = await stack.emu.send_message(user, text, chat=chat)
    return await stack.emu.wait_for_bot_messages(chat or user, count, after=sent, timeout=15)


def rows_of(text: str) -> dict[str, list[str]]:
    """The table's rows by their first cell."""
    return {line.split()[0]: line.split()[1:] for line in text.split("\n") if line[:1].isupper()}


async def test_portfolio_values_each_holding_at_the_latest_price(still: Stack, alice) -> None:
    trades = await seed(still, alice, TRADES)
    prices = await prices_now(still, ["BTC", "ETH", "LTC"])
    assert "LTC" not in prices  # configured, but the replay has no LTC market
    view = valuation(Ledger.replay(trades), prices, still.deps.clock.now())
    text, picture = await answers(still, alice, "/portfolio", 2)
    rows = rows_of(text.text)
    for holding in view.holdings:
        expected = (
            [money(holding.value), signed(holding.unrealised), pct(holding.unrealised_pct)]
            if holding.value is not None
            else ["no", "price"]
        )
        assert rows[holding.asset][2 : 2 + len(expected)] == expected
    assert rows["BTC"][:2] == ["0.75", "25,683.33"]  # (12,500 + 12.5 + 6,750) / 0.75
    assert f"Value {money(view.value)} USD · cost basis {money(view.cost_basis)} USD" in text.text
    assert f"realised {signed(view.realised)} USD" in text.text
    assert f"Net invested {money(view.net_invested)} USD" in text.text
    assert "No price for LTC" in text.text
    assert picture.photo is not None
    assert picture.caption == (
        f"Allocation · value {money(view.value)} USD · P&L {signed(view.total_pnl)} USD"
        " · 1 without a price left out"
    )


async def test_the_same_allocation_is_not_drawn_twice(still: Stack, alice) -> None:
    await seed(still, alice, TRADES[:2])
    _, first = await answers(still, alice, "/portfolio", 2)
    _, again = await answers(still, alice, "/portfolio", 2)
    assert again.photo.file_id == first.photo.file_id


async def test_an_empty_portfolio_says_how_to_buy(still: Stack, alice) -> None:
    reply = await still.ask(alice, "/portfolio")
    assert reply.text.startswith("Your portfolio is empty") and "/buy" in reply.text
    assert "\n" not in reply.text


@pytest.mark.parametrize("period", ["day", "week", "month", "year", "all"])
async def test_pnl_over_each_period_matches_core(still: Stack, alice, period: str) -> None:
    trades = await seed(still, alice, TRADES)
    current = await prices_now(still, ["BTC", "ETH", "LTC"])
    for _ in range(2):  # the replay clock runs 60x: ask again if the period began meanwhile
        now = still.deps.clock.now()
        start = period_start(period, now, UTC)
        (reply,) = await answers(still, alice, f"/pnl {period}", 1)
        if period_start(period, still.deps.clock.now(), UTC) == start:
            break
    earlier = {t.asset for t in trades if t.executed_at < start}
    async with still.deps.sessions() as session:
        at_start = await prices_at(session, earlier, start)
    pnl = pnl_over(trades, "fifo", at_start, current, start, now)
    rows = {line.rsplit(None, 1)[0].strip(): line.rsplit(None, 1)[1] for line in
            reply.text.split("\n")[1:8] if line.strip()}  # fmt: skip
    assert rows["Realised"] == signed(pnl.realised)
    assert rows["Unrealised change"] == signed(pnl.unrealised_change)
    assert rows["Total"] == signed(pnl.total)
    assert rows["Value at the start"] == money(pnl.value_start)
    assert rows["Value now"] == money(pnl.value_end)
    assert rows["Put in, net"] == signed(pnl.invested)
    assert "LTC" in reply.text.split("No price at the start or now for ")[1]
    if period in ("week", "month"):  # the replay's hourly candles reach back that far
        assert "BTC" in at_start and "ETH" in at_start


async def test_a_bad_period_lists_the_good_ones(still: Stack, alice) -> None:
    for typed in ("/pnl fortnight", "/pnl week month"):
        reply = await still.ask(alice, typed)
        assert reply.text == "The period is day, week, month, year, or all — e.g. /pnl week."


async def test_pnl_without_a_period_is_today(still: Stack, alice) -> None:
    await seed(still, alice, TRADES[:1])
    reply = await still.ask(alice, "/pnl")
    assert reply.text.startswith("P&L today · USD · since ")


async def test_pnl_draws_the_value_from_daily_snapshots(still: Stack, alice) -> None:
    await seed(still, alice, TRADES[:3])
    today = day_of(still.deps.clock.now())
    async with still.deps.sessions.begin() as session:  # what the job stored on earlier days
        for days, value in ((3, "21000"), (2, "20500"), (1, "22000")):
            await trade_rows.save_snapshot(
                session, alice.id, today - timedelta(days=days), D(value), D("19000"), "USD"
            )
    taken = await record_snapshots(still.deps, [alice.id], today)
    assert (taken.written, taken.refused) == (1, 0)
    text, picture = await answers(still, alice, "/pnl all", 2)
    assert picture.photo is not None
    assert re.fullmatch(
        r"Portfolio value, all time: 21,000\.00 → [\d,]+\.\d\d USD", picture.caption
    )
    assert "value chart appears" not in text.text


async def test_average_cost_recounts_the_portfolio(still: Stack, alice) -> None:
    trades = await seed(still, alice, [*TRADES, ("BTC", "sell", "0.5", "30000", "0", 1)])
    shown = await still.ask(alice, "/costbasis")
    assert shown.text.startswith("Your cost basis is FIFO.")
    assert [b["text"] for b in shown.buttons] == ["✓ FIFO", "Average cost"]
    changed = await still.ask(alice, "/costbasis average")
    assert changed.text == (
        "Cost basis set to average cost — all your trades are counted again with it. "
        "See /portfolio."
    )
    prices = await prices_now(still, ["BTC", "ETH"])
    view = valuation(Ledger.replay(trades, "average"), prices, still.deps.clock.now())
    assert view.realised != valuation(Ledger.replay(trades), prices, view.at).realised
    text, _ = await answers(still, alice, "/portfolio", 2)
    assert f"realised {signed(view.realised)} USD" in text.text
    assert "Cost basis: average cost" in text.text
    again = await still.ask(alice, "/costbasis AVERAGE")
    assert again.text == "Your cost basis is already average cost."


async def test_a_settings_button_changes_it_for_its_owner_only(still: Stack, alice) -> None:
    bob = still.emu.add_user("Bob")
    shown = await still.ask(alice, "/currency")
    assert shown.text.startswith("Your portfolio is kept in USD.")
    query = await still.emu.press_button(bob, shown, f"currency:USDT:{alice.id}")
    assert (await still.emu.wait_for_callback_answer(query)).show_alert
    query = await still.emu.press_button(alice, shown, f"currency:USDT:{alice.id}")
    await still.emu.wait_for_callback_answer(query)
    await still.emu.wait_for(
        lambda: "now kept in USDT" in (still.emu.bot_messages(alice)[-1].text or "")
    )
    assert [b["text"] for b in still.emu.bot_messages(alice)[-1].buttons] == [
        "USD",
        "✓ USDT",
        "USDC",
    ]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Your portfolio's currency is already USD."),
        ("es", "La moneda de tu cartera ya es USD."),
        ("ru", "Ваш портфель уже считается в USD."),
    ],
)
async def test_choosing_the_currency_it_already_has_says_so(
    still: Stack, language: str, said: str
) -> None:
    ana = still.emu.add_user("Ana", language_code=language)
    assert (await still.ask(ana, "/currency usd")).text == said


async def test_currency_change_is_refused_over_trades_in_another(still: Stack, alice) -> None:
    await seed(still, alice, TRADES[:1], quote="USD")
    await seed(
        still, alice, TRADES[1:2], quote="USDT"
    )  # as USD both: dollar stablecoins book as USD
    before = await still.row_counts()
    refused = await still.ask(alice, "/currency usdt")
    assert refused.text == (
        "Your trades are booked in USD, so your portfolio stays in USD: in USDT it would mix "
        "two currencies."
    )
    assert await still.row_counts() == before
    assert (await still.ask(alice, "/currency")).text.startswith("Your portfolio is kept in USD.")


async def test_a_stablecoin_portfolio_can_be_kept_in_it(still: Stack, alice) -> None:
    await seed(still, alice, TRADES[:2], quote="USDT")
    reply = await still.ask(alice, "/currency USDT")
    assert reply.text == "Your portfolio is now kept in USDT. See /portfolio."
    text, _ = await answers(still, alice, "/portfolio", 2)
    assert text.text.startswith("Your portfolio · 2 holdings · USDT")
    refused = await still.ask(alice, "/currency USDC")
    assert refused.text.startswith(
        "Your trades are booked in USDT, so your portfolio stays in USDT"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/costbasis lifo", "The cost basis is fifo or average, not lifo."),
        ("/costbasis fifo average", "The cost basis is fifo or average, not fifo average."),
        ("/currency EUR", "The currency is USD, USDT, or USDC, not EUR."),
    ],
)
async def test_bad_setting_values_get_one_line_and_write_nothing(
    still: Stack, alice, typed: str, expected: str
) -> None:
    await still.ask(alice, "/start")
    before = await still.row_counts()
    reply = await still.ask(alice, typed)
    assert reply.text == expected
    assert await still.row_counts() == before


async def test_in_a_group_the_portfolio_goes_privately(still: Stack, alice) -> None:
    await seed(still, alice, TRADES)
    group = still.emu.add_group("Traders", members=[alice])
    for command in ("/portfolio@pythia_bot", "/pnl@pythia_bot week"):
        in_private = len(still.emu.bot_messages(alice))
        note = await still.ask(alice, command, chat=group)
        assert note.text.endswith(" is private: I've sent it to you in our private chat.")
        await still.emu.wait_for(lambda n=in_private: len(still.emu.bot_messages(alice)) > n)
    private = still.emu.bot_messages(alice)
    assert any("Your portfolio · 3 holdings" in (m.text or "") for m in private)
    assert any((m.text or "").startswith("P&L this week") for m in private)
    said_in_group = [m.body for m in still.emu.bot_messages(group)]
    assert len(said_in_group) == 2 and not any(re.search(r"\d", m) for m in said_in_group)
    assert not any(m.photo for m in still.emu.bot_messages(group))


async def test_in_a_group_someone_the_bot_cannot_write_to_is_told_to_start(still: Stack) -> None:
    carol = still.emu.add_user("Carol", started=False)
    await seed(still, carol, TRADES)
    group = still.emu.add_group("Traders", members=[carol])
    note = await still.ask(carol, "/portfolio@pythia_bot", chat=group)
    assert note.text == (
        "Your portfolio is private, and I can't write to you first: open a private chat with "
        "@pythia_bot, press Start, then send /portfolio there."
    )
    assert still.emu.bot_messages(carol) == []


async def test_one_person_never_sees_anothers_holdings(still: Stack, alice) -> None:
    await seed(still, alice, TRADES[:2])
    bob = still.emu.add_user("Bob")
    await seed(still, bob, [("SOL", "buy", "30", "20", "0", 5)])
    bobs, _ = await answers(still, bob, "/portfolio", 2)
    alices, _ = await answers(still, alice, "/portfolio", 2)
    assert "SOL" in bobs.text and "BTC" not in bobs.text and "ETH" not in bobs.text
    assert "SOL" not in alices.text and "BTC" in alices.text


async def test_portfolio_follows_trades_added_and_removed(still: Stack, alice) -> None:
    trades = await seed(still, alice, TRADES[:2])
    prices = await prices_now(still, ["BTC", "ETH"])

    async def shown_against(expected: list[Trade]) -> None:
        view = valuation(Ledger.replay(expected), prices, still.deps.clock.now())
        text, _ = await answers(still, alice, "/portfolio", 2)
        assert f"Net invested {money(view.net_invested)} USD" in text.text
        assert f"Value {money(view.value)} USD" in text.text

    await shown_against(trades)
    trades += await seed(still, alice, [("BTC", "sell", "0.1", "30000", "1", 1)])
    await shown_against(trades)
    async with still.deps.sessions.begin() as session:  # what /undo does
        assert await trade_rows.remove(session, alice.id, trades[-1].id)
    trades = trades[:-1] + await seed(still, alice, [("ETH", "buy", "1", "1700", "0", 1)])
    await shown_against(trades)


SPOKEN = {
    "es": {
        "confirm": "✅ Confirmar",
        "cancel": "✖️ Cancelar",
        "preview": ["¿Registrar esta compra?", "0,5 BTC a 60.000,00 USD"],
        "recorded": "✅ Compra de 0,5 BTC a 60.000,00 USD el 1 mar 2024, 12:00 UTC — total "
        "30.000,00 USD. Registrada.",
        "grouped": "1.234,56 ETH a 2,0000 USD",
        "portfolio": "Tu cartera · 1 posición · USD",
        "header": "Activo",
        "caption": "Distribución · valor ",
        "pnl": "P&L de hoy · USD · desde ",
        "pnl_row": "Realizado",
        "trades": [
            "Tus operaciones · 1 operación, la más reciente primero · página 1 de 1",
            "1 mar 2024, 12:00 UTC · compra 0,5 BTC a 60.000,00 USD",
        ],
    },
    "ru": {
        "confirm": "✅ Подтвердить",
        "cancel": "✖️ Отмена",
        "preview": ["Записать эту покупку?", "0,5 BTC по 60\xa0000,00 USD"],
        "recorded": "✅ Покупка 0,5 BTC по 60\xa0000,00 USD 1 мар. 2024\u202fг., 12:00 UTC — итого "
        "30\xa0000,00 USD. Записано.",
        "grouped": "1\xa0234,56 ETH по 2,0000 USD",
        "portfolio": "Ваш портфель · 1 позиция · USD",
        "header": "Актив",
        "caption": "Распределение · стоимость ",
        "pnl": "P&L за сегодня · USD · с ",
        "pnl_row": "Реализованный",
        "trades": [
            "Ваши сделки · 1 сделка, сначала новые · стр. 1 из 1",
            "1 мар. 2024\u202fг., 12:00 UTC · покупка 0,5 BTC по 60\xa0000,00 USD",
        ],
    },
}


@pytest.mark.parametrize("language", ["es", "ru"])
async def test_buy_confirm_then_portfolio_pnl_and_trades_in_the_persons_language(
    still: Stack, language: str
) -> None:
    said = SPOKEN[language]
    ana = still.emu.add_user("Ana", "ana", language_code=language)
    preview = await still.ask(ana, "/buy btc 0,5 @ 60000 on 2024-03-01")
    assert preview.text.split("\n")[:2] == said["preview"]
    assert [b["text"] for b in preview.buttons] == [said["confirm"], said["cancel"]]
    query = await still.emu.press_button(ana, preview, text=said["confirm"])
    await still.emu.wait_for_callback_answer(query)
    await still.emu.wait_for(lambda: not preview.buttons, what="the outcome edit")
    assert preview.text == said["recorded"]

    ambiguous = await still.ask(ana, "/buy eth 1,234 @ 2")  # 1.234 or 1234?
    assert "1,234" in ambiguous.text and "1234" in ambiguous.text and not ambiguous.buttons
    grouped = await still.ask(ana, "/buy eth 1.234,56 @ 2")
    assert grouped.text.split("\n")[1] == said["grouped"]
    query = await still.emu.press_button(ana, grouped, text=said["cancel"])
    await still.emu.wait_for_callback_answer(query)

    text, picture = await answers(still, ana, "/portfolio", 2)
    assert text.text.startswith(said["portfolio"])
    assert text.text.split("\n")[1].startswith(said["header"])
    assert rows_of(text.text)["BTC"][0] == "0,5"
    assert picture.caption.startswith(said["caption"])
    (pnl,) = await answers(still, ana, "/pnl", 1)
    assert pnl.text.startswith(said["pnl"]) and said["pnl_row"] in pnl.text
    listed = await still.ask(ana, "/trades")
    assert listed.text.split("\n") == said["trades"]
    if language == "ru":
        assert all(re.search("[а-яА-Я]", m.text or m.caption or "") for m in (text, pnl, listed))


async def test_all_time_pnl_and_the_portfolio_agree_on_a_holding_stored_with_an_odd_date(
    still: Stack, alice
) -> None:
    # A buy stored before trade dates were bounded (in 1900: long before the 1970 that "all"
    # once began at) was held at that start without a price then, so /pnl all left it out
    # while /portfolio counted it. All time begins with the first trade.
    long_ago = (still.deps.clock.now() - datetime(1900, 1, 1, 12, tzinfo=UTC)).days
    trades = await seed(still, alice, [("BTC", "buy", "1", "100", "0", long_ago), *TRADES[:2]])
    await still.ask(alice, "/timezone America/New_York")  # 1900 in a zone west of Greenwich
    prices = await prices_now(still, ["BTC", "ETH"])
    view = valuation(Ledger.replay(trades), prices, still.deps.clock.now())
    portfolio, _ = await answers(still, alice, "/portfolio", 2)
    assert f"Value {money(view.value)} USD" in portfolio.text
    (reply,) = await answers(still, alice, "/pnl all", 1)
    rows = {line.rsplit(None, 1)[0].strip(): line.rsplit(None, 1)[1] for line in
            reply.text.split("\n")[1:8] if line.strip()}  # fmt: skip
    assert rows["Value now"] == money(view.value)
    assert rows["Value at the start"] == money(D(0))
    assert rows["Total"] == signed(view.total_pnl)
    assert rows["Realised"] == signed(view.realised)
    assert "No price" not in reply.text
