"""Digest composition is pure: small hand-made inputs in, facts out, in the registry's order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.digest.compose import compose
from core.digest.facts import DigestFacts
from core.digest.inputs import DigestInputs, MoodInput, StoryInput
from core.digest.registry import DEFAULT, NAMES, SECTIONS, needs, ordered
from core.digest.sections.chart import ChartFacts
from core.digest.sections.movers import MoversFacts
from core.digest.sections.news import NewsFacts
from core.digest.sections.overview import OverviewFacts
from core.digest.sections.predictions import PredictionsFacts
from core.market import PriceQuote
from core.notices import DigestPosted, read_payload, to_payload
from core.predict import Forecast, Metrics

AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def quote(coin: str, price: str, change: str | None) -> PriceQuote:
    return PriceQuote(
        coin, Decimal(price), "USD", "binance", AT, None if change is None else Decimal(change)
    )


def story(sid: int, coins: tuple[str, ...], hours_ago: float, publishers: int = 1) -> StoryInput:
    return StoryInput(
        sid, f"story {sid}", f"https://news.example/{sid}", "Desk", publishers,
        AT - timedelta(hours=hours_ago), 0.3, coins,
    )  # fmt: skip


def forecast(coin: str, p_up: float, served: str = "model") -> Forecast:
    return Forecast(coin, "24h", AT, 100.0, p_up, -0.02, 0.03, served, 1, AT)  # type: ignore[arg-type]


RECORD = Metrics(40, 0.2, 0.25, 0.02, None, 0.6, 0.05, 0.55, 0.5)
INPUTS = DigestInputs(
    at=AT,
    quotes={
        "BTC": quote("BTC", "60000", "2.5"),
        "ETH": quote("ETH", "3000", "-4"),
        "SOL": quote("SOL", "150", "9"),
        "DOGE": quote("DOGE", "0.1", None),
    },
    tracked=("BTC", "DOGE", "ETH", "SOL"),
    names={"BTC": "Bitcoin", "ETH": "Ethereum", "SOL": "Solana", "DOGE": "Dogecoin"},
    stories=(
        story(1, ("BTC",), 1),
        story(2, ("ETH",), 2, 4),
        story(3, (), 3),
        story(4, ("BTC",), 30),
    ),
    moods={"BTC": MoodInput(0.3, 12, 0.1)},
    market_mood=MoodInput(-0.1, 50, None),
    forecasts={"BTC": forecast("BTC", 0.61), "ETH": forecast("ETH", 0.5, "base_rate")},
    record={"BTC": RECORD},
)


def test_sections_come_in_the_registry_order_whatever_order_they_are_asked_in() -> None:
    facts = compose(INPUTS, ["chart", "news", "overview", "movers", "predictions"], ["BTC"], AT)
    assert facts.names == ("overview", "movers", "news", "predictions", "chart")
    assert tuple(s.name for s in SECTIONS) == NAMES
    assert DEFAULT == ("overview", "movers", "news", "predictions")


def test_unknown_section_names_are_ignored_and_offered_keeps_the_order() -> None:
    facts = compose(INPUTS, ["weather", "overview"], ["BTC"], AT)
    assert facts.names == ("overview",)
    assert ordered({"chart", "overview", "nonsense"}) == ("overview", "chart")
    assert needs(["overview", "movers"]) == {"prices", "tracked"}
    assert needs(["chart"]) == frozenset()


def test_overview_lists_the_coins_in_their_order_and_says_which_have_no_price() -> None:
    facts = compose(INPUTS, ["overview"], ["eth", "BTC", "NOPE", "BTC"], AT)
    overview = facts.section(OverviewFacts)
    assert overview is not None
    assert [line.coin for line in overview.coins] == ["ETH", "BTC"]
    assert overview.coins[1].price == Decimal("60000") and overview.coins[1].name == "Bitcoin"
    assert overview.unpriced == ("NOPE",)
    assert facts.coins == ("ETH", "BTC", "NOPE")


def test_movers_are_the_tracked_coins_not_only_the_digests() -> None:
    movers = compose(INPUTS, ["movers"], ["BTC"], AT).section(MoversFacts)
    assert movers is not None
    assert [m.coin for m in movers.gainers] == ["SOL", "BTC"]
    assert [m.coin for m in movers.losers] == ["ETH"]
    assert movers.tracked == 3  # DOGE has no change


def test_news_takes_the_last_day_about_the_coins_most_carried_first() -> None:
    news = compose(INPUTS, ["news"], ["BTC", "ETH"], AT).section(NewsFacts)
    assert news is not None
    assert [s.title for s in news.stories] == ["story 2", "story 1"]  # 4 is 30 h old
    assert [(m.coin, m.value) for m in news.moods] == [("BTC", 0.3), (None, -0.1)]


def test_news_of_coins_with_no_story_falls_back_to_the_markets() -> None:
    news = compose(INPUTS, ["news"], ["SOL"], AT).section(NewsFacts)
    assert news is not None and {s.title for s in news.stories} == {"story 1", "story 2", "story 3"}


def test_predictions_say_no_edge_for_the_base_rate_and_carry_the_record() -> None:
    found = compose(INPUTS, ["predictions"], ["BTC", "ETH", "SOL"], AT).section(PredictionsFacts)
    assert found is not None
    btc, eth = found.forecasts
    assert (btc.coin, btc.p_up, btc.no_edge, btc.resolved, btc.hit_rate) == (
        "BTC",
        0.61,
        False,
        40,
        0.55,
    )
    assert btc.confidence == "moderate"
    assert (eth.coin, eth.no_edge, eth.resolved) == ("ETH", True, 0)  # SOL: nothing, left out


def test_chart_is_the_first_known_coin() -> None:
    assert compose(INPUTS, ["chart"], ["NOPE", "ETH", "BTC"], AT).section(ChartFacts) == ChartFacts(
        coin="ETH"
    )
    assert compose(INPUTS, ["chart"], ["NOPE"], AT).sections == ()


def test_empty_inputs_say_nothing_in_every_section() -> None:
    facts = compose(DigestInputs(at=AT), NAMES, ["BTC", "ETH"], AT)
    assert facts.sections == ()
    assert compose(INPUTS, NAMES, [], AT).names == ("movers", "news")  # the market's own


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        compose(INPUTS, ["overview"], ["BTC"], AT.replace(tzinfo=None))


def test_facts_go_through_the_outbox_as_json_and_come_back_equal() -> None:
    facts = compose(INPUTS, NAMES, ["BTC", "ETH", "SOL"], AT)
    notice = DigestPosted(digest_id=7, thread_id=12, slot=AT, schedule="daily 08:00", facts=facts)
    payload = json.loads(json.dumps(to_payload(notice)))
    back = read_payload(payload)
    assert back == notice
    assert isinstance(back, DigestPosted) and back.facts.names == facts.names


def test_a_section_a_newer_writer_added_is_dropped_not_fatal() -> None:
    data = compose(INPUTS, ["overview"], ["BTC"], AT).model_dump(mode="json")
    data["sections"].append({"section": "weather", "sunny": True})
    assert DigestFacts.model_validate(data).names == ("overview",)
