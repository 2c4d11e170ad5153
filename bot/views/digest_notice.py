"""A scheduled digest as a chat reads it, rendered when the sender sends it (and by "Preview
now"): a heading with the time in the chat's zone, then each section the facts hold, in order,
in the chat's language. Pure: a `DigestPosted` notice (or its `DigestFacts`) in, HTML out.

Adding a section is its facts in core/digest/sections/ and one function here in `VIEWS`.
A digest with a chart is posted as a photo: its text is the caption when it fits Telegram's
1,024 characters (`fits_caption`), else the text goes first and the picture after it."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from html import escape
from typing import Any

from bot.i18n import Texts
from bot.views.common import MAX_CAPTION, clip, e, fit, plain, telegram_length
from bot.views.news_notices import MARKS, label_of
from bot.views.predictions import chance, level_words, not_advice
from bot.views.sentiment import index_number, leaning_word
from core.digest.facts import CoinLine, DigestFacts, SectionFacts
from core.digest.sections.chart import ChartFacts
from core.digest.sections.movers import MoversFacts
from core.digest.sections.news import NewsFacts
from core.digest.sections.overview import OverviewFacts
from core.digest.sections.predictions import PredictionsFacts
from core.notices import DigestPosted
from core.predict import HORIZONS

MAX_TITLE = 160  # characters of a headline shown


def digest_text(t: Texts, digest: DigestPosted | DigestFacts, zone: str = "UTC") -> str:
    """The digest's HTML (≤ 4096 characters as Telegram counts them)."""
    facts = digest.facts if isinstance(digest, DigestPosted) else digest
    lines = [
        "🗞 <b>" + t._("Market digest") + "</b> · " + t.moment(facts.at, zone),
    ]
    said = False
    for section in facts.sections:
        view = VIEWS.get(section.section)
        if view is None:
            continue
        part = view(t, section, zone)
        if part:
            lines += ["", *part]
            said = True
    if not said:
        lines += ["", t._("Nothing to report for these coins yet: no prices, news or forecasts.")]
    return fit("\n".join(lines))


def digest_chart(digest: DigestPosted | DigestFacts) -> ChartFacts | None:
    """The picture the digest carries, if any."""
    facts = digest.facts if isinstance(digest, DigestPosted) else digest
    return facts.section(ChartFacts)


def fits_caption(text: str) -> bool:
    """Whether `text` (HTML) fits a photo's caption: 1,024 characters once tags are read."""
    return telegram_length(plain(text)) <= MAX_CAPTION


# --- the sections --------------------------------------------------------------------------------


def _coin(line: CoinLine) -> str:
    return f"<b>{e(line.coin)}</b>"


def _overview(t: Texts, facts: Any, zone: str) -> list[str]:
    assert isinstance(facts, OverviewFacts)
    lines = ["<b>" + t._("Market overview") + "</b>"]
    for line in facts.coins:
        change = "" if line.change_pct is None else f" ({t.pct(line.change_pct)})"
        lines.append(
            t._(
                "{coin}: {price} {quote}{change}",
                coin=_coin(line),
                price=t.price(line.price),
                quote=e(line.quote),
                change=change,
            )
        )
    if facts.unpriced:
        lines.append(t._("No price yet: {coins}", coins=", ".join(e(c) for c in facts.unpriced)))
    return lines


def _moved(t: Texts, lines: tuple[CoinLine, ...]) -> str:
    return " · ".join(f"{_coin(line)} {t.pct(line.change_pct)}" for line in lines)


def _movers(t: Texts, facts: Any, zone: str) -> list[str]:
    assert isinstance(facts, MoversFacts)
    lines = ["<b>" + t._("Top movers, 24 h") + "</b>"]
    if facts.gainers:
        lines.append("📈 " + _moved(t, facts.gainers))
    if facts.losers:
        lines.append("📉 " + _moved(t, facts.losers))
    return lines


def _headline(t: Texts, story: Any) -> str:
    shown = e(clip(str(story.title), MAX_TITLE) or clip(str(story.url or ""), MAX_TITLE))
    if story.url and str(story.url).startswith(("https://", "http://")):
        shown = f'<a href="{escape(story.url, quote=True)}">{shown}</a>'
    mark = MARKS[label_of(story.sentiment)]
    source = f" — <i>{e(story.source)}</i>" if story.source else ""
    return f"{mark} {shown}{source}"


def _news(t: Texts, facts: Any, zone: str) -> list[str]:
    assert isinstance(facts, NewsFacts)
    lines = ["<b>" + t._("News and sentiment, 24 h") + "</b>"]
    lines += [_headline(t, story) for story in facts.stories]
    if not facts.stories:
        lines.append(t._("No stories about these coins in the last 24 hours."))
    moods = []
    for mood in facts.moods:
        scope = e(mood.coin) if mood.coin else t._("the market")
        moods.append(
            t._(
                "{scope} {value} ({word})",
                scope=scope,
                value=index_number(t, mood.value),
                word=leaning_word(t, mood.value),
            )
        )
    if moods:
        lines.append(t._("Sentiment: {moods}", moods=" · ".join(moods)))
    return lines


def _forecast(t: Texts, line: Any) -> str:
    coin = f"<b>{e(line.coin)}</b>"
    if line.p_up is None:
        said = t._("{coin}: no forecast yet", coin=coin)
    elif line.no_edge:
        said = t._("{coin}: no edge found", coin=coin)
    else:
        up = line.p_up >= 0.5
        said = (
            t._("{coin}: up, {chance} ({confidence})", coin=coin, chance=chance(t, line.p_up),
                confidence=level_words(t, line.confidence))
            if up
            else t._("{coin}: down, {chance} ({confidence})", coin=coin,
                     chance=chance(t, 1 - line.p_up), confidence=level_words(t, line.confidence))
        )  # fmt: skip
    if line.resolved and line.hit_rate is not None and math.isfinite(line.hit_rate):
        said += "; " + t.ngettext(
            "right {hit} of {count} call",
            "right {hit} of {count} calls",
            line.resolved,
            hit=t.pct(Decimal(repr(round(line.hit_rate * 100))), 0, signed=False),
            count=t.number(line.resolved),
        )
    return said


def _predictions(t: Texts, facts: Any, zone: str) -> list[str]:
    assert isinstance(facts, PredictionsFacts)
    hours = HORIZONS.get(facts.horizon, 24)
    ahead = t.duration(timedelta(hours=hours))
    lines = ["<b>" + t._("Forecasts, {ahead} ahead", ahead=ahead) + "</b>"]
    lines += [_forecast(t, line) for line in facts.forecasts]
    lines.append(not_advice(t))
    return lines


def _chart(t: Texts, facts: Any, zone: str) -> list[str]:
    return []  # the picture says it


View = Callable[[Texts, SectionFacts, str], list[str]]
VIEWS: dict[str, View] = {
    "overview": _overview,
    "movers": _movers,
    "news": _news,
    "predictions": _predictions,
    "chart": _chart,
}
