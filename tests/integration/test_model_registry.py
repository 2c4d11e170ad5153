"""The model registry on SQLite and Postgres: models trained from the sandbox's real candles
stored in the database, recorded with versions and statuses; champions retired by better ones;
a coin with too few candles refused; `pythia train` and `pythia evaluate` from the command line."""

from __future__ import annotations

import functools
import math
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.market import Candle
from core.predict import Forecast
from core.predict.bundle import decode
from core.predict.features import Inputs
from core.settings import Settings
from db.candles import candle_market, save_candles
from db.models import ModelVersion
from pythia.cli import main
from services.deps import Deps, build_deps, close_deps
from services.model_registry import (
    Training,
    artifact_of,
    record_training,
    registry,
    serving,
    training_inputs,
)
from services.predictions import publish_forecasts, resolve_due
from tests.conftest import outside_loop
from workers.predict.model import Predictor
from workers.predict.pool import Trained, train_many
from workers.predict.train import POOLED, Refused
from workers.sources.replay import load_series

END = datetime(2023, 12, 30, 21, 0, tzinfo=UTC)  # the sandbox candles' last close
NOW = END + timedelta(minutes=30)
SHORT = 1200  # DOGE gets only these hours: too few to train on


@pytest.fixture
async def deps(db_url: str, engine) -> AsyncIterator[Deps]:  # engine: empties Postgres
    settings = Settings(database_url=db_url, symbols=["BTC", "ETH", "DOGE"], exchanges=["binance"])
    made = await build_deps(settings, FixedClock(NOW))
    series = load_series()
    async with made.sessions.begin() as session:
        for coin in ("BTC", "ETH", "DOGE"):
            market = await candle_market(session, "binance", f"{coin}/USDT", coin, "USDT", NOW)
            candles: list[Candle] = series[coin].candles
            await save_candles(
                session, market, "1h", candles[-SHORT:] if coin == "DOGE" else candles
            )
    yield made
    await close_deps(made)


async def count(deps: Deps) -> int:
    async with deps.read() as session:
        return int(await session.scalar(select(func.count()).select_from(ModelVersion)) or 0)


async def test_training_records_each_coin_and_horizon_and_refuses_too_few_candles(
    deps: Deps,
) -> None:
    outcomes = await train_many(deps, ["BTC", "ETH", "DOGE"], ["1h", "24h"])
    refused = sorted((o.asset, o.horizon, o.reason) for o in outcomes if isinstance(o, Refused))
    assert refused == [("DOGE", "1h", "too_little_data"), ("DOGE", "24h", "too_little_data")]
    trained = [o.model for o in outcomes if isinstance(o, Trained)]
    assert sorted((m.asset, m.horizon, m.version) for m in trained) == [
        ("BTC", "1h", 1),
        ("BTC", "24h", 1),
        ("ETH", "1h", 1),
        ("ETH", "24h", 1),
    ]
    for m in trained:
        decision = m.metrics["decision"]
        assert m.status == ("champion" if decision["serve"] else "rejected")
        assert decision["reason"] in {"edge", "no_edge", "worse_than_incumbent"}
        walk = m.metrics["walk_forward"]
        assert set(walk) == {"model", "logistic", "persistence", "base_rate"}
        assert walk["model"]["count"] > 500 and walk["base_rate"]["skill"] == 0.0
        assert 0.4 < m.base_rate < 0.6 and 0.5 < m.metrics["coverage_10_90"] < 1.0
        last_close = load_series()[m.asset].candles[-1].ts + timedelta(hours=1)
        assert m.trained_to == last_close - timedelta(hours=int(m.horizon.removesuffix("h")))
        assert "ret_1h" in m.features
        if m.horizon in POOLED:  # one classifier learnt from both coins' rows (not DOGE's 999)
            assert m.metrics["pooled"]["coins"] == ["BTC", "ETH"] and "btc_ret_1h" in m.features
        else:  # each coin's own: BTC has no leader
            assert "pooled" not in m.metrics
            assert ("btc_ret_1h" in m.features) == (m.asset != "BTC")
    assert await count(deps) == 4
    classifiers = {
        m.asset: decode(await artifact_of(deps, m.id)).classifier
        for m in trained
        if m.horizon == "1h"
    }
    assert classifiers["BTC"] == classifiers["ETH"]

    served = await serving(deps)
    assert [(m.asset, m.horizon) for m in served] == [
        ("BTC", "1h"),
        ("BTC", "24h"),
        ("ETH", "1h"),
        ("ETH", "24h"),
    ]
    eth = next(m for m in served if (m.asset, m.horizon) == ("ETH", "1h"))
    bundle = decode(await artifact_of(deps, eth.id))
    assert bundle.features == eth.features and bundle.oof
    inputs = await training_inputs(deps, "ETH")
    assert inputs is not None and inputs.leader is not None and inputs.sentiment is None
    raw = Predictor.from_bundle(await artifact_of(deps, eth.id)).forecast(inputs)
    assert raw.made_at == END and raw.reference_price == float(inputs.candles[-1].close)
    assert 0.0 < raw.p_up < 1.0 and raw.q10 < 0 < raw.q90 and len(raw.drivers) == 3
    assert all(d.feature in eth.features and math.isfinite(d.value) for d in raw.drivers)

    again = await train_many(deps, ["ETH"], ["1h"])  # the same data: a second version
    assert [o.model.version for o in again if isinstance(o, Trained)] == [2]
    statuses = [(m.version, m.status) for m in await registry(deps, "ETH") if m.horizon == "1h"]
    if eth.status == "champion":  # equal walk-forward skill: not worse, so it takes over
        assert statuses == [(2, "champion"), (1, "retired")]
    else:
        assert statuses == [(2, "rejected"), (1, "rejected")]


async def test_a_better_candidate_retires_the_champion_and_a_worse_one_is_rejected(
    deps: Deps,
) -> None:
    outcomes = await train_many(deps, ["BTC"], ["4h"], processes=1)
    first = next(o for o in outcomes if isinstance(o, Trained)).model
    artifact = await artifact_of(deps, first.id)

    def made(serve: bool, reason: str, incumbent: int | None) -> Training:
        metrics = {**first.metrics, "decision": {"serve": serve, "reason": reason}}
        return Training(
            "BTC",
            "4h",
            artifact,
            metrics,
            first.features,
            first.trained_from,
            first.trained_to,
            incumbent,
        )

    champion = await record_training(
        deps, made(True, "edge", None if first.status != "champion" else first.id)
    )
    assert (champion.version, champion.status) == (2, "champion")
    worse = await record_training(deps, made(False, "worse_than_incumbent", champion.id))
    assert (worse.version, worse.status) == (3, "rejected")
    assert [m.id for m in await serving(deps)] == [champion.id]  # not the newer rejected one
    stale = await record_training(deps, made(True, "edge", first.id))  # judged against v1
    assert (stale.status, stale.decision.reason) == ("rejected", "incumbent_changed")
    better = await record_training(deps, made(True, "edge", champion.id))
    listed = [(m.version, m.status) for m in await registry(deps, "BTC")]
    assert listed == [
        (5, "champion"),
        (4, "rejected"),
        (3, "rejected"),
        (2, "retired"),
        (1, "rejected" if first.status == "rejected" else "retired"),
    ]
    assert [m.id for m in await serving(deps)] == [better.id]  # the champion, not the newest
    assert await registry(deps, "NOPE") == []


async def test_the_newest_row_serves_its_base_rate_when_none_is_champion(deps: Deps) -> None:
    outcomes = await train_many(deps, ["ETH"], ["24h"], processes=1)
    model = next(o for o in outcomes if isinstance(o, Trained)).model
    training = Training(
        "ETH",
        "24h",
        await artifact_of(deps, model.id),
        {**model.metrics, "decision": {"serve": False, "reason": "no_edge"}},
        model.features,
        model.trained_from,
        model.trained_to,
        None,
    )
    newest = await record_training(deps, training)
    if model.status == "champion":
        assert [m.id for m in await serving(deps)] == [model.id]
    else:
        assert [m.id for m in await serving(deps)] == [newest.id]
        assert newest.base_rate == pytest.approx(model.base_rate)


async def forecasts(deps: Deps, asset: str, hours: int) -> list[Forecast]:
    """What the serving model of `asset` 1h said at each of `hours` closes whose outcome candle
    is stored closed (a later candle is stored too: the last two closes are left out)."""
    model = next(m for m in await serving(deps) if (m.asset, m.horizon) == (asset, "1h"))
    predictor = Predictor.from_bundle(await artifact_of(deps, model.id))
    inputs = await training_inputs(deps, asset)
    assert inputs is not None
    made = []
    for end in range(len(inputs.candles) - hours - 2, len(inputs.candles) - 2):
        raw = predictor.forecast(Inputs(inputs.candles[: end + 1], inputs.leader, None))
        served = model.status == "champion"
        made.append(
            Forecast(
                asset, "1h", raw.made_at, raw.reference_price,
                raw.p_up if served else model.base_rate, raw.q10, raw.q90,
                "model" if served else "base_rate", model.version, model.created_at,
                raw.drivers if served else (),
            )
        )  # fmt: skip
    return made


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = outside_loop(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def environment(deps: Deps, db_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Deps:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SYMBOLS", "BTC,ETH,DOGE")
    monkeypatch.setenv("EXCHANGES", "binance")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    return deps


async def test_pythia_train_and_evaluate_from_the_command_line(
    environment: Deps, capsys: pytest.CaptureFixture[str]
) -> None:
    # a process of its own, as the workers start it: it lowers its own CPU priority
    argv = [sys.executable, "-m", "pythia", "train", "eth", "DOGE", "--horizon", "1h"]
    market_now = datetime(2024, 1, 2, 3, 4, tzinfo=UTC)  # the workers' market clock said
    env = {**os.environ, "PYTHIA_MARKET_NOW": market_now.isoformat()}
    run = functools.partial(subprocess.run, capture_output=True, text=True, timeout=300, env=env)
    done = outside_loop(run, argv)
    code, out, err = done.returncode, done.stdout, done.stderr
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("ETH 1h: v1 ") and "validation rows" in lines[0]
    assert lines[1] == "DOGE 1h: refused, too_little_data (999 labelled hours, needs 1,000)"
    assert "training" in err  # the progress bar
    assert await count(environment) == 1
    (model,) = await registry(environment)
    # on the market clock it was given, which goes on at the replay's speed (no token here: the
    # sandbox's market) — not on the wall clock, years later
    assert market_now <= model.created_at < market_now + timedelta(days=1)

    # 30 hourly forecasts served from that model (B's publish), resolved against the candles
    said = await forecasts(environment, "ETH", 30)
    assert await publish_forecasts(environment, said) == 30
    assert await resolve_due(environment) == 30

    code, out, err = cli(capsys, "evaluate", "ETH", "DOGE")
    assert code == 0, err
    rows = out.strip().splitlines()
    assert rows[0].split()[:3] == ["coin", "h", "record"]
    walk = [r for r in rows if "walk-forward" in r]
    assert [r.split()[:2] for r in walk] == [["ETH", h] for h in ("1h", "4h", "24h")] + [
        ["DOGE", h] for h in ("1h", "4h", "24h")
    ]
    assert walk[-1].split()[2:5] == ["walk-forward", "too", "little"]  # its words apart
    assert any(w in walk[0] for w in ("edge", "no_edge"))
    # the walk-forward the training ran, pooled classifier and all: the same figures again
    assert model.metrics["pooled"]["coins"] == ["BTC", "ETH"]  # DOGE's 999 hours too few
    trained_walk = model.metrics["walk_forward"]["model"]
    assert walk[0].split()[3:5] == [f"{trained_walk[k]:+.4f}" for k in ("skill", "skill_low")]
    live = [r for r in rows if " live " in r]
    assert len(live) == 6
    eth = next(r for r in live if r.startswith("ETH     1h"))
    assert eth.split()[-1] == "30" and "no resolved" not in eth  # its count, last
    assert [r for r in live if "no resolved predictions" in r] == [r for r in live if r is not eth]
    assert await count(environment) == 1  # evaluating writes nothing

    code, out, err = cli(capsys, "evaluate", "--since", "2023-12-30", "ETH")
    assert code == 0, err
    eth = next(r for r in out.splitlines() if r.startswith("ETH     1h  live"))
    since = datetime(2023, 12, 30, tzinfo=UTC)
    assert eth.split()[-1] == str(sum(f.made_at >= since for f in said))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["train"], "pythia train: name coins (e.g. BTC ETH) or give --all"),
        (["train", "BTC", "--all"], "pythia train: give coins or --all, not both"),
        (["train", "FOO"], "pythia train: FOO: not a coin Pythia knows (known: BTC, DOGE, ETH)"),
        (["train", "BTC", "--horizon", "2h"], "pythia train: --horizon '2h': expected 1h, 4h, 24h"),
        (["train", "BTC", "--processes", "0"], "pythia train: --processes 0: expected 1 to 8"),
        (
            ["evaluate", "--since", "2023-13-01"],
            "pythia evaluate: --since '2023-13-01' is not a date; expected YYYY-MM-DD (UTC)",
        ),
    ],
)
async def test_bad_arguments_are_one_line_and_write_nothing(
    environment: Deps, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, out, err = cli(capsys, *argv)
    assert (code, out, err) == (2, "", said + "\n")
    assert await count(environment) == 0


async def test_a_training_that_fails_is_reported_and_the_others_are_recorded(
    deps: Deps,
) -> None:
    outcomes = await train_many(deps, ["ETH"], ["1h", "2h"], processes=1)  # 2h is no horizon
    failed = [(o.asset, o.horizon, o.reason) for o in outcomes if isinstance(o, Refused)]
    assert failed == [("ETH", "2h", "failed")]
    assert [(o.model.asset, o.model.horizon) for o in outcomes if isinstance(o, Trained)] == [
        ("ETH", "1h")
    ]
    assert await count(deps) == 1
