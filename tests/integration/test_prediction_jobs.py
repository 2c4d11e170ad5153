"""The prediction jobs on SQLite and Postgres+Redis, on the sandbox's real candles: the predict
job forecasting from models trained by workers.predict.train (a champion serves its own
forecast, a rejected model its base rate), publishing once per hour; the resolve job judging
them; the retrain job deciding when to train and running `pythia train` as a process."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.market import Candle
from core.predict.features import Inputs, basket
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.models import ModelVersion, Prediction
from services.deps import build_deps, close_deps
from services.model_registry import (
    Training,
    artifact_of,
    record_training,
    registry,
    training_inputs,
)
from services.predictions import latest_forecast
from workers.jobs import predict, resolve_predictions, retrain_models
from workers.jobs.base import WorkerDeps
from workers.predict.model import Predictor
from workers.predict.train import train
from workers.sources.replay import load_series

HOUR = timedelta(hours=1)
LAST_OPEN = datetime(2023, 12, 30, 20, 0, tzinfo=UTC)  # the sandbox candles' newest
NOW = LAST_OPEN + timedelta(minutes=30)  # that candle is forming: the hour's close is 20:00
COINS = ("BTC", "ETH")
# BTC's bundled candles end an hour before the others': its 20:00 candle, forming, is this one
FORMING = Candle(LAST_OPEN, *(Decimal(42000),) * 4, Decimal(1))


@pytest.fixture
async def deps(
    db_url: str, cache_url: str | None, engine
) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    redis_url = cache_url
    settings = Settings(
        database_url=db_url, redis_url=redis_url, symbols=list(COINS), exchanges=["binance"]
    )
    base = await build_deps(settings, FixedClock(NOW))
    series = load_series()
    async with base.write() as session:
        for coin in COINS:
            market = await candle_market(session, "binance", f"{coin}/USDT", coin, "USDT", NOW)
            extra = [FORMING] if coin == "BTC" else []
            await save_candles(session, market, "1h", [*series[coin].candles, *extra])
    await base.assets_changed()  # the markets are listed now, as sync_markets would say
    predict.LOADED.models.clear()
    yield WorkerDeps.of(base)
    await close_deps(base)


async def trained(deps: WorkerDeps, coin: str, serve: bool) -> Training:
    """A 1h model of `coin` trained on the stored candles, its decision set to `serve`."""
    inputs = await training_inputs(deps, coin)
    assert inputs is not None
    done = await asyncio.to_thread(train, inputs, coin, "1h")
    assert isinstance(done, Training), done
    metrics = {
        **done.metrics,
        "decision": {"serve": serve, "reason": "edge" if serve else "no_edge"},
    }
    return replace(done, metrics=metrics)


def alive(pid: int) -> bool:
    """Running (a zombie, ended but not yet reaped, is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


async def rows(deps: WorkerDeps) -> list[Prediction]:
    async with deps.read() as session:
        found = await session.scalars(
            select(Prediction).order_by(Prediction.horizon, Prediction.asset_id)
        )
        return list(found)


async def test_the_predict_job_serves_each_model_once_an_hour(deps: WorkerDeps) -> None:
    assert (await predict.run(deps)).summary == "no trained models yet"
    btc = await record_training(deps, await trained(deps, "BTC", serve=True))
    eth = await record_training(deps, await trained(deps, "ETH", serve=False))
    assert (btc.status, eth.status) == ("champion", "rejected")

    result = await predict.run(deps)
    assert result.ok and result.summary.startswith("2 of 2 forecasts published for 20:00")
    again = await predict.run(deps)
    assert again.summary == "all 2 published for 20:00"
    assert sorted(predict.LOADED.models) == sorted([btc.id, eth.id])

    stored = await rows(deps)
    assert len(stored) == 2
    served = {row.model_id: row for row in stored}
    mine, base = served[btc.id], served[eth.id]
    series = load_series()  # the candles closing at 20:00
    closes = {"BTC": series["BTC"].candles[-1].close, "ETH": series["ETH"].candles[-2].close}
    assert mine.made_at == base.made_at == LAST_OPEN
    assert mine.target_at == LAST_OPEN + HOUR
    assert (mine.served, mine.reference_price) == ("model", closes["BTC"])
    assert 0 < mine.prob_up < 1 and len(mine.drivers) == 3
    assert mine.q10 is not None and mine.q90 is not None and mine.q10 < mine.q90
    assert (base.served, base.prob_up, base.drivers) == ("base_rate", eth.base_rate, [])
    assert base.reference_price == closes["ETH"]

    forecast = await latest_forecast(deps, "BTC", "1h")
    assert forecast is not None and forecast.p_up == mine.prob_up
    assert [d.feature for d in forecast.drivers] == [d[0] for d in mine.drivers]
    assert forecast.model_version == 1 and forecast.trained_at == btc.created_at

    # the next hour: a new candle is needed before anything is made at 21:00
    deps.clock.advance(HOUR)  # type: ignore[attr-defined]
    assert "waiting for candles: BTC, ETH" in (await predict.run(deps)).summary
    assert len(await rows(deps)) == 2


async def test_a_forecast_reads_the_market_basket_of_every_tracked_coin(deps: WorkerDeps) -> None:
    series = load_series()
    async with deps.write() as session:
        for coin in ("SOL", "XRP"):  # four tracked coins: a basket (BTC and ETH alone are not)
            deps.settings.symbols.append(coin)
            market = await candle_market(session, "binance", f"{coin}/USDT", coin, "USDT", NOW)
            await save_candles(session, market, "1h", series[coin].candles)
    await deps.assets_changed()
    inputs = await training_inputs(deps, "ETH")
    assert inputs is not None and inputs.market is not None
    assert sorted(inputs.market.coins) == ["BTC", "ETH", "SOL", "XRP"]
    eth = await record_training(deps, await trained(deps, "ETH", serve=True))
    assert {"mkt_ret_1h", "mkt_rel_4h", "mkt_breadth_24h"} <= set(eth.features)

    assert (await predict.run(deps)).summary.startswith("1 of 1 forecasts published")
    (made,) = await rows(deps)
    # what the job served is the model's forecast from the four coins' candles closed by 20:00
    closed = {c: [k for k in series[c].candles if k.ts + HOUR <= NOW] for c in inputs.market.coins}
    model = Predictor.from_bundle(await artifact_of(deps, eth.id))
    by_hand = model.forecast(Inputs(closed["ETH"], closed["BTC"], inputs.sentiment, basket(closed)))
    assert made.prob_up == pytest.approx(by_hand.p_up, abs=1e-12)
    without = model.forecast(Inputs(closed["ETH"], closed["BTC"], inputs.sentiment, None))
    assert made.prob_up != pytest.approx(without.p_up, abs=1e-9)  # the basket counted


def test_a_candle_still_forming_is_in_no_input() -> None:
    series = load_series()
    coins = {c: [*series[c].candles[-30:], FORMING] for c in COINS}
    ready = predict.closed(Inputs(coins["ETH"], coins["BTC"], None, basket(coins)), NOW)
    assert ready.candles[-1].ts + HOUR <= NOW and ready.leader[-1].ts + HOUR <= NOW
    assert ready.market is not None and ready.market.close_time[-1] <= NOW
    assert len(ready.market.close_time) == len(basket(coins).close_time) - 1


async def test_the_resolve_job_judges_them_against_the_next_close(deps: WorkerDeps) -> None:
    await record_training(deps, await trained(deps, "BTC", serve=True))
    await predict.run(deps)
    (made,) = await rows(deps)
    assert (await resolve_predictions.run(deps)).summary == "0 predictions resolved"
    deps.clock.advance(2 * HOUR)  # type: ignore[attr-defined]
    async with deps.write() as session:
        market = await candle_market(session, "binance", "BTC/USDT", "BTC", "USDT", NOW)
        later = Candle(LAST_OPEN + HOUR, *(Decimal(1),) * 5)  # the outcome candle is closed
        await save_candles(session, market, "1h", [later])
    assert (await resolve_predictions.run(deps)).summary == "1 predictions resolved"
    (judged,) = await rows(deps)
    outcome = FORMING.close  # the candle closing at 21:00, closed now
    assert judged.outcome_price == outcome
    assert judged.went_up == (outcome > made.reference_price)
    assert judged.correct == ((made.prob_up >= 0.5) == judged.went_up)
    assert judged.outcome_return == pytest.approx(float(outcome / made.reference_price - 1))


async def test_when_training_is_due(deps: WorkerDeps) -> None:
    assert await retrain_models.due(deps) == "first"  # 120 days of both coins are in
    deps.settings.symbols.append("SOL")
    async with deps.write() as session:
        await candle_market(session, "binance", "SOL/USDT", "SOL", "USDT", NOW)
    await deps.assets_changed()  # SOL is tracked and listed now, with no candles
    assert await retrain_models.due(deps) is None  # the first training waits for every coin
    model = await record_training(deps, await trained(deps, "BTC", serve=False))
    assert await retrain_models.due(deps) is None
    deps.clock.advance(model.created_at + timedelta(days=1) - NOW)  # type: ignore[attr-defined]
    assert await retrain_models.due(deps) == "daily"
    await deps.cache.set(retrain_models.ATTEMPTED_KEY, "daily", ttl=60)
    assert await retrain_models.due(deps) is None  # tried a moment ago: not again yet


async def test_the_training_process_is_awaited_and_its_output_logged(
    deps: WorkerDeps, caplog: pytest.LogCaptureFixture
) -> None:
    script = "import sys; print('1/2', flush=True); print('\\r2/2 done', end=''); sys.exit(0)"
    with caplog.at_level("INFO", logger="workers.jobs.retrain_models"):
        code, last = await retrain_models.train(deps, [sys.executable, "-c", script])
    assert (code, last) == (0, "2/2 done")
    assert "training: 1/2" in caplog.text
    failed = await retrain_models.train(deps, [sys.executable, "-c", "raise SystemExit(3)"])
    assert failed == (3, "")
    # a process the training leaves behind (as a pool's workers once did) ends with it
    leave = "import subprocess; print(subprocess.Popen(['sleep', '60']).pid)"
    code, pid = await retrain_models.train(deps, [sys.executable, "-c", leave])
    assert code == 0
    for _ in range(50):
        if not alive(int(pid)):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(f"process {pid} outlived the training")
    off = WorkerDeps.of(
        replace(deps, settings=deps.settings.model_copy(update={"train_models": False}))
    )
    assert "off" in (await retrain_models.run(off)).summary


async def test_the_retrain_job_trains_every_coin_in_a_process_of_its_own(
    deps: WorkerDeps, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("one backend is enough for a minute of training")
    result = await retrain_models.run(deps)
    assert result.ok, result.summary
    models = await registry(deps)
    # stamped on the workers' market clock (here years behind the wall, and standing still: the
    # child goes on from its time at its pace, however long the training takes)
    assert {m.created_at for m in models} == {NOW}
    assert sorted({(m.asset, m.horizon) for m in models}) == [
        (coin, horizon) for coin in COINS for horizon in ("1h", "24h", "4h")
    ]
    assert "published" in result.summary  # the first training is followed by the forecasts
    async with deps.read() as session:
        assert await session.scalar(select(func.count()).select_from(ModelVersion)) == 6
        assert await session.scalar(select(func.count()).select_from(Prediction)) == 6
    assert await retrain_models.due(deps) is None
