"""Predictions kept and judged, on SQLite with the in-process cache and on Postgres with Redis:
publishing is idempotent, resolution takes the close at the target time once it is stored
closed, the live record's figures by hand, what /predict and /accuracy read, and the predict
job forecasting from a model trained on the sandbox's real candles."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.market import Candle
from core.predict import Driver, Forecast
from core.predict import metrics as metric_scores
from core.predict.record import bin_of
from core.refusal import Refusal
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.models import Prediction
from services.deps import Deps, build_deps, close_deps
from services.model_registry import Training, record_training
from services.prediction_answers import accuracy_scorecard, predict_answer, record_key
from services.predictions import (
    SERVING_KEY,
    TRAINING_KEY,
    forecast_key,
    latest_forecast,
    live_record,
    publish_forecasts,
    resolve_due,
)

HOUR = timedelta(hours=1)
H0 = datetime(2024, 3, 1, tzinfo=UTC)  # the first candle's open
PRICES = ["100", "101", "100", "99", "100", "100", "100"]  # BTC's closes, hour by hour
NOW = H0 + len(PRICES) * HOUR + timedelta(minutes=10)


def metrics(serve: bool, base_rate: float = 0.5, skill: float = 0.02) -> dict[str, Any]:
    model = {
        "count": 1000,
        "brier": 0.245,
        "brier_base": 0.25,
        "skill": skill,
        "skill_low": skill / 2,
        "log_loss": 0.68,
        "ece": 0.02,
        "hit_rate": 0.53,
        "base_rate": base_rate,
    }
    return {
        "walk_forward": {"model": model},
        "decision": {"serve": serve, "reason": "edge" if serve else "no_edge"},
        "coverage_10_90": 0.8,
        "rows": 1000,
        "seconds": 1.0,
        "base_rate": base_rate,
    }


async def register(
    deps: Deps, asset: str, horizon: str, serve: bool, base_rate: float = 0.5
) -> int:
    model = await record_training(
        deps,
        Training(
            asset=asset,
            horizon=horizon,
            artifact=b"not a model: these tests never load it",
            metrics=metrics(serve, base_rate),
            features=["ret_1h"],
            trained_from=H0 - 30 * 24 * HOUR,
            trained_to=H0,
            incumbent_id=None,
        ),
    )
    return model.id


@pytest.fixture
async def deps(
    db_url: str, cache_url: str | None, engine
) -> AsyncIterator[Deps]:  # engine: empties Postgres
    redis_url = cache_url
    settings = Settings(database_url=db_url, redis_url=redis_url, symbols=["BTC", "ETH"])
    made = await build_deps(settings, FixedClock(NOW))
    async with made.write() as session:
        market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", NOW)
        candles = [
            Candle(H0 + i * HOUR, Decimal(p), Decimal(p), Decimal(p), Decimal(p), Decimal(1))
            for i, p in enumerate(PRICES)
        ]
        await save_candles(session, market, "1h", candles)
    yield made
    await close_deps(made)


def forecast(
    made_at: datetime, p_up: float, *, asset: str = "BTC", horizon: str = "1h", **more: Any
) -> Forecast:
    i = int((made_at - H0) / HOUR) - 1  # the candle closing at made_at
    fields: dict[str, Any] = {
        "reference_price": float(PRICES[i]) if 0 <= i < len(PRICES) else 100.0,
        "q10": -0.01,
        "q90": 0.012,
        "served": "model",
        "model_version": 1,
        "trained_at": NOW,  # the registry row's created_at, as the predict job says it
        "drivers": (Driver("rsi_14", 72.0, 0.05), Driver("ret_24h", -0.02, -0.03)),
    }
    fields.update(more)
    return Forecast(asset, horizon, made_at, p_up=p_up, **fields)


async def stored(deps: Deps) -> list[Prediction]:
    async with deps.read() as session:
        return list(await session.scalars(select(Prediction).order_by(Prediction.made_at)))


async def test_publishing_twice_writes_once_and_the_cache_answers(deps: Deps) -> None:
    model_id = await register(deps, "BTC", "1h", serve=True)
    await register(deps, "ETH", "24h", serve=False)
    made = H0 + 3 * HOUR
    batch = [
        forecast(made, 0.61),
        forecast(made, 0.5, asset="ETH", horizon="24h", served="base_rate", drivers=()),
        forecast(made, 0.7, asset="DOGE"),  # a coin Pythia does not know: skipped
    ]
    assert await publish_forecasts(deps, batch) == 2
    assert await publish_forecasts(deps, batch) == 0  # the same hour again: nothing new
    rows = await stored(deps)
    assert len(rows) == 2
    btc = next(r for r in rows if r.horizon == "1h")
    assert (btc.model_id, btc.served, btc.prob_up) == (model_id, "model", 0.61)
    assert btc.target_at == made + HOUR
    assert btc.reference_price == Decimal("100")  # the close of the candle closing then
    assert btc.drivers == [["rsi_14", 72.0, 0.05], ["ret_24h", -0.02, -0.03]]
    assert (btc.q10, btc.q90, btc.resolved_at) == (-0.01, 0.012, None)
    eth = next(r for r in rows if r.horizon == "24h")
    assert (eth.served, eth.drivers, eth.model_id is not None) == ("base_rate", [], True)

    cached = await latest_forecast(deps, "BTC", "1h")
    await deps.cache.delete(forecast_key("BTC", "1h"))
    from_db = await latest_forecast(deps, "BTC", "1h")
    assert cached == from_db == batch[0]
    assert await latest_forecast(deps, "BTC", "4h") is None


async def test_resolution_waits_for_the_outcome_candle_to_be_closed(deps: Deps) -> None:
    await register(deps, "BTC", "1h", serve=True)
    last = H0 + len(PRICES) * HOUR  # the close of the newest stored candle
    await publish_forecasts(deps, [forecast(last - HOUR, 0.4), forecast(last, 0.6)])
    # the first's target (`last`) has come and its candle is stored, but perhaps not closed:
    # no candle after it is stored yet
    assert await resolve_due(deps) == 0
    deps.clock.advance(2 * HOUR)  # type: ignore[attr-defined]
    assert await resolve_due(deps) == 0  # time alone resolves nothing

    async def store(opened: datetime, price: str) -> None:
        async with deps.write() as session:
            market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", NOW)
            candle = Candle(opened, *(Decimal(price),) * 4, Decimal(1))
            await save_candles(session, market, "1h", [candle])

    await store(last, "105")  # the first's outcome candle is now followed by another
    assert await resolve_due(deps) == 1
    await store(last + HOUR, "104")
    assert await resolve_due(deps) == 1
    assert await resolve_due(deps) == 0
    first, second = await stored(deps)
    assert (first.outcome_price, first.went_up, first.correct) == (Decimal("100"), False, True)
    assert first.outcome_return == 0.0  # 100 -> 100: unchanged is not up
    assert (second.outcome_price, second.went_up, second.correct) == (Decimal("105"), True, True)
    assert second.outcome_return == pytest.approx(0.05)
    assert first.resolved_at == second.resolved_at == NOW + 2 * HOUR


async def test_the_live_record_by_hand(deps: Deps) -> None:
    await register(deps, "BTC", "1h", serve=True)  # trained on a base rate of 0.5
    calls = [0.7, 0.6, 0.4, 0.55]  # made at the closes of candles 0-3: up, down, down, up
    await publish_forecasts(deps, [forecast(H0 + (i + 1) * HOUR, p) for i, p in enumerate(calls)])
    assert await resolve_due(deps) == 4
    record = (await live_record(deps))[("BTC", "1h")]
    assert record.count == 4
    assert record.brier == pytest.approx((0.3**2 + 0.6**2 + 0.4**2 + 0.45**2) / 4)  # 0.203125
    assert record.brier_base == pytest.approx(0.25)
    assert record.skill == pytest.approx(1 - 0.203125 / 0.25)  # +0.1875
    assert record.hit_rate == pytest.approx(0.75)
    assert record.base_rate == pytest.approx(0.5)
    assert record.skill_low is None
    since = await live_record(deps, since=H0 + 3 * HOUR)  # the last two made since then
    assert since[("BTC", "1h")].count == 2
    assert await live_record(deps, asset="ETH") == {}
    assert await live_record(deps, asset="NOPE") == {}


async def test_each_prediction_is_stored_with_the_base_rate_it_is_judged_against(
    deps: Deps,
) -> None:
    await register(deps, "BTC", "1h", serve=True, base_rate=0.46)
    await register(deps, "BTC", "4h", serve=False, base_rate=0.53)
    await publish_forecasts(
        deps,
        [
            forecast(H0 + HOUR, 0.7),
            forecast(H0 + HOUR, 0.53, horizon="4h", served="base_rate", drivers=()),
            forecast(H0 + HOUR, 0.61, horizon="24h", model_version=None),  # no model: a toss
        ],
    )
    assert {(r.horizon, r.base_rate) for r in await stored(deps)} == {
        ("1h", 0.46),
        ("4h", 0.53),
        ("24h", 0.5),
    }


async def test_the_record_summed_by_the_database_is_the_rows_scored_one_by_one(
    deps: Deps,
) -> None:
    rng = random.Random(8)
    asset_id = (await deps.current_directory()).ids["BTC"]
    edges = [0.0, 1.0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999_999_5, 0.000_000_5]
    rows, expected = [], []
    for i in range(600):
        p = edges[i] if i < len(edges) else rng.random()
        up = rng.random() < p
        base = None if i % 10 == 0 else rng.uniform(0.4, 0.6)  # rows from before the column
        served = "base_rate" if i % 20 == 0 else "model"
        made = H0 - i * HOUR
        rows.append(
            Prediction(
                asset_id=asset_id, horizon="1h", model_id=None, made_at=made,
                target_at=made + HOUR, reference_price=Decimal(1), prob_up=p, served=served,
                drivers=[], base_rate=base, resolved_at=made + HOUR,
                outcome_price=Decimal(2 if up else 0), went_up=up,
                correct=(p >= 0.5) == up,
            )
        )  # fmt: skip
        judged_by = base if base is not None else (p if served == "base_rate" else 0.5)
        expected.append((made, p, judged_by, up))
    async with deps.write() as session:
        session.add_all(rows)
    for since in (None, H0 - 300 * HOUR):
        chosen = [e for e in expected if since is None or e[0] >= since]
        ours = (await live_record(deps, since=since))[("BTC", "1h")]
        p = np.array([e[1] for e in chosen])
        y = np.array([1.0 if e[3] else 0.0 for e in chosen])
        theirs = metric_scores.score(p, y, np.array([e[2] for e in chosen]))
        for name in ("count", "brier", "brier_base", "skill", "log_loss", "ece", "hit_rate"):
            assert getattr(ours, name) == pytest.approx(getattr(theirs, name), rel=1e-9), name
        assert ours.base_rate == pytest.approx(theirs.base_rate, rel=1e-9)
    card = await accuracy_scorecard(deps, ["BTC"])
    assert card.resolved == 600 and card.since == H0 - 599 * HOUR
    shown = {round(b.low, 1): (b.count, b.predicted, b.observed) for b in card.calibration["1h"]}
    for low, (count, predicted, observed) in shown.items():
        inside = [e for e in expected if bin_of(e[1]) == round(low * 10)]
        assert count == len(inside)
        assert predicted == pytest.approx(sum(e[1] for e in inside) / count)
        assert observed == pytest.approx(sum(e[3] for e in inside) / count)
    assert sum(c for c, _, _ in shown.values()) == 600


async def test_what_predict_reads(deps: Deps) -> None:
    answer = await predict_answer(deps, ["btc"])
    assert (answer.asset, answer.horizon, answer.forecast) == ("BTC", "24h", None)
    assert answer.state == "training"  # the sandbox (no token) trains at first start
    for typed, code in [
        ([], "predict.no_coin"),
        (["BTC", "2h"], "predict.bad_horizon"),
        (["BTC", "4h", "now"], "predict.too_many"),
        (["BTC", "ETH"], "predict.one_coin"),
        (["x" * 5000], "coins.unknown"),
    ]:
        with pytest.raises(Refusal) as refused:
            await predict_answer(deps, typed)
        assert refused.value.code == code, typed
    await register(deps, "BTC", "1h", serve=True)
    await deps.cache.delete(SERVING_KEY)  # what serves is read at most once a minute
    assert (await predict_answer(deps, ["BTC", "1h"])).state == "waiting"
    assert (await predict_answer(deps, ["ETH", "1h"])).state == "not_covered"
    await deps.cache.set(TRAINING_KEY, "daily")  # while a training runs, ETH may be in it
    assert (await predict_answer(deps, ["ETH", "1h"])).state == "training"
    await deps.cache.delete(TRAINING_KEY)
    await publish_forecasts(deps, [forecast(H0 + HOUR, 0.7), forecast(H0 + 2 * HOUR, 0.6)])
    await resolve_due(deps)
    assert (await predict_answer(deps, ["BTC", "1h"])).record is None  # read a minute ago
    await deps.cache.delete(record_key("BTC", "1h"))  # as a minute later
    answer = await predict_answer(deps, ["1H", "bitcoin"])
    assert answer.state == "ready"
    assert answer.forecast is not None and answer.forecast.p_up == 0.6
    assert answer.serving is not None and answer.serving.champion
    assert answer.serving.skill == pytest.approx(0.02)
    assert answer.record is not None and answer.record.count == 2
    assert answer.since == H0 + HOUR


async def test_the_scorecard(deps: Deps) -> None:
    await register(deps, "BTC", "1h", serve=True)
    await register(deps, "BTC", "4h", serve=False)
    calls = [0.7, 0.6, 0.4, 0.55]
    await publish_forecasts(deps, [forecast(H0 + (i + 1) * HOUR, p) for i, p in enumerate(calls)])
    await publish_forecasts(deps, [forecast(H0 + 5 * HOUR, 0.5, horizon="4h")])
    await resolve_due(deps)
    card = await accuracy_scorecard(deps, [])
    assert [(line.asset, line.horizon) for line in card.lines] == [("BTC", "1h"), ("BTC", "4h")]
    one, four = card.lines
    assert one.live is not None and one.live.count == 4 and one.since == H0 + HOUR
    assert four.live is None and four.pending == 1
    assert four.serving is not None and not four.serving.champion
    assert card.resolved == 4 and card.since == H0 + HOUR
    bins = {(b.low, b.count, b.observed) for b in card.calibration["1h"]}
    assert {(round(lo, 1), n, o) for lo, n, o in bins} == {
        (0.4, 1, 0.0),
        (0.5, 1, 1.0),
        (0.6, 1, 0.0),
        (0.7, 1, 1.0),
    }
    assert card == await accuracy_scorecard(deps, [])  # the cached one says the same
    assert (await accuracy_scorecard(deps, ["ETH"])).lines == ()
    with pytest.raises(Refusal) as refused:
        await accuracy_scorecard(deps, ["BTC", "ETH"])
    assert refused.value.code == "predict.one_coin"
    async with deps.read() as session:
        assert await session.scalar(select(func.count()).select_from(Prediction)) == 5


async def test_an_older_hour_published_late_leaves_the_latest_in_the_cache(deps: Deps) -> None:
    await register(deps, "BTC", "1h", serve=True)
    await publish_forecasts(deps, [forecast(H0 + 5 * HOUR, 0.6)])
    late = [forecast(H0 + 2 * HOUR, 0.3), forecast(H0 + 3 * HOUR, 0.4)]
    assert await publish_forecasts(deps, late) == 2
    latest = await latest_forecast(deps, "BTC", "1h")
    assert latest is not None and (latest.made_at, latest.p_up) == (H0 + 5 * HOUR, 0.6)
    await deps.cache.delete(forecast_key("BTC", "1h"))
    assert await latest_forecast(deps, "BTC", "1h") == latest  # as the database has it
