"""Forecast alerts, pure: `/alert BTC predict up > 65% 24h` read into a typed spec (and every bad
variant refused with its reason), kept in an alerts row and read back, the crossing rule over
consecutive served predictions, the preview, the guided flow's offers, and their words in every
language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.i18n import texts_for
from bot.views import alert_refusals  # noqa: F401 (registers the refusals)
from bot.views.alert_flow import ask_level, offer_label
from bot.views.alert_notices import fired_line, fired_text
from bot.views.alert_specs import condition_line, describe, history_line
from bot.views.refusals import RENDERERS, refusal_text
from core.alerts.flow import KINDS, offers, typed_words
from core.alerts.grammar import parse_alert
from core.alerts.predictions import (
    StoredPrediction,
    chance,
    crosses,
    prediction_crossings,
    prediction_history,
)
from core.alerts.spec import PredictionLevel
from core.alerts.storage import columns_of, condition_of, spec_of
from core.notices import AlertCondition, AlertFired, ForecastRecord, read_payload, to_payload
from core.people import LANGUAGES
from core.refusal import BadArgument

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
H = timedelta(hours=1)
D = Decimal
EN, ES, RU = texts_for("en"), texts_for("es"), texts_for("ru")


def plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


# ---- the grammar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "condition"),
    [
        ("BTC predict up > 65% 24h", PredictionLevel("up", "above", D(65), "24h")),
        ("BTC predict down > 60% 4h", PredictionLevel("down", "above", D(60), "4h")),
        ("btc predict up<40% 1h", PredictionLevel("up", "below", D(40), "1h")),
        ("BTC predict up > 65%", PredictionLevel("up", "above", D(65), "24h")),  # 24h by default
        ("BTC predict up 65%", PredictionLevel("up", "above", D(65), "24h")),  # > by default
        ("BTC predict up > 65", PredictionLevel("up", "above", D(65), "24h")),
        ("BTC predict up > 0.65", PredictionLevel("up", "above", D(65), "24h")),  # a probability
        ("BTC predict up > 62.5% 4h", PredictionLevel("up", "above", D("62.5"), "4h")),
        ("BTC predict up > 65 % in 1d", PredictionLevel("up", "above", D(65), "24h")),
        ("BTC forecast down above 70% 24 hours", PredictionLevel("down", "above", D(70), "24h")),
        ("ETH prediction lower under 45% 60m", PredictionLevel("down", "below", D(45), "1h")),
        ("SOL predict 4h up >= 99%", PredictionLevel("up", "above", D(99), "4h")),
        ("SOL predict up more than 1%", PredictionLevel("up", "above", D(1), "24h")),
        ("BTC predict up ≥ 65% 24h", PredictionLevel("up", "above", D(65), "24h")),
    ],
)
def test_forecast_conditions_read_into_typed_specs(typed: str, condition: object) -> None:
    spec = parse_alert(typed, NOW)
    assert spec.condition == condition
    assert spec.symbol == typed.split()[0].upper()


def test_forecast_conditions_take_the_options_of_every_alert() -> None:
    spec = parse_alert("BTC predict up > 65% 4h every 6h for 7d", NOW)
    assert spec.condition == PredictionLevel("up", "above", D(65), "4h")
    assert (spec.cooldown, spec.expires_at) == (6 * H, NOW + timedelta(days=7))


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("BTC predict > 65% 24h", "alert.predict_side"),
        ("BTC predict 65%", "alert.predict_side"),
        ("BTC predict up down > 65%", "alert.predict_side"),
        ("BTC predict", "alert.predict_side"),
        ("BTC predict up", "alert.predict_level"),
        ("BTC predict up > 0%", "alert.predict_level"),
        ("BTC predict up > 0.5%", "alert.predict_level"),
        ("BTC predict up > 100%", "alert.predict_level"),
        ("BTC predict up > 650%", "alert.predict_level"),
        ("BTC predict up > -5%", "alert.predict_level"),
        ("BTC predict up > 65% > 70%", "alert.predict_level"),
        ("BTC predict up > 6..5%", "alert.predict_level"),
        ("BTC predict up > 99999999999999999999999%", "alert.predict_level"),
        ("BTC predict up > 65% 2h", "alert.predict_horizon"),
        ("BTC predict up > 65% 7d", "alert.predict_horizon"),
        ("BTC predict up > 65% 1h 4h", "alert.predict_horizon"),
        ("BTC predict up > 65% soon", "alert.leftover"),
        ("BTC predict up > 65% < 70%", "alert.two_directions"),
        ("BTC predict up > 65% every", "alert.every_needs_duration"),
        ("BTC predcit up > 65", "alert.unknown_word"),
    ],
)
def test_bad_forecast_conditions_are_refused_with_their_reason(typed: str, code: str) -> None:
    with pytest.raises(BadArgument) as refused:
        parse_alert(typed, NOW)
    assert refused.value.code == code


def test_a_refused_horizon_says_the_horizons_forecasts_are_made_for() -> None:
    with pytest.raises(BadArgument) as refused:
        parse_alert("BTC predict up > 65% 2h", NOW)
    assert refused.value.params == {"typed": "2h", "choices": ("1h", "4h", "24h")}


@given(st.decimals(min_value=0, max_value=120, places=1, allow_nan=False))
def test_any_level_from_1_to_99_percent_is_read_back_exactly(level: Decimal) -> None:
    typed = f"BTC predict down < {level}%"
    if not 1 <= level <= 99:
        with pytest.raises(BadArgument):
            parse_alert(typed, NOW)
        return
    condition = parse_alert(typed, NOW).condition
    assert isinstance(condition, PredictionLevel) and condition.level == level


# ---- kept in an alerts row -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["BTC predict up > 65% 24h", "ETH predict down < 40% 4h every 2h", "SOL predict up > 62.5% 1h"],
)
def test_forecast_alerts_are_kept_in_the_existing_columns_and_read_back(typed: str) -> None:
    spec = parse_alert(typed, NOW)
    columns = columns_of(spec)
    assert columns["kind"] == "indicator"  # what the alerts table's check allows
    assert columns["params"]["indicator"] == "predict"
    row = AlertCondition(symbol=spec.symbol, **columns)
    assert spec_of(row) == spec
    record = ForecastRecord(resolved=10, correct=6)
    notice = AlertFired(
        alert_id=1, user_id=2, condition=row, at=NOW, price=None, value=D("0.67"), record=record
    )
    again = read_payload(to_payload(notice))
    assert isinstance(again, AlertFired) and spec_of(again.condition) == spec
    assert (again.value, again.record) == (D("0.67"), record)


def test_a_forecast_row_that_no_grammar_made_is_refused() -> None:
    good = columns_of(parse_alert("BTC predict up > 65% 24h", NOW))
    bads = [
        {"params": good["params"] | {"side": "either"}},
        {"params": good["params"] | {"horizon": "2h"}},
        {"params": {k: v for k, v in good["params"].items() if k != "horizon"}},
        {"threshold": D(100)},
        {"direction": "up"},
    ]
    for bad in bads:
        with pytest.raises((ValueError, KeyError)):
            spec_of(AlertCondition(symbol="BTC", **(good | bad)))


# ---- when they come true -------------------------------------------------------------------------


def served(*values: float | None) -> list[StoredPrediction]:
    """Hourly predictions; None is a base-rate one ("no edge found") at 0.5."""
    return [
        StoredPrediction(
            i + 1, NOW + i * H, 0.5 if v is None else v, "base_rate" if v is None else "model"
        )
        for i, v in enumerate(values)
    ]


UP_65 = PredictionLevel("up", "above", D(65), "24h")


def test_it_fires_on_the_prediction_that_goes_past_the_level_from_the_other_side() -> None:
    found = prediction_crossings(UP_65, served(0.6, 0.66, 0.7, 0.64, 0.65, 0.651))
    assert [(c.prediction_id, c.at, c.chance) for c in found] == [
        (2, NOW + H, D("0.66")),
        (6, NOW + 5 * H, D("0.651")),
    ]
    assert found[0].trigger == "prediction:2"


def test_more_than_the_level_is_strict_and_at_it_is_still_the_other_side() -> None:
    assert not prediction_crossings(UP_65, served(0.6, 0.65))  # 65% is not more than 65%
    assert [c.prediction_id for c in prediction_crossings(UP_65, served(0.65, 0.6500001))] == [2]
    below = PredictionLevel("up", "below", D(40), "4h")
    assert not prediction_crossings(below, served(0.5, 0.4))
    assert [c.prediction_id for c in prediction_crossings(below, served(0.4, 0.39))] == [2]


def test_the_first_served_prediction_never_fires() -> None:
    assert prediction_crossings(UP_65, served(0.9)) == []
    assert prediction_crossings(UP_65, served(None, None, 0.9)) == []  # base rate before it


def test_a_base_rate_answer_neither_fires_nor_counts_as_the_one_before() -> None:
    base_rate_high = [StoredPrediction(9, NOW + 9 * H, 0.9, "base_rate")]
    assert prediction_crossings(UP_65, served(0.6) + base_rate_high) == []
    # judged between consecutive served ones: 0.6, (no edge), 0.7 fires on the 0.7
    found = prediction_crossings(UP_65, served(0.6, None, 0.7))
    assert [c.prediction_id for c in found] == [3]
    # 0.7, (no edge 0.5), 0.8: it stayed above, whatever the base rate said
    assert prediction_crossings(UP_65, served(0.7, None, 0.8)) == []


def test_down_compares_one_minus_p_up_exactly() -> None:
    down = PredictionLevel("down", "above", D(60), "4h")
    assert chance(down, 0.4) == D("0.6") and chance(down, 0.35) == D("0.65")
    assert not prediction_crossings(down, served(0.5, 0.4))  # 60% down is not more than 60%
    assert [c.chance for c in prediction_crossings(down, served(0.5, 0.39))] == [D("0.61")]


def test_predictions_count_in_the_order_they_were_made_not_as_given() -> None:
    given_order = list(reversed(served(0.6, 0.7)))
    assert [c.prediction_id for c in prediction_crossings(UP_65, given_order)] == [2]


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=2, max_size=40), st.integers(1, 99))
@example(values=[0.0, 1.0, 0.16, 1.0], level=16)  # up, back to exactly the level, up again
@example(values=[0.3, 0.16, 0.0, 0.16, 0.3], level=16)
def test_crossings_alternate_with_the_other_direction(values: list[float], level: int) -> None:
    above = PredictionLevel("up", "above", D(level), "1h")
    below = PredictionLevel("up", "below", D(level), "1h")
    stored = served(*values)
    ups = {c.prediction_id for c in prediction_crossings(above, stored)}
    downs = {c.prediction_id for c in prediction_crossings(below, stored)}
    assert not ups & downs
    for i, (before, now) in enumerate(pairwise(values)):
        limit = D(level) / 100
        assert (i + 2 in ups) == (chance(above, before) <= limit < chance(above, now))
    # going past the level up and coming back under alternate; the same way twice in a row only
    # when the second starts from exactly the level (above, at the level, above again fires again)
    marks = sorted([(i, "up") for i in ups] + [(i, "down") for i in downs])
    for (_, way), (second, again) in pairwise(marks):
        assert way != again or chance(above, values[second - 2]) == limit


def test_crosses_needs_the_other_side_before() -> None:
    assert crosses(UP_65, D("0.65"), D("0.66"))
    assert not crosses(UP_65, D("0.66"), D("0.7"))


# ---- the preview ---------------------------------------------------------------------------------


def test_the_preview_counts_crossings_over_the_stored_served_predictions() -> None:
    spec = parse_alert("BTC predict up > 65% 24h", NOW)
    stored = served(0.6, 0.7, 0.6, 0.7, None, 0.6)
    said = prediction_history(spec, stored, NOW + 6 * H)
    assert said.source == "predictions" and said.result is not None
    assert said.result.count == 2 and said.result.last == NOW + 3 * H
    assert said.no_edge is False and said.reading == 0.6


def test_the_preview_says_when_the_newest_was_no_edge_or_too_few_are_stored() -> None:
    spec = parse_alert("BTC predict down > 60% 4h every 2h", NOW)
    said = prediction_history(spec, served(0.6, 0.3, None), NOW + 3 * H)
    assert said.no_edge and said.reading is None and said.result is not None
    assert prediction_history(spec, served(0.4), NOW).result is None
    assert prediction_history(spec, served(None, None), NOW).result is None
    assert prediction_history(spec, [], NOW).result is None


def test_the_preview_spaces_a_recurring_alert_by_its_cooldown() -> None:
    spec = parse_alert("BTC predict up > 65% 1h every 3h", NOW)
    stored = served(0.6, 0.7, 0.6, 0.7, 0.6, 0.7, 0.6, 0.7)
    said = prediction_history(spec, stored, NOW + 8 * H)
    assert said.result is not None and said.result.count == 2  # at +1h and +5h, not +3h, +7h


# ---- words ---------------------------------------------------------------------------------------


def test_forecast_alerts_are_described_in_each_language() -> None:
    cases = {
        "BTC predict up > 65% 24h": "BTC forecast: chance of up in 24h rises above 65% — once",
        "BTC predict up < 40% 4h": "BTC forecast: chance of up in 4h falls below 40% — once",
        "ETH predict down > 62.5% 1h every 2h": (
            "ETH forecast: chance of down in 1h rises above 62.5% — every 2 hours at most"
        ),
        "ETH predict down < 30%": "ETH forecast: chance of down in 24h falls below 30% — once",
    }
    for typed, said in cases.items():
        assert plain(describe(EN, parse_alert(typed, NOW))) == said
    spec = parse_alert("BTC predict up > 65% 24h", NOW)
    assert plain(condition_line(ES, spec)) == (
        "Pronóstico de BTC: la probabilidad de subida en 24h supera 65 %"
    )
    assert plain(condition_line(RU, spec)) == (
        "Прогноз по BTC: вероятность роста за 24h поднимается выше 65 %"
    )


def test_the_preview_is_said_with_the_forecast_now_or_no_edge() -> None:
    spec = parse_alert("BTC predict up > 65% 24h", NOW)
    said = history_line(EN, "BTC", prediction_history(spec, served(0.6, 0.7, 0.613), NOW + 3 * H))
    assert said.startswith("The forecast's chance is 61.3% now. It would have fired once in")
    no_edge = history_line(EN, "BTC", prediction_history(spec, served(0.6, 0.7, None), NOW))
    assert no_edge.startswith(
        "No edge found for BTC now: the model serves the base rate, and the alert fires only on "
        "a model's forecast. It would have fired once"
    )
    none = history_line(EN, "B<T>C", prediction_history(spec, [], NOW))
    assert none == (
        "I have too few forecasts of B&lt;T&gt;C stored yet to say how often it would have fired."
    )
    for t in (ES, RU):
        assert history_line(t, "BTC", prediction_history(spec, served(0.6, 0.7), NOW)) != said


def fired(value: str, record: ForecastRecord | None, typed: str = "BTC predict up > 65% 24h"):
    spec = parse_alert(typed, NOW)
    return AlertFired(
        alert_id=7,
        user_id=2,
        condition=condition_of(spec),
        at=NOW,
        price=D("70012.5"),
        quote="USDT",
        change_pct=D("2.31"),
        value=D(value),
        record=record,
    )


def test_a_fired_forecast_alert_says_the_chance_the_record_and_not_financial_advice() -> None:
    text = plain(fired_text(EN, fired("0.6712", ForecastRecord(resolved=120, correct=70))))
    assert text.split("\n") == [
        "🔔 <b>BTC forecast: chance of up in 24h rises above 65% — once</b>",
        "The model gives BTC a 67.1% chance of being higher in 24h.",
        "Record at 24h: right 58% of 120 resolved forecasts.",
        "BTC is at <code>70,012.50</code> USDT  ▲ +2.31%",
        "<i>Dec 5, 2026, 12:00 UTC</i>",
        "It fired once and is now off; set a new one with /alert.",
        "",
        "<i>Not financial advice.</i>",
    ]
    down = plain(fired_text(EN, fired("0.61", ForecastRecord(resolved=1, correct=1),
                                       "ETH predict down > 60% 4h")))  # fmt: skip
    assert "The model gives ETH a 61% chance of being lower in 4h." in down
    assert "Record at 4h: right 100% of 1 resolved forecast." in down
    fresh = plain(fired_text(EN, fired("0.66", ForecastRecord(resolved=0, correct=0))))
    assert "Record at 24h: none resolved yet." in fresh


def test_a_fired_forecast_alert_reads_in_each_language() -> None:
    notice = fired("0.66", ForecastRecord(resolved=21, correct=12))
    es = plain(fired_text(ES, notice))
    assert "El modelo da a BTC una probabilidad de 66 % de estar más alto en 24h." in es
    assert "Historial a 24h: acertó el 57 % de 21 pronósticos resueltos." in es
    assert es.endswith("<i>No es asesoramiento financiero.</i>")
    ru = plain(fired_text(RU, notice))
    assert "Результаты на 24h: верно 57 % из 21 проверенного прогноза." in ru
    assert ru.endswith("<i>Не является финансовой рекомендацией.</i>")
    assert plain(fired_line(EN, notice)).startswith(
        "BTC forecast: chance of up in 24h rises above 65% — <code>70,012.50</code> USDT at"
    )


FORECAST_REFUSALS = [
    BadArgument("alert.predict_side", symbol="B<T>C"),
    BadArgument("alert.predict_level", symbol="BTC", typed=""),
    BadArgument("alert.predict_level", symbol="BTC", typed="<0>%"),
    BadArgument("alert.predict_horizon", typed="<2h>", choices=("1h", "4h", "24h")),
    BadArgument("alert.leftover", typed="soon", example="predict"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("refusal", FORECAST_REFUSALS, ids=lambda r: r.code)
def test_each_forecast_refusal_is_one_escaped_line_in_each_language(language, refusal) -> None:
    text = refusal_text(texts_for(language), refusal)
    assert text and "\n" not in text and "<0>" not in text and "<T>" not in text
    assert "<2h>" not in text
    if language == "ru":
        assert re.search("[а-яА-Я]", text)


def test_forecast_refusals_say_what_would_work() -> None:
    said = [refusal_text(EN, r) for r in FORECAST_REFUSALS]
    assert said == [
        "Say which way, up or down, and how sure, like <code>/alert B&lt;T&gt;C predict up &gt; "
        "65% 24h</code> or <code>/alert B&lt;T&gt;C predict down &gt; 60% 4h</code>.",
        "Give the chance as a percentage from 1% to 99%, like <code>/alert BTC predict up &gt; "
        "65% 24h</code>.",
        "Chance: give a percentage from 1% to 99%, like <code>/alert BTC predict up &gt; 65% "
        "24h</code>, not &lt;0&gt;%.",
        "Horizon: forecasts are made for 1h, 4h, or 24h ahead, not &lt;2h&gt;.",
        "I don't understand “soon” here; try <code>predict up &gt; 65% 24h</code>.",
    ]
    assert {r.code for r in FORECAST_REFUSALS} <= set(RENDERERS)


# ---- the guided /alert ---------------------------------------------------------------------------


def test_the_guided_alert_offers_forecasts_the_grammar_reads() -> None:
    assert KINDS[-1] == "predict"
    offered = offers("predict", None)
    for offer in offered:
        assert isinstance(parse_alert(f"BTC {offer.words}", NOW).condition, PredictionLevel)
    assert [offer_label(EN, o) for o in offered] == [
        "up above 60%",
        "up above 70%",
        "down above 60%",
        "down above 70%",
    ]
    assert plain(offer_label(RU, offered[0])) == "рост выше 60 %"
    assert typed_words("predict", "65") == "predict up > 65"
    assert typed_words("predict", "down > 60% 4h") == "predict down > 60% 4h"
    assert typed_words("predict", "Forecast up < 40%") == "Forecast up < 40%"
    typed = parse_alert(f"BTC {typed_words('predict', '65')}", NOW).condition
    assert typed == PredictionLevel("up", "above", D(65), "24h")
    assert ask_level(EN, "BTC", "predict", True).startswith(
        "<b>BTC</b>: when a model's 24h forecast gives which chance?"
    )


def test_a_level_is_read_in_the_persons_decimal_notation() -> None:
    spec = parse_alert("BTC predict up > 62,5%", NOW, decimal_comma=True)
    assert spec.condition == PredictionLevel("up", "above", D("62.5"), "24h")
    spec = parse_alert("BTC predict down < 0,4 4h", NOW, decimal_comma=True)
    assert spec.condition == PredictionLevel("down", "below", D(40), "4h")


def test_the_job_judges_recent_crossings_on_the_served_one_before_them_and_after() -> None:
    from workers.alerting.predictions import _recent

    stored = served(0.6, 0.7, None, 0.62, None, 0.68, 0.7)  # made at NOW + 0..6 h
    kept = _recent(stored, NOW + 4 * H)
    assert [p.id for p in kept] == [4, 6, 7]  # 0.62 (the served one before), then since
    assert prediction_crossings(UP_65, kept) == prediction_crossings(UP_65, stored)[-1:]
    assert _recent(stored, NOW + 9 * H) == [stored[-1]]
    assert _recent(served(None, None), NOW) == []
