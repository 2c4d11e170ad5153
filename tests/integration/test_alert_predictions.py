"""Forecast alerts, on SQLite and Postgres: `/alert BTC predict up > 65% 24h` fires once into the
outbox on the served prediction that crosses its level (the prediction row is the trigger), with
the chance and the served forecasts' record; a base-rate answer ("no edge found") fires nothing
and is not the one before; a second run, a restarted process or a crossing found hours late
writes nothing new; a run with no prediction stored since reads nothing more than a count; and
setting one previews it over the stored predictions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.i18n import texts_for
from bot.views.alert_notices import fired_text
from core.clock import FixedClock
from core.notices import ForecastRecord
from core.people import ChatSeen, PersonSeen
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.models import Prediction
from db.repos.people import register
from services.alerts import pause, set_alert
from services.deps import Deps, build_deps, close_deps
from tests.integration.test_alert_firing import alert_row, notice_of, outbox, started
from tests.integration.test_alert_news import Statements
from workers.jobs.base import WorkerDeps
from workers.sources.replay import load_series

T0 = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ANN, BOB = 101, 202
M, H = timedelta(minutes=1), timedelta(hours=1)
D = Decimal
EN = texts_for("en")


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:  # engine: empties Postgres
    settings = Settings(database_url=db_url, symbols=["BTC", "ETH"], alerts_max_active=500)
    deps = await build_deps(settings, FixedClock(T0))
    async with deps.sessions.begin() as session:
        for person in (ANN, BOB):
            await register(session, PersonSeen(person, "P"), ChatSeen(person, "private"), T0)
    yield deps
    await close_deps(deps)


def clock(deps: Deps) -> FixedClock:
    assert isinstance(deps.clock, FixedClock)
    return deps.clock


async def add_alert(deps: Deps, text: str, user: int = ANN) -> int:
    person, chat = PersonSeen(user, "P"), ChatSeen(user, "private")
    return (await set_alert(deps, person, chat, text)).alert_id


async def predict(
    deps: Deps,
    coin: str,
    horizon: str,
    made_at: datetime,
    p_up: float,
    served: str = "model",
    correct: bool | None = None,
) -> int:
    """A stored prediction, as the predict job publishes it (and resolution, if `correct`)."""
    hours = {"1h": 1, "4h": 4, "24h": 24}[horizon]
    async with deps.sessions.begin() as session:
        row = Prediction(
            model_id=None,
            asset_id=deps.directory.ids[coin],
            horizon=horizon,
            made_at=made_at,
            target_at=made_at + hours * H,
            reference_price=D("70000"),
            prob_up=p_up,
            served=served,
            drivers=[],
            resolved_at=None if correct is None else made_at + hours * H,
            correct=correct,
            went_up=None if correct is None else correct == (p_up >= 0.5),
        )
        session.add(row)
        await session.flush()
        return row.id


async def summary(deps: Deps, matcher=None) -> str:
    matcher = matcher or await started(deps)
    return (await matcher.on_predictions(deps)).summary


# ---- firing --------------------------------------------------------------------------------------


async def test_a_forecast_alert_fires_once_on_the_prediction_that_crosses(deps: Deps) -> None:
    for days, right in ((3, True), (4, True), (5, False)):  # the record: 2 of 3 right
        await predict(deps, "BTC", "24h", T0 - days * 24 * H, 0.7, correct=right)
    await predict(deps, "BTC", "24h", T0 - H, 0.6)
    await predict(deps, "BTC", "4h", T0 - H, 0.6)
    once = await add_alert(deps, "BTC predict up > 65% 24h")
    again = await add_alert(deps, "BTC predict up > 65% 24h every 1h", user=BOB)
    down = await add_alert(deps, "BTC predict down > 60% 24h")
    other_horizon = await add_alert(deps, "BTC predict up > 65% 1h")
    matcher = await started(deps)
    assert await summary(deps, matcher) == "4 prediction alerts checked, 0 fired"
    assert (await matcher.on_candles(deps)).summary.startswith("0 candle alerts checked")
    assert (await matcher.on_news(deps)).summary.startswith("0 news alerts checked")

    clock(deps).advance(H + 5 * M)
    crossing = await predict(deps, "BTC", "24h", T0 + H, 0.7)
    await predict(deps, "BTC", "1h", T0 + H, 0.9)  # the first at 1h: no other side to come from
    assert await summary(deps, matcher) == "4 prediction alerts checked, 2 fired"
    assert await summary(deps, matcher) == "3 prediction alerts checked, 0 fired"
    assert await summary(deps) == "3 prediction alerts checked, 0 fired"  # restarted

    rows = await outbox(deps)
    assert sorted(r.dedupe_key for r in rows) == sorted(
        f"alert:{i}:prediction:{crossing}" for i in (once, again)
    )
    notice = notice_of(rows[0])
    assert (notice.value, notice.at, notice.price) == (D("0.7"), T0 + H, None)
    assert notice.record is not None
    assert (notice.record.resolved, notice.record.correct) == (3, 2)
    text = fired_text(EN, notice)
    assert text.startswith("🔔 <b>BTC forecast: chance of up in 24h rises above 65% — ")
    assert "The model gives BTC a 70% chance of being higher in 24h." in text
    assert "Record at 24h: right 67% of 3 resolved forecasts." in text
    assert text.endswith("<i>Not financial advice.</i>")
    assert (await alert_row(deps, once)).status == "fired"
    statuses = [(await alert_row(deps, i)).status for i in (again, down, other_horizon)]
    assert statuses == ["active"] * 3

    # down, back up: the recurring one fires again on the second crossing, the once one not
    clock(deps).advance(H)
    await predict(deps, "BTC", "24h", T0 + 2 * H, 0.5)
    assert await summary(deps, matcher) == "3 prediction alerts checked, 0 fired"
    clock(deps).advance(H)
    second = await predict(deps, "BTC", "24h", T0 + 3 * H, 0.66)
    assert await summary(deps, matcher) == "3 prediction alerts checked, 1 fired"
    rows = await outbox(deps)
    assert len(rows) == 3 and rows[-1].dedupe_key == f"alert:{again}:prediction:{second}"
    assert notice_of(rows[-1]).fire_count == 2


async def test_a_base_rate_answer_fires_nothing_and_is_not_the_one_before(deps: Deps) -> None:
    await predict(deps, "ETH", "4h", T0 - H, 0.6)
    alert_id = await add_alert(deps, "ETH predict up > 65% 4h")
    matcher = await started(deps)
    clock(deps).advance(H + M)
    await predict(deps, "ETH", "4h", T0 + H, 0.9, served="base_rate")  # "no edge found"
    assert await summary(deps, matcher) == "1 prediction alerts checked, 0 fired"
    clock(deps).advance(H)
    await predict(deps, "ETH", "4h", T0 + 2 * H, 0.62)  # served, still under: no crossing
    assert await summary(deps, matcher) == "1 prediction alerts checked, 0 fired"
    clock(deps).advance(H)
    await predict(deps, "ETH", "4h", T0 + 3 * H, 0.5, served="base_rate")
    clock(deps).advance(H)
    crossing = await predict(deps, "ETH", "4h", T0 + 4 * H, 0.7)  # 0.62 → 0.7, served to served
    assert await summary(deps, matcher) == "1 prediction alerts checked, 1 fired"
    (row,) = await outbox(deps)
    assert row.dedupe_key == f"alert:{alert_id}:prediction:{crossing}"
    assert notice_of(row).record == ForecastRecord(resolved=0, correct=0)
    assert "Record at 4h: none resolved yet." in fired_text(EN, notice_of(row))


async def test_predictions_made_before_the_alert_or_found_hours_late_fire_nothing(
    deps: Deps,
) -> None:
    await predict(deps, "BTC", "1h", T0 - 2 * H, 0.3)
    await predict(deps, "BTC", "1h", T0 - H, 0.8)  # crossed before the alert was set
    alert_id = await add_alert(deps, "BTC predict up > 65% 1h")
    assert await summary(deps) == "1 prediction alerts checked, 0 fired"
    await predict(deps, "BTC", "1h", T0 + H, 0.3)
    await predict(deps, "BTC", "1h", T0 + 2 * H, 0.8)  # crossed while no matcher ran
    clock(deps).advance(4 * H + M)  # the workers come back more than 2 hours later
    assert await summary(deps) == "1 prediction alerts checked, 0 fired"
    assert await outbox(deps) == [] and (await alert_row(deps, alert_id)).status == "active"


async def test_a_paused_forecast_alert_does_not_fire(deps: Deps) -> None:
    await predict(deps, "BTC", "24h", T0 - H, 0.6)
    alert_id = await add_alert(deps, "BTC predict up > 65%")
    matcher = await started(deps)
    await pause(deps, ANN, alert_id)
    clock(deps).advance(H + M)
    await predict(deps, "BTC", "24h", T0 + H, 0.7)
    assert await summary(deps, matcher) == "0 prediction alerts checked, 0 fired"
    assert await outbox(deps) == []


async def test_a_run_with_no_prediction_stored_since_reads_only_a_count(deps: Deps) -> None:
    await predict(deps, "BTC", "24h", T0 - H, 0.6)
    await add_alert(deps, "BTC predict up > 65%")
    matcher = await started(deps)
    assert await summary(deps, matcher) == "1 prediction alerts checked, 0 fired"
    with Statements(deps) as quiet:
        assert await summary(deps, matcher) == "1 prediction alerts checked, 0 fired"
    assert len([s for s in quiet.seen if "predictions" in s]) == 1  # count(*), max(id)
    clock(deps).advance(H + M)
    await predict(deps, "BTC", "24h", T0 + H, 0.64)
    with Statements(deps) as busy:
        assert await summary(deps, matcher) == "1 prediction alerts checked, 0 fired"
    assert len([s for s in busy.seen if "predictions" in s]) == 2  # and the predictions


# ---- setting one ---------------------------------------------------------------------------------


async def test_setting_a_forecast_alert_previews_it_over_the_stored_predictions(
    deps: Deps,
) -> None:
    start = T0 - timedelta(days=3)
    for hours, p_up in enumerate((0.6, 0.7, 0.6, 0.68, 0.5, 0.62)):
        await predict(deps, "BTC", "24h", start + hours * H, p_up)
    await predict(deps, "BTC", "24h", start + 6 * H, 0.9, served="base_rate")
    await predict(deps, "BTC", "4h", start, 0.3)
    person, chat = PersonSeen(ANN, "P"), ChatSeen(ANN, "private")
    done = await set_alert(deps, person, chat, "BTC predict up > 65% 24h")
    assert done.history.source == "predictions" and done.history.no_edge
    assert done.history.result is not None and done.history.result.count == 2
    assert done.history.result.last == start + 3 * H
    done = await set_alert(deps, person, chat, "BTC predict down > 60% 4h")
    assert done.history.result is None and done.history.reading == pytest.approx(0.7)
    done = await set_alert(deps, person, chat, "ETH predict up > 65% 1h")
    assert done.history.result is None and done.history.reading is None


async def test_past_the_read_limit_the_oldest_predictions_are_left_out_not_the_newest(
    deps: Deps, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.repos import alert_predictions

    monkeypatch.setattr(alert_predictions, "MAX_PREDICTIONS", 3)
    for hours in range(6, 0, -1):  # six served predictions under the level, made before it
        await predict(deps, "BTC", "1h", T0 - hours * H, 0.5)
    alert_id = await add_alert(deps, "BTC predict up > 65% 1h")
    matcher = await started(deps)
    clock(deps).advance(H + M)
    crossing = await predict(deps, "BTC", "1h", T0 + H, 0.7)
    assert await summary(deps, matcher) == "1 prediction alerts checked, 1 fired"
    (row,) = await outbox(deps)
    assert row.dedupe_key == f"alert:{alert_id}:prediction:{crossing}"


# ---- on what the predict job publishes -----------------------------------------------------------


@pytest.fixture
async def job_deps(
    db_url: str, cache_url: str | None, engine
) -> AsyncIterator[WorkerDeps]:  # engine: empties Postgres
    """What the prediction jobs' tests run on (tests.integration.test_prediction_jobs): the
    sandbox's real BTC and ETH candles stored, the clock ten minutes before the 20:00 close."""
    from tests.integration.test_prediction_jobs import COINS, FORMING, LAST_OPEN
    from workers.jobs import predict as predict_job

    redis_url = cache_url
    settings = Settings(
        database_url=db_url, redis_url=redis_url, symbols=list(COINS), exchanges=["binance"]
    )
    now = LAST_OPEN - 10 * M
    base = await build_deps(settings, FixedClock(now))
    series = load_series()
    async with base.write() as session:
        for coin in COINS:
            market = await candle_market(session, "binance", f"{coin}/USDT", coin, "USDT", now)
            extra = [FORMING] if coin == "BTC" else []
            await save_candles(session, market, "1h", [*series[coin].candles, *extra])
        for person in (ANN, BOB):
            await register(session, PersonSeen(person, "P"), ChatSeen(person, "private"), now)
    predict_job.LOADED.models.clear()
    yield WorkerDeps.of(base)
    await close_deps(base)


async def test_the_predict_jobs_served_forecast_fires_and_its_base_rate_does_not(
    job_deps: WorkerDeps,
) -> None:
    from services.model_registry import record_training
    from tests.integration.test_prediction_jobs import LAST_OPEN, trained
    from workers.jobs import predict as predict_job

    deps = job_deps
    await record_training(deps, await trained(deps, "BTC", serve=True))
    await record_training(deps, await trained(deps, "ETH", serve=False))
    for coin in ("BTC", "ETH"):  # the hour before: served, under 1%
        await predict(deps, coin, "1h", LAST_OPEN - H, 0.005)
    btc = await add_alert(deps, "BTC predict up > 1% 1h")
    eth = await add_alert(deps, "ETH predict up > 1% 1h", user=BOB)
    matcher = await started(deps)
    clock(deps).advance(40 * M)  # 20:30: the 20:00 candle has closed
    result = await predict_job.run(deps)
    assert result.summary.startswith("2 of 2 forecasts published for 20:00"), result.summary
    assert await summary(deps, matcher) == "2 prediction alerts checked, 1 fired"
    (row,) = await outbox(deps)
    notice = notice_of(row)
    assert notice.alert_id == btc and notice.at == LAST_OPEN
    assert notice.value is not None and D("0.01") < notice.value < 1
    assert (await alert_row(deps, eth)).status == "active"  # the base rate: no edge, no alert
    assert await summary(deps, matcher) == "1 prediction alerts checked, 0 fired"
