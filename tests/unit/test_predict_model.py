"""The Predictor and the trainer on the sandbox's real candles: a forecast at the last close,
its range, its three drivers; out-of-fold rows honest; refusals for what cannot be used."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest

from core.predict.bundle import BundleError, calibrate, decode
from core.predict.features import Inputs, frame, pack
from core.predict.promotion import MIN_ROWS
from services.model_registry import Training
from workers.predict.model import Linear, NoCandles, Predictor, blend, probabilities
from workers.predict.train import Refused, dataset, train, walk_forward
from workers.sources.replay import load_series

HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    series = load_series()
    return Inputs(series["ETH"].candles, series["BTC"].candles, None)


@pytest.fixture(scope="module")
def trained(inputs: Inputs) -> Training:
    done = train(pack(inputs), "ETH", "4h")
    assert isinstance(done, Training)
    return done


def test_a_forecast_at_the_last_close_with_its_range_and_drivers(
    inputs: Inputs, trained: Training
) -> None:
    predictor = Predictor.from_bundle(trained.artifact)
    raw = predictor.forecast(inputs)
    last = inputs.candles[-1]
    assert raw.made_at == last.ts + HOUR and raw.reference_price == float(last.close)
    assert 0 < raw.p_up < 1 and raw.q10 <= raw.q90
    assert len(raw.drivers) == 3
    pushes = [abs(d.push) for d in raw.drivers]
    assert pushes == sorted(pushes, reverse=True)
    row = frame(inputs).iloc[-1]
    for d in raw.drivers:
        assert d.value == pytest.approx(row[d.feature])
    bundle = decode(trained.artifact)
    x = frame(inputs)[bundle.features].to_numpy()[-1:]
    trees = float(predictor.classifier.predict(x)[0])
    assert predictor.linear is not None and predictor.linear.weight == 0.5
    blended = 0.5 * trees + 0.5 * float(predictor.linear.p_up(x)[0])
    assert raw.p_up == pytest.approx(calibrate(blended, bundle.calibration))
    assert raw.p_up == pytest.approx(probabilities(bundle, predictor.classifier, x)[0])
    # the same forecast from the last 1,000 candles and from a shuffled copy of them
    tail = Inputs(list(reversed(inputs.candles[-1000:])), inputs.leader, None)
    assert predictor.forecast(tail).p_up == pytest.approx(raw.p_up, abs=1e-9)


def test_the_out_of_fold_rows_are_the_validation_rows_after_the_first_fold(
    trained: Training, inputs: Inputs
) -> None:
    bundle = decode(trained.artifact)
    times = [t for t, _ in bundle.oof]
    assert (
        times == sorted(times) and len(times) == trained.metrics["walk_forward"]["model"]["count"]
    )
    assert times[0] > trained.trained_from + (trained.trained_to - trained.trained_from) / 2
    assert times[-1] == trained.trained_to
    assert all(0 <= p <= 1 for _, p in bundle.oof)
    assert set(bundle.calibration) == {"x", "y"}
    assert bundle.calibration["y"] == sorted(bundle.calibration["y"])  # monotone


def test_walk_forward_baselines_share_the_rows_and_the_base_rate_has_no_skill(
    inputs: Inputs,
) -> None:
    x, target = dataset(pack(inputs), "1h")
    walk = walk_forward(x, target, "1h")
    assert walk is not None
    sizes = {name: len(p) for name, p in walk.p.items()}
    assert set(sizes.values()) == {len(walk.y)}
    scores = walk.metrics()
    assert scores["base_rate"].skill == 0.0
    later = walk.metrics(walk.times[len(walk.times) // 2].to_pydatetime())
    assert later["model"].count == len(walk.y) - len(walk.y) // 2
    assert 0.0 <= walk.coverage <= 1.0 and not math.isnan(walk.coverage)
    assert np.all((walk.p["persistence"] > 0) & (walk.p["persistence"] < 1))


def test_too_few_candles_are_refused_and_bad_files_and_no_candles_too(inputs: Inputs) -> None:
    short = Inputs(inputs.candles[:1000], inputs.leader, None)
    refused = train(short, "ETH", "1h")
    assert isinstance(refused, Refused)
    assert (refused.reason, refused.rows) == ("too_little_data", 1000 - 200 - 1)
    assert refused.rows < MIN_ROWS
    with pytest.raises(BundleError):
        Predictor.from_bundle(b"not a bundle")


def test_no_candles_no_forecast(trained: Training) -> None:
    with pytest.raises(NoCandles):
        Predictor.from_bundle(trained.artifact).forecast(Inputs([]))


def test_the_linear_part_is_sklearns_logistic_regression_on_imputed_standardised_rows() -> None:
    from sklearn.linear_model import LogisticRegression

    from workers.predict.fitting import linear_fit

    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 3))
    y = (x[:, 0] + rng.normal(size=600) > 0).astype(float)
    x[::7, 1] = np.nan  # missing values are the column's median
    x[:, 2] = np.nan  # a column with no value weighs nothing
    linear = linear_fit(x, y)
    filled = np.where(np.isnan(x), linear.median, x)
    assert linear.median[1] == pytest.approx(np.nanmedian(x[:, 1])) and linear.median[2] == 0
    z = (filled - filled.mean(axis=0)) / np.where(filled.std(axis=0) > 0, filled.std(axis=0), 1)
    theirs = LogisticRegression(C=0.05, solver="newton-cholesky").fit(z, y).predict_proba(z)[:, 1]
    assert linear.p_up(x) == pytest.approx(theirs)
    assert linear.coef[2] == 0 and linear.coef[0] > 0
    again = Linear.from_params(linear.to_params())
    assert again is not None and again.p_up(x) == pytest.approx(linear.p_up(x))
    trees = np.full(600, 0.6)
    assert blend(trees, linear, x) == pytest.approx(0.5 * trees + 0.5 * linear.p_up(x))
    assert blend(trees, None, x) is trees  # an older bundle: LightGBM alone
