"""/predict's arguments, the live record's bins and confidence words (core), and the /predict
and /accuracy views in English, Spanish and Russian."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from bot.i18n import texts_for
from bot.views.common import MAX_MESSAGE
from bot.views.drivers import driver_words
from bot.views.predictions import accuracy_text, calibration_caption, predict_text
from bot.views.refusals import refusal_text
from core.predict import Driver, Forecast, Metrics, metrics
from core.predict.ask import PredictAsk, parse_accuracy, parse_predict
from core.predict.features import NAMES
from core.predict.record import Bin, bin_of, binned, bins, confidence, score
from core.refusal import Refusal
from services.prediction_answers import PredictAnswer, Scorecard, ScoreLine, Serving

NOW = datetime(2024, 3, 1, 12, 10, tzinfo=UTC)
LANGUAGES = ("en", "es", "ru")
NOT_ADVICE = {
    "en": "Not financial advice.",
    "es": "No es asesoramiento financiero.",
    "ru": "Не является финансовой рекомендацией.",
}


# --- arguments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "asked"),
    [
        (["BTC"], PredictAsk("BTC", "24h")),
        (["eth", "4H"], PredictAsk("eth", "4h")),
        (["1h", "sol"], PredictAsk("sol", "1h")),
        (["BTC", "1d"], PredictAsk("BTC", "24h")),
        (["BTC", "4ч"], PredictAsk("BTC", "4h")),
        (["1inch"], PredictAsk("1inch", "24h")),  # a coin that starts with a digit
        (["", " BTC "], PredictAsk(" BTC ", "24h")),
    ],
)
def test_a_coin_and_a_horizon_in_either_order(typed: list[str], asked: PredictAsk) -> None:
    assert parse_predict(typed) == asked


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ([], "predict.no_coin"),
        (["  "], "predict.no_coin"),
        (["4h"], "predict.no_coin"),
        (["BTC", "2h"], "predict.bad_horizon"),
        (["BTC", "7"], "predict.bad_horizon"),
        (["BTC", "3дня"], "predict.bad_horizon"),
        (["BTC", "1h", "4h"], "predict.too_many"),
        (["1h", "4h"], "predict.no_coin"),
        (["BTC", "ETH"], "predict.one_coin"),
        (["a", "b", "c"], "predict.too_many"),
    ],
)
def test_what_cannot_be_read_is_refused_with_a_code(typed: list[str], code: str) -> None:
    with pytest.raises(Refusal) as refused:
        parse_predict(typed)
    assert refused.value.code == code


def test_accuracy_takes_one_coin_or_none() -> None:
    assert parse_accuracy([]) is None
    assert parse_accuracy(["btc"]) == "btc"
    with pytest.raises(Refusal):
        parse_accuracy(["btc", "eth"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_refusals_are_one_line_with_a_way_out(language: str) -> None:
    t = texts_for(language)
    for typed in ([], ["BTC", "2h"], ["BTC", "1h", "4h"], ["BTC", "ETH"], ["BTC", "9" * 5000]):
        with pytest.raises(Refusal) as refused:
            parse_predict(typed)
        said = refusal_text(t, refused.value)
        assert "\n" not in said and len(said) < 300, said
        assert "<code>/predict" in said


# --- the record ----------------------------------------------------------------------------------


def test_bins_by_hand() -> None:
    rows = [(0.05, 0.5, False), (0.55, 0.5, True), (0.58, 0.5, False)]
    rows.append((1.0, 0.5, True))  # 1.0 falls in the last bin
    assert bins(binned(rows)) == [
        Bin(0.0, 0.1, 1, 0.05, 0.0),
        Bin(0.5, 0.6, 2, pytest.approx(0.565), 0.5),  # type: ignore[arg-type]
        Bin(0.9, 1.0, 1, 1.0, 1.0),
    ]
    assert bins({}) == []


def test_score_against_each_calls_base_rate() -> None:
    assert score({}) is None
    record = score(binned([(0.6, 0.6, True), (0.6, 0.6, False)]))  # the base rate itself
    assert record is not None
    assert record.skill == pytest.approx(0.0)
    assert record.hit_rate == pytest.approx(0.5)
    assert record.count == 2


def test_the_sums_give_every_figure_metrics_score_gives() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 1, 500)
    p[:5] = [0.0, 1.0, 0.5, 0.3, 0.1]  # the edges: clipped in the log loss, bin edges
    base = rng.uniform(0.4, 0.6, 500)
    y = rng.uniform(0, 1, 500) < p
    ours = score(binned(zip(p.tolist(), base.tolist(), y.tolist(), strict=True)))
    theirs = metrics.score(p, y.astype(float), base)
    assert ours is not None
    for name in ("count", "brier", "brier_base", "skill", "log_loss", "ece", "hit_rate"):
        assert getattr(ours, name) == pytest.approx(getattr(theirs, name), rel=1e-12), name
    assert ours.base_rate == pytest.approx(float(base.mean()))
    assert [bin_of(v) for v in (0.0, 0.1, 0.3, 0.5, 0.99, 1.0)] == [0, 1, 3, 5, 9, 9]


@pytest.mark.parametrize(
    ("p_up", "served", "skill", "said"),
    [
        (0.9, "base_rate", 0.5, "none"),
        (0.51, "model", 0.05, "toss_up"),
        (0.45, "model", 0.05, "low"),
        (0.62, "model", 0.05, "moderate"),
        (0.8, "model", 0.05, "high"),
        (0.8, "model", 0.002, "low"),  # a thin skill never says more than low
        (0.8, "model", None, "low"),
    ],
)
def test_confidence(p_up: float, served: str, skill: float | None, said: str) -> None:
    assert confidence(p_up, served, skill) == said


# --- views ---------------------------------------------------------------------------------------

METRICS = Metrics(312, 0.24, 0.25, 0.012, None, 0.69, 0.03, 0.54, 0.5)
DRIVERS = (
    Driver("btc_ret_24h", 0.021, 0.1),
    Driver("rsi_14", 72.3, -0.05),
    Driver("no_such_feature", 1.5, 0.01),
)


def answer(served: str = "model", **more: object) -> PredictAnswer:
    forecast = Forecast(
        "ETH",
        "24h",
        NOW - timedelta(minutes=10),
        2200.0,
        0.57 if served == "model" else 0.51,
        -0.031,
        0.034,
        served,  # type: ignore[arg-type]
        3,
        NOW - timedelta(hours=5),
        DRIVERS if served == "model" else (),
    )
    serving = Serving("ETH", "24h", 3, served == "model", 0.015, 0.004, METRICS, NOW)
    fields: dict[str, object] = {
        "asset": "ETH",
        "horizon": "24h",
        "state": "ready",
        "forecast": forecast,
        "serving": serving,
        "record": METRICS,
        "since": datetime(2024, 2, 1, tzinfo=UTC),
        "covered": ("BTC", "ETH"),
        "now": NOW,
    }
    fields.update(more)
    return PredictAnswer(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_models_forecast_in_every_language(language: str) -> None:
    said = predict_text(texts_for(language), answer())
    assert "57" in said and "ETH" in said
    assert said.count("•") == 3  # the three drivers
    assert "+0" in said and "312" in said  # its record and skill
    assert "2,1" in said or "2.1" in said  # BTC's 24 h move, in words
    assert "no_such_feature" in said  # a code without words: said as itself
    assert said.endswith(f"<i>{NOT_ADVICE[language]}</i>")
    assert len(said) <= MAX_MESSAGE


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_edge_says_so_and_gives_the_base_rate(language: str) -> None:
    said = predict_text(texts_for(language), answer("base_rate", record=None))
    no_edge = {"en": "no edge found", "es": "sin ventaja", "ru": "преимущества нет"}
    assert f"<b>{no_edge[language]}</b>" in said
    assert "51" in said and "•" not in said
    assert said.endswith(f"<i>{NOT_ADVICE[language]}</i>")
    english = predict_text(texts_for("en"), answer("base_rate"))
    assert "no edge found" in english and "base rate" in english


@pytest.mark.parametrize("state", ["training", "untrained", "waiting", "not_covered"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_forecast_yet_is_one_line_and_the_disclaimer(state: str, language: str) -> None:
    said = predict_text(texts_for(language), answer(state=state, forecast=None))
    _, last = said.split("\n")
    assert last == f"<i>{NOT_ADVICE[language]}</i>"


def test_every_feature_has_words_of_its_own() -> None:
    t = texts_for("en")
    for code in NAMES:
        said = driver_words(t, Driver(code, 0.5, 0.1), "ETH")
        assert not said.startswith(code), code  # the fallback says the code itself
    assert "&lt;b&gt;" in driver_words(t, Driver("<b>", 1.0, 1.0), "ETH")  # escaped
    assert driver_words(t, Driver("ret_24h", -0.05, -1), "ETH") == (
        "ETH fell 4.9% over the last 24 h"
    )
    assert driver_words(t, Driver("rsi_14", 25.0, 1), "ETH") == "RSI 25 (oversold)"
    assert driver_words(t, Driver("rel_ret_4h", 0.01, 1), "ETH") == (
        "ETH beat BTC by 1.0% over the last 4 h"
    )
    assert driver_words(t, Driver("mkt_ret_24h", -0.02, -1), "ETH") == (
        "The market (tracked coins on average) fell 2.0% over the last 24 h"
    )
    assert driver_words(t, Driver("mkt_rel_1h", -0.003, -1), "ETH") == (
        "ETH lagged the market by 0.3% over the last 1 h"
    )
    assert driver_words(t, Driver("mkt_breadth_24h", 5 / 7, 1), "ETH") == (
        "71% of tracked coins rose over the last 24 h"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_scorecard_in_every_language(language: str) -> None:
    t = texts_for(language)
    served = Serving("BTC", "1h", 3, True, 0.015, 0.004, METRICS, NOW)
    rejected = Serving("BTC", "4h", 1, False, -0.01, None, None, NOW)
    card = Scorecard(
        None,
        (
            ScoreLine("BTC", "1h", METRICS, NOW, 3, served),
            ScoreLine("BTC", "4h", None, None, 5, rejected),
        ),
        {"1h": (Bin(0.5, 0.6, 10, 0.55, 0.6),)},
        NOW,
    )
    said = accuracy_text(t, card)
    lines = said.split("\n")
    assert any(line.startswith("<b>BTC 1h</b>") and "312" in line for line in lines)
    assert any(line.startswith("<b>BTC 4h</b>") and "5" in line for line in lines)
    assert said.endswith(f"<i>{NOT_ADVICE[language]}</i>")
    assert "312" in calibration_caption(t, card)
    empty = accuracy_text(t, Scorecard("ETH", (), {}, NOW))
    assert len(empty.split("\n")) == 2


def test_every_view_string_is_translated() -> None:
    for language in ("es", "ru"):
        said = predict_text(texts_for(language), answer())
        assert not re.search(r"\b(chance|pushed|Record|trained)\b", said), said
