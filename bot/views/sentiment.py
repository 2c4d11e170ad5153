"""/sentiment: the news sentiment index of a coin (or the market) in words and numbers, as the
caption of its picture, and what to say while there is none. Pure; HTML."""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Texts
from bot.views.common import MAX_CAPTION, e, fit
from services.sentiment_series import SentimentOverview

LEANING = 0.15  # an index this far from 0 either way leans bearish or bullish


def leaning(value: float) -> str:
    """bearish, neutral or bullish: which way an index in [-1, 1] leans."""
    if value >= LEANING:
        return "bullish"
    return "bearish" if value <= -LEANING else "neutral"


def leaning_word(t: Texts, value: float) -> str:
    """The index's leaning in `t`'s language (the words of an index, not of one headline)."""
    match leaning(value):
        case "bullish":
            return t.pgettext("sentiment index", "bullish")
        case "bearish":
            return t.pgettext("sentiment index", "bearish")
    return t.pgettext("sentiment index", "neutral")


def index_number(t: Texts, value: float | None) -> str:
    """+0.23 · −0.41 · ±0.00 (n/a for none), in `t`'s language."""
    if value is None:
        return t._("n/a")
    return t.signed(Decimal(repr(value)), 2)


def sentiment_caption(t: Texts, overview: SentimentOverview) -> str:
    """The index now and its word, its changes over 24 h and 7 d, and what it rests on."""
    summary = overview.summary
    now = summary.now
    if now is None:
        return no_index(t, overview.asset)
    word = leaning_word(t, now.value)
    if overview.asset is None:
        head = t._(
            "🧭 Crypto news sentiment: <b>{value}</b> — {word}",
            value=index_number(t, now.value),
            word=word,
        )
    else:
        head = t._(
            "🧭 <b>{coin}</b> news sentiment: <b>{value}</b> — {word}",
            coin=e(overview.asset),
            value=index_number(t, now.value),
            word=word,
        )
    changes = t._(
        "24 h: {day} · 7 d: {week}",
        day=index_number(t, summary.change_24h),
        week=index_number(t, summary.change_7d),
    )
    basis = t.ngettext(
        "From {count} story of the last 3 days, the newer and the more widely carried counting "
        "more (−1 all bad news, +1 all good).",
        "From {count} stories of the last 3 days, the newer and the more widely carried counting "
        "more (−1 all bad news, +1 all good).",
        now.stories,
        count=t.number(now.stories),
    )
    return fit("\n".join([head, changes, basis]), MAX_CAPTION)


def sentiment_title(t: Texts, overview: SentimentOverview) -> str:
    """Drawn above the picture: what is against what."""
    if overview.asset is None:
        return t._("News sentiment vs {coin} price · 7d", coin=overview.coin)
    return t._("{coin}: news sentiment vs price · 7d", coin=overview.coin)


def price_label(t: Texts, overview: SentimentOverview) -> str:
    """The price line's name in the picture's legend."""
    if overview.quote:
        return t._("{coin} price, {quote}", coin=overview.coin, quote=overview.quote)
    return t._("{coin} price", coin=overview.coin)


def no_index(t: Texts, asset: str | None) -> str:
    if asset is None:
        return t._(
            "No sentiment index yet — it is built from the news stories as they are read, and "
            "the first point arrives within minutes of the first stories."
        )
    return t._(
        "No sentiment index for {coin} yet — it is built from the news stories that name it, "
        "for the coins I follow; try <code>/sentiment</code> for the whole market.",
        coin=e(asset),
    )
