"""News alerts, pure: `/alert BTC sentiment < -0.3` and `/alert ETH news 5 in 1h` read into
typed specs (and every bad variant refused with its reason), kept in an alerts row and read
back, the crossing rules, the stories a fired alert shows, the preview, and their words in
every language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import texts_for
from bot.views import alert_refusals  # noqa: F401 (registers the refusals)
from bot.views.alert_flow import offer_label
from bot.views.alert_notices import fired_line, fired_text
from bot.views.alert_specs import condition_line, describe, history_line
from bot.views.refusals import RENDERERS, refusal_text
from core.alerts.flow import offers, typed_words
from core.alerts.grammar import parse_alert
from core.alerts.news import (
    CoinStory,
    Point,
    bursts,
    news_history,
    sentiment_crossings,
    shown_stories,
)
from core.alerts.spec import AlertSpec, NewsBurst, PriceLevel, SentimentLevel
from core.alerts.storage import columns_of, condition_of, spec_of
from core.notices import AlertCondition, AlertFired, Headline, read_payload, to_payload
from core.people import LANGUAGES
from core.refusal import BadArgument

NOW = datetime(2026, 11, 26, 13, 5, tzinfo=UTC)
H = timedelta(hours=1)
D = Decimal
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


# ---- the grammar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "condition"),
    [
        ("BTC sentiment < -0.3", SentimentLevel("below", D("-0.3"))),
        ("BTC sentiment > 0.5", SentimentLevel("above", D("0.5"))),
        ("btc sentiment<-0.3", SentimentLevel("below", D("-0.3"))),
        ("BTC sentiment below −0.25", SentimentLevel("below", D("-0.25"))),
        ("BTC sentiment falls below -0.30", SentimentLevel("below", D("-0.3"))),
        ("BTC sentiment above +0.1", SentimentLevel("above", D("0.1"))),
        ("BTC sentiment > 0", SentimentLevel("above", D("0"))),
        ("BTC sentiment < -0", SentimentLevel("below", D("0"))),
        ("BTC mood >= .5", SentimentLevel("above", D("0.5"))),
        ("BTC sentiment < -0.999", SentimentLevel("below", D("-0.999"))),
        ("ETH news 5 in 1h", NewsBurst(5, H)),
        ("ETH news 5", NewsBurst(5, H)),
        ("ETH news 10 24h", NewsBurst(10, 24 * H)),
        ("ETH news 3 within 15 minutes", NewsBurst(3, timedelta(minutes=15))),
        ("ETH news at least 5 stories in 2 hours", NewsBurst(5, 2 * H)),
        ("ETH headlines >= 1 in 1d", NewsBurst(1, 24 * H)),
        ("ETH news 100 in 24h", NewsBurst(100, 24 * H)),
    ],
)
def test_news_conditions_read_into_typed_specs(typed: str, condition: object) -> None:
    spec = parse_alert(typed, NOW)
    assert spec.condition == condition
    assert (spec.cooldown, spec.expires_at) == (None, None)


def test_news_conditions_take_the_options_of_every_alert() -> None:
    spec = parse_alert("ETH news 5 in 1h every 2h for 7d", NOW)
    assert spec == AlertSpec("ETH", NewsBurst(5, H), 2 * H, NOW + timedelta(days=7))
    assert parse_alert("BTC sentiment < -0,3 repeat", NOW, decimal_comma=True).cooldown == H


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("BTC sentiment", "alert.sentiment_side"),
        ("BTC sentiment 0.3", "alert.sentiment_side"),
        ("BTC sentiment crosses -0.3", "alert.sentiment_side"),
        ("BTC sentiment <", "alert.sentiment_side"),
        ("BTC sentiment < -0.3 > 0.5", "alert.two_directions"),
        ("BTC sentiment above below 0.2", "alert.two_directions"),
        ("BTC sentiment < -1", "alert.sentiment_range"),
        ("BTC sentiment > 1", "alert.sentiment_range"),
        ("BTC sentiment < -1.5", "alert.sentiment_range"),
        ("BTC sentiment > 30", "alert.sentiment_range"),
        ("BTC sentiment > 1e9", "alert.sentiment_unreadable"),
        ("BTC sentiment < abc", "alert.sentiment_unreadable"),
        ("BTC sentiment < --0.3", "alert.sentiment_unreadable"),
        ("BTC sentiment < -0.3%", "alert.sentiment_unreadable"),
        ("BTC sentiment < nan", "alert.sentiment_unreadable"),
        ("BTC sentiment < 0.1234567890123456789", "alert.sentiment_unreadable"),
        ("BTC sentiment < -0.3 4h", "alert.leftover"),
        ("BTC sentiment < -0.3 0.5", "alert.leftover"),
        ("ETH news", "alert.news_unreadable"),
        ("ETH news in 1h", "alert.news_unreadable"),
        ("ETH news 5 6", "alert.news_unreadable"),
        ("ETH news 5 in 1h 2h", "alert.news_unreadable"),
        ("ETH news 0 in 1h", "alert.news_count"),
        ("ETH news 101 in 1h", "alert.news_count"),
        ("ETH news 99999999999999 in 1h", "alert.news_count"),
        ("ETH news -5 in 1h", "alert.news_count"),
        ("ETH news 2.5 in 1h", "alert.news_count"),
        ("ETH news 5 in 10m", "alert.duration_range"),
        ("ETH news 5 in 14m", "alert.duration_range"),
        ("ETH news 5 in 2d", "alert.duration_range"),
        ("ETH news 5 in 25h", "alert.duration_range"),
        ("ETH news 5 in 1x", "alert.duration_unreadable"),
        ("ETH news 5 in 90s", "alert.duration_unreadable"),
        ("ETH news 5 in 1h soon", "alert.leftover"),
        ("ETH news > 5 in 1h", "alert.leftover"),
        ("ETH news 5 in 1h every", "alert.every_needs_duration"),
        ("BTC sentimnet < 0.3", "alert.unknown_word"),
    ],
)
def test_bad_news_conditions_are_refused_with_their_reason(typed: str, code: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_alert(typed, NOW)
    assert refused.value.code == code


def test_a_refused_window_says_the_bursts_own_range() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_alert("ETH news 5 in 2d", NOW)
    assert refused.value.params["shortest"] == timedelta(minutes=15)
    assert refused.value.params["longest"] == timedelta(hours=24)


@given(st.decimals(min_value=-1, max_value=1, places=3, allow_nan=False))
def test_any_level_strictly_inside_the_index_is_read_back_exactly(level: Decimal) -> None:
    typed = f"BTC sentiment {'<' if level < 0 else '>'} {level}"
    if abs(level) == 1:
        with pytest.raises(BadArgument):
            parse_alert(typed, NOW)
        return
    condition = parse_alert(typed, NOW).condition
    assert isinstance(condition, SentimentLevel) and condition.level == level


# ---- kept in an alerts row -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["BTC sentiment < -0.3", "BTC sentiment > 0.5 every 4h", "ETH news 5 in 1h for 7d"]
)
def test_news_alerts_are_kept_in_the_existing_columns_and_read_back(typed: str) -> None:
    spec = parse_alert(typed, NOW)
    columns = columns_of(spec)
    assert columns["kind"] == "indicator"  # what the alerts table's check allows
    assert columns["timeframe"] is None
    row = AlertCondition(symbol=spec.symbol, **columns)
    assert spec_of(row) == spec
    notice = AlertFired(alert_id=1, user_id=2, condition=row, at=NOW, price=None, value=D("-0.31"))
    again = read_payload(to_payload(notice))
    assert isinstance(again, AlertFired) and spec_of(again.condition) == spec
    assert (again.price, again.value) == (None, D("-0.31"))


def test_a_burst_row_that_no_grammar_made_is_refused() -> None:
    good = columns_of(parse_alert("ETH news 5 in 1h", NOW))
    for bad in ({"threshold": D("2.5")}, {"threshold": D(0)}, {"window_seconds": 0}):
        with pytest.raises(ValueError):
            spec_of(AlertCondition(symbol="ETH", **(good | bad)))


def test_a_price_notice_written_before_news_alerts_still_reads() -> None:
    old = {"type": "alert_fired", "version": 1, "alert_id": 1, "user_id": 2, "at": NOW.isoformat()}
    old |= {"price": "70000", "condition": {"symbol": "BTC", "kind": "price", "direction": "above",
                                           "threshold": "70000"}}  # fmt: skip
    notice = read_payload({"notice": old})
    assert isinstance(notice, AlertFired) and (notice.value, notice.headlines) == (None, ())


# ---- when they come true -------------------------------------------------------------------------


def points(*values: float) -> list[Point]:
    return [Point(NOW + i * H, v) for i, v in enumerate(values)]


def test_the_index_fires_on_the_point_that_reaches_the_level_from_the_other_side() -> None:
    below = SentimentLevel("below", D("-0.3"))
    found = sentiment_crossings(below, points(-0.1, -0.29, -0.3, -0.5, -0.2, -0.35))
    assert [(c.at, c.value) for c in found] == [(NOW + 2 * H, D("-0.3")), (NOW + 5 * H, D("-0.35"))]
    above = SentimentLevel("above", D("0.5"))
    assert [c.at for c in sentiment_crossings(above, points(0.2, 0.6, 0.7, 0.4, 0.5))] == [
        NOW + H,
        NOW + 4 * H,
    ]


def test_the_index_does_not_fire_while_it_stays_past_the_level_or_from_its_first_point() -> None:
    below = SentimentLevel("below", D("-0.3"))
    assert sentiment_crossings(below, points(-0.5, -0.6, -0.31, -0.9)) == []
    assert sentiment_crossings(below, points(-0.5)) == []
    assert sentiment_crossings(below, []) == []
    assert sentiment_crossings(below, points(-0.3, -0.3, -0.2)) == []  # at it, never from above


@given(st.lists(st.floats(min_value=-1, max_value=1), min_size=2, max_size=40))
def test_crossings_alternate_with_the_index_returning_to_the_other_side(values) -> None:
    level = SentimentLevel("above", D("0.2"))
    found = {c.at for c in sentiment_crossings(level, points(*values))}
    for i in range(1, len(values)):
        fired = NOW + i * H in found
        assert fired == (D(repr(values[i - 1])) < D("0.2") <= D(repr(values[i])))


def story(minutes: float, story_id: int = 0, **more: object) -> CoinStory:
    values: dict = {"asset_id": 1, "id": story_id or int(minutes * 10) + 1, "title": "t",
                    "url": "https://x.test/a", "source": "CoinDesk",
                    "published_at": NOW + timedelta(minutes=minutes), "publishers": 1,
                    "sentiment": None}  # fmt: skip
    return CoinStory(**(values | more))


def test_a_burst_fires_at_the_story_that_makes_the_count_and_not_again_while_it_lasts() -> None:
    burst = NewsBurst(3, H)
    stories = [story(m) for m in (0, 10, 20, 30, 40, 50)]
    (found,) = bursts(burst, stories)
    assert found.at == NOW + timedelta(minutes=20) and found.value == 3
    assert found.stories == (201, 101, 1)  # newest first
    assert found.trigger == f"news:{(NOW + timedelta(minutes=20)).isoformat()}"


def test_a_burst_fires_again_only_after_the_count_fell_under_it() -> None:
    burst = NewsBurst(2, H)
    stories = [story(m) for m in (0, 30, 90, 150, 170)]  # 0+30; 90 alone; 150+170
    assert [c.at for c in bursts(burst, stories)] == [
        NOW + timedelta(minutes=30),
        NOW + timedelta(minutes=170),
    ]


def test_a_story_a_whole_window_old_has_left_it() -> None:
    burst = NewsBurst(2, H)
    assert bursts(burst, [story(0), story(60)]) == []  # (t - 1h, t]: the first is out
    assert len(bursts(burst, [story(0), story(59.9)])) == 1


def test_stories_published_together_count_together_and_in_any_order() -> None:
    burst = NewsBurst(3, H)
    together = [story(5, 3), story(5, 2), story(0, 1)]
    (found,) = bursts(burst, together)
    assert (found.at, found.value, found.stories) == (NOW + timedelta(minutes=5), 3, (3, 2, 1))
    assert bursts(NewsBurst(1, H), []) == []
    assert [c.at for c in bursts(NewsBurst(1, H), [story(0), story(1)])] == [NOW]


@given(st.lists(st.integers(0, 600), max_size=30), st.integers(1, 6))
def test_a_burst_fires_exactly_where_the_count_in_the_window_reaches_n(minutes, n) -> None:
    burst = NewsBurst(n, H)
    stories = [story(m, i + 1) for i, m in enumerate(minutes)]
    fired = {c.at for c in bursts(burst, stories)}

    def count(at: datetime, inclusive: bool) -> int:
        return sum(
            at - H < s.published_at <= at if inclusive else at - H <= s.published_at < at
            for s in stories
        )

    for at in {s.published_at for s in stories}:
        assert (at in fired) == (count(at, True) >= n > count(at, False))


# ---- the stories a fired alert shows -------------------------------------------------------------


def test_a_price_alert_shows_the_coins_latest_widely_carried_stories_of_six_hours() -> None:
    stories = [
        story(-5, 1, publishers=1),
        story(-60, 2, publishers=4),
        story(-200, 3, publishers=1),
        story(-30, 4, publishers=2),
        story(-7 * 60, 5, publishers=9),  # older than 6 hours
        story(+5, 6, publishers=9),  # after it fired
    ]
    shown = shown_stories(PriceLevel("above", D(70000)), NOW, stories)
    assert [s.id for s in shown] == [2, 4, 1]  # 3 at most; coverage outweighs half an hour


def test_a_sentiment_alert_shows_the_stories_that_pushed_it_its_way() -> None:
    stories = [
        story(-60, 1, sentiment=-0.9),
        story(-30, 2, sentiment=0.8),
        story(-20, 3, sentiment=-0.4, publishers=4),
        story(-10, 4, sentiment=None),
        story(-25 * 60, 5, sentiment=-1.0),  # a day before
    ]
    down = shown_stories(SentimentLevel("below", D("-0.3")), NOW, stories)
    assert [s.id for s in down] == [3, 1]  # -0.4 × 3 outweighs -0.9 × 1
    up = shown_stories(SentimentLevel("above", D("0.3")), NOW, stories)
    assert [s.id for s in up] == [2]


def test_a_burst_shows_its_own_stories_newest_first() -> None:
    stories = [story(m, i + 1) for i, m in enumerate((-50, -40, -30, -20, -10))]
    shown = shown_stories(NewsBurst(4, H), NOW, stories, burst=(5, 4, 3, 2))
    assert [s.id for s in shown] == [5, 4, 3]


# ---- the preview ---------------------------------------------------------------------------------


def test_the_preview_counts_crossings_over_the_stored_index() -> None:
    spec = parse_alert("BTC sentiment < -0.3", NOW)
    stored = [Point(NOW - timedelta(days=10) + i * H, v) for i, v in enumerate((0, -0.4, 0, -0.5))]
    said = news_history(spec, stored, [], NOW)
    assert said.source == "sentiment" and said.reading == -0.5
    assert said.result is not None and said.result.count == 2
    assert said.result.last == NOW - timedelta(days=10) + 3 * H
    assert news_history(spec, stored[:1], [], NOW).result is None
    every = parse_alert("BTC sentiment < -0.3 every 1d", NOW)
    assert news_history(every, stored, [], NOW).result.count == 1  # type: ignore[union-attr]


def test_the_preview_counts_bursts_over_the_stored_stories() -> None:
    spec = parse_alert("ETH news 2 in 1h", NOW)
    stories = [story(m, i + 1) for i, m in enumerate((-3000, -2990, -100, -10, -5))]
    said = news_history(spec, [], stories, NOW)
    assert said.source == "news" and said.result is not None
    assert (said.result.count, said.result.last) == (2, NOW - timedelta(minutes=5))
    assert news_history(spec, [], [], NOW).result is None


def test_the_preview_is_said_with_the_index_now() -> None:
    spec = parse_alert("BTC sentiment < -0.3", NOW)
    stored = [Point(NOW - timedelta(days=10) + i * H, v) for i, v in enumerate((0, -0.4, 0.12))]
    line = history_line(EN, "BTC", news_history(spec, stored, [], NOW))
    assert line == (
        "BTC news sentiment is +0.12 now. It would have fired once in the last 10 days, on Nov 16."
    )
    assert history_line(EN, "BTC", news_history(spec, [], [], NOW)) == (
        "I have too little news sentiment of BTC stored yet to say how often it would have fired."
    )
    burst = parse_alert("ETH news 5 in 1h", NOW)
    assert history_line(RU, "ETH", news_history(burst, [], [], NOW)).startswith(
        "У меня пока нет сохранённых новостей о ETH"
    )


# ---- their words ---------------------------------------------------------------------------------


def test_news_alerts_are_described_in_each_language() -> None:
    sentiment = parse_alert("BTC sentiment < -0.3", NOW)
    burst = parse_alert("ETH news 5 in 1h every 2h", NOW)
    assert describe(EN, sentiment) == "BTC news sentiment falls below −0.3 — once"
    assert describe(EN, burst) == (
        "5 stories or more about ETH within 1 hour — every 2 hours at most"
    )
    assert condition_line(EN, parse_alert("BTC sentiment > 0.5", NOW)) == (
        "BTC news sentiment rises above +0.5"
    )
    assert condition_line(EN, parse_alert("ETH news 1 in 15m", NOW)) == (
        "1 story or more about ETH within 15 minutes"
    )
    assert plain(condition_line(ES, sentiment)) == (
        "BTC: el sentimiento de las noticias baja de −0,3"
    )
    assert plain(condition_line(RU, burst)) == ("5 новостей или больше о ETH за 1 час")


def news_notice(text: str, value: str, **more: object) -> AlertFired:
    values: dict = {"alert_id": 9, "user_id": 7, "condition": condition_of(parse_alert(text, NOW)),
                    "at": NOW, "price": None, "value": D(value)}  # fmt: skip
    return AlertFired(**(values | more))


HEADLINES = (
    Headline(title="SEC <sues> & co", url="https://x.test/a?b=1&c=2", source="CoinDesk",
             publishers=3),
    Headline(title="Quiet day", url="javascript:alert(1)", source="Decrypt"),
)  # fmt: skip


def test_a_fired_sentiment_alert_says_the_index_and_the_stories_behind_it() -> None:
    notice = news_notice("BTC sentiment < -0.3", "-0.3412", headlines=HEADLINES)
    assert fired_text(EN, notice).splitlines() == [
        "🔔 <b>BTC news sentiment falls below −0.3 — once</b>",
        "BTC news sentiment is at <code>−0.34</code>",
        "<i>Nov 26, 2026, 13:05 UTC</i>",
        "It fired once and is now off; set a new one with /alert.",
        "",
        "📰 <b>The stories behind it</b>",
        '• <a href="https://x.test/a?b=1&amp;c=2">SEC &lt;sues&gt; &amp; co</a> — <i>CoinDesk</i>'
        " · 3 publishers",
        "• Quiet day — <i>Decrypt</i>",
    ]
    spanish = plain(fired_text(ES, notice))
    assert "El sentimiento de las noticias de BTC está en <code>−0,34</code>" in spanish
    assert "· 3 medios" in spanish
    russian = plain(fired_text(RU, notice))
    assert "Настроение новостей о BTC: <code>−0,34</code>" in russian and "3 издания" in russian


def test_a_fired_burst_says_how_many_stories_the_price_and_the_stories() -> None:
    notice = news_notice(
        "ETH news 5 in 1h", "5", price=D("3012.5"), quote="USDT", change_pct=D("-1.5"),
        headlines=HEADLINES[:1],
    )  # fmt: skip
    lines = fired_text(EN, notice).splitlines()
    assert lines[:3] == [
        "🔔 <b>5 stories or more about ETH within 1 hour — once</b>",
        "5 stories about ETH within 1 hour",
        "ETH is at <code>3,012.50</code> USDT  ▼ −1.50%",
    ]
    assert "5 новостей о ETH за 1 час" in plain(fired_text(RU, notice))
    assert "5 noticias sobre ETH en 1 hora" in plain(fired_text(ES, notice))
    assert fired_line(EN, news_notice("ETH news 5 in 1h", "5")) == (
        "5 stories or more about ETH within 1 hour — at 13:05"
    )


def test_a_price_alert_keeps_its_heading_for_the_latest_stories() -> None:
    notice = news_notice("BTC > 70000", "0", price=D(70001), headlines=HEADLINES)
    text = fired_text(EN, notice.model_copy(update={"value": None}))
    assert "📰 <b>Latest on BTC</b>" in text and "· 3 publishers" in text
    assert "stories" not in text.splitlines()[1]  # no reading line for a price alert


NEWS_REFUSALS = [
    BadArgument("alert.sentiment_side", symbol="BTC"),
    BadArgument("alert.sentiment_unreadable", typed="<abc>"),
    BadArgument("alert.sentiment_range"),
    BadArgument("alert.news_unreadable", symbol="ETH"),
    BadArgument("alert.news_count", typed="<0>", most=100),
    BadArgument("alert.leftover", typed="4h", example="sentiment"),
    BadArgument("alert.leftover", typed="soon", example="news"),
    BadArgument("alert.market_wide", examples=("BTC",)),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("refusal", NEWS_REFUSALS, ids=lambda r: r.code)
def test_each_news_refusal_is_one_escaped_line_in_each_language(language, refusal) -> None:
    text = refusal_text(texts_for(language), refusal)
    assert text and "\n" not in text and "<abc>" not in text and "<0>" not in text
    if language == "ru":
        assert re.search("[а-яА-Я]", text)


def test_news_refusals_say_what_would_work() -> None:
    said = [refusal_text(EN, r) for r in NEWS_REFUSALS]
    assert said[0] == (
        "Say a side and a level from -1 to 1, like <code>/alert BTC sentiment &lt; -0.3</code> "
        "or <code>/alert BTC sentiment &gt; 0.5</code>."
    )
    assert said[2] == (
        "News sentiment runs from -1 (all bad) to 1 (all good); pick a level between, like "
        "-0.3 or 0.5."
    )
    assert (
        said[3]
        == "Say how many stories within how long, like <code>/alert ETH news 5 in 1h</code>."
    )
    assert said[4] == "Stories: give a whole number from 1 to 100, not &lt;0&gt;."
    assert said[6] == "I don't understand “soon” here; try <code>news 5 in 1h</code>."
    assert said[7] == (
        "An alert watches one coin, like <code>/alert BTC sentiment &gt; 0.5</code>; /sentiment "
        "shows the whole market's news sentiment."
    )
    assert {r.code for r in NEWS_REFUSALS} <= set(RENDERERS)


# ---- the guided /alert ---------------------------------------------------------------------------


def test_the_guided_alert_offers_sentiment_levels_and_bursts_the_grammar_reads() -> None:
    for kind in ("sentiment", "news"):
        for offer in offers(kind, None):
            assert isinstance(parse_alert(f"BTC {offer.words}", NOW).condition,
                              SentimentLevel | NewsBurst)  # fmt: skip
    labels = [offer_label(EN, o) for o in offers("sentiment", None)]
    assert labels == ["below −0.5", "below −0.3", "above +0.3", "above +0.5"]
    assert offer_label(RU, offers("news", None)[0]) == "3 за 1 час"
    assert typed_words("sentiment", "-0.4") == "sentiment < -0.4"
    assert typed_words("sentiment", "0,2") == "sentiment > 0,2"
    assert typed_words("news", "7") == "news 7 1h"
    assert parse_alert(f"BTC {typed_words('news', '7')}", NOW).condition == NewsBurst(7, H)
