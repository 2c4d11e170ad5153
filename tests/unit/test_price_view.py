"""The /price message: escaped, within Telegram's limits, honest about stale prices, in the
person's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.i18n import texts_for
from bot.views.common import fit, telegram_length
from bot.views.market import top_movers
from bot.views.price import render_prices
from core.market import PriceQuote
from core.movers import movers
from core.symbols import resolve
from services.market import Freshness, Prices, Top, Unknown

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KNOWN = ("BTC", "ETH")
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def quote(asset: str, age: timedelta, change: str | None = "2.5", **more: object) -> PriceQuote:
    return PriceQuote(
        asset,
        Decimal("64123.456"),
        "USDT",
        "binance",
        NOW - age,
        Decimal(change) if change else None,
        None,
        **more,  # type: ignore[arg-type]
    )


def prices(args: list[str], quotes: dict, following: tuple[str, ...] = ()) -> Prices:
    request = resolve(args, KNOWN)
    return Prices(
        coins=request.symbols,
        quotes=quotes,
        names={"BTC": "Bitcoin"},
        following=following,
        too_many=request.too_many,
        unknown=Unknown(request.problems, KNOWN, ("binance",)),
        freshness=Freshness(NOW, timedelta(minutes=2), timedelta(seconds=5)),
    )


def render(args: list[str], quotes: dict, t=EN, **more) -> str:
    return render_prices(t, prices(args, quotes, **more))


def test_a_fresh_price_reads_in_two_lines() -> None:
    text = render(["BTC"], {"BTC": quote("BTC", timedelta(seconds=3))})
    assert text == (
        "<b>BTC</b> <code>64,123.46</code> USDT  ▲ +2.50% 24h\n<i>Bitcoin · binance · just now</i>"
    )


def test_spanish_reads_a_decimal_comma_and_its_own_words() -> None:
    text = render(["BTC"], {"BTC": quote("BTC", timedelta(minutes=3))}, ES)
    assert text == (
        "<b>BTC</b> <code>64.123,46</code> USDT  ▲ +2,50\xa0% 24 h\n"
        "<i>Bitcoin · binance · ⚠️ desactualizado, hace 3 min</i>"
    )


def test_exchanges_that_disagree_are_said_to_in_one_line() -> None:
    disputed = quote(
        "BTC",
        timedelta(seconds=3),
        sources=("binance", "kraken"),
        dispute=(("kraken", Decimal("61000.00")), ("binance", Decimal("67000.10"))),
    )
    said = {
        lang: render(["BTC"], {"BTC": disputed}, t).splitlines()[1]
        for lang, t in (("en", EN), ("es", ES), ("ru", RU))
    }
    assert said["en"] == (
        "<i>Bitcoin · ⚠️ exchanges disagree: 61,000.00 on kraken, 67,000.10 on binance · "
        "just now</i>"
    )
    assert "61.000,00 en kraken, 67.000,10 en binance" in said["es"]
    assert "биржи расходятся: 61\xa0000,00 на kraken, 67\xa0000,10 на binance" in said["ru"]
    assert "median" not in said["en"]


def test_russian_groups_with_spaces_and_counts_exchanges_in_three_forms() -> None:
    several = quote(
        "BTC",
        timedelta(seconds=30),
        sources=("binance", "coinbase"),
        spread_pct=Decimal("0.031"),
    )
    text = render(["BTC"], {"BTC": several}, RU)
    assert text.startswith("<b>BTC</b> <code>64\xa0123,46</code> USDT  ▲ +2,50\xa0% за 24 ч\n")
    assert "медиана по 2 биржам, спред 0,03\xa0%" in text
    assert "30 сек. назад" in text


def test_a_price_from_several_exchanges_says_how_many_and_their_spread() -> None:
    several = quote("BTC", timedelta(0), sources=("a", "b", "c"), spread_pct=Decimal("0.031"))
    text = render(["BTC"], {"BTC": several})
    assert "<i>Bitcoin · median of 3 exchanges, spread 0.03% · just now</i>" in text


def test_a_stale_price_is_flagged() -> None:
    text = render(["BTC"], {"BTC": quote("BTC", timedelta(minutes=7))})
    assert "⚠️ stale, 7 min. ago" in text


def test_a_known_coin_without_a_price_says_when_it_will_have_one() -> None:
    assert render(["ETH"], {}) == (
        "<b>ETH</b>: no price yet — the first one arrives within 5 s of the market workers "
        "starting."
    )
    assert render(["ETH"], {}, following=("ETH",)).startswith(
        "<b>ETH</b>: I've started following it"
    )
    assert "empezado a seguirla" in render(["ETH"], {}, ES, following=("ETH",))


def test_nothing_asked_is_answered_with_how_to_ask() -> None:
    assert render([], {}).startswith("Which coin? Send <code>/price BTC</code>")
    assert render([], {}, RU).startswith("Какая монета?")


def test_what_people_typed_is_escaped() -> None:
    text = render(["<script>&"], {})
    assert "<script>" not in text and "&lt;script&gt;&amp;" in text


def test_top_movers_in_each_language() -> None:
    up = quote("BTC", timedelta(0), "4.5")
    down = quote("ETH", timedelta(0), "-1.25")
    found = Top(movers([up, down, quote("SOL", timedelta(0), None)]), 5)
    english = top_movers(EN, found).split("\n")
    assert english[0] == "<b>Top movers, 24 h</b> — 2 of 5 coins followed"
    assert english[3] == "<b>BTC</b> +4.50% · 64,123.46 USDT"
    assert english[-1] == "<b>ETH</b> −1.25% · 64,123.46 USDT"
    spanish = top_movers(ES, found)
    assert "2 de 5 monedas seguidas" in spanish and "−1,25\xa0%" in spanish
    russian = top_movers(RU, Top(movers([up]), 21))
    assert "1 из 21 отслеживаемой монеты" in russian  # one: 21
    assert "сегодня ничего не упало" in russian


def test_long_messages_are_cut_at_a_line_within_telegrams_limit() -> None:
    text = "\n".join(f"<b>line {i}</b> 🚀" for i in range(1000))
    cut = fit(text)
    assert telegram_length(cut) <= 4096
    assert cut.endswith("\n…")
    assert all(line.count("<b>") == line.count("</b>") for line in cut.split("\n"))


def test_emoji_count_twice_toward_the_limit() -> None:
    assert telegram_length("🚀") == 2 and telegram_length("é") == 1
