"""The /price message: escaped, within Telegram's limits, honest about stale prices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.views.common import fit, telegram_length
from bot.views.price import render_prices
from core.market import PriceQuote
from core.symbols import resolve

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
KNOWN = ("BTC", "ETH")


def quote(asset: str, age: timedelta) -> PriceQuote:
    return PriceQuote(
        asset, Decimal("64123.456"), "USDT", "binance", NOW - age, Decimal("2.5"), None
    )


def render(args: list[str], quotes: dict) -> str:
    return render_prices(
        resolve(args, KNOWN),
        quotes,
        {"BTC": "Bitcoin"},
        NOW,
        timedelta(minutes=2),
        KNOWN,
        refresh_seconds=5,
    )


def test_a_fresh_price_reads_in_two_lines() -> None:
    text = render(["BTC"], {"BTC": quote("BTC", timedelta(seconds=3))})
    assert text == (
        "<b>BTC</b> <code>64,123.46</code> USDT  ▲ +2.50% 24h\n<i>Bitcoin · binance · just now</i>"
    )


def test_a_stale_price_is_flagged() -> None:
    text = render(["BTC"], {"BTC": quote("BTC", timedelta(minutes=7))})
    assert "⚠️ stale, 7 min ago" in text


def test_a_known_coin_without_a_price_says_when_it_will_have_one() -> None:
    assert render(["ETH"], {}) == (
        "<b>ETH</b>: no price yet — the first one arrives within 5 s of the market workers "
        "starting."
    )


def test_what_people_typed_is_escaped() -> None:
    text = render(["<script>&"], {})
    assert "<script>" not in text and "&lt;script&gt;&amp;" in text


def test_long_messages_are_cut_at_a_line_within_telegrams_limit() -> None:
    text = "\n".join(f"<b>line {i}</b> 🚀" for i in range(1000))
    cut = fit(text)
    assert telegram_length(cut) <= 4096
    assert cut.endswith("\n…")
    assert all(line.count("<b>") == line.count("</b>") for line in cut.split("\n"))


def test_emoji_count_twice_toward_the_limit() -> None:
    assert telegram_length("🚀") == 2 and telegram_length("é") == 1
