"""`pythia train` and `pythia evaluate`: prediction models trained from the candles in the
database (in a pool of spawned processes, with a progress bar), and measured — walk-forward, run
fresh here, and the live record of the predictions served."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.clock import MARKET_NOW, MARKET_SPEED  # the workers that start us set them

if TYPE_CHECKING:
    from core.predict import Metrics
    from core.settings import Settings
    from services.deps import Deps
    from workers.predict.pool import Outcome

COMMANDS = ("train", "evaluate")


class PredictInputError(Exception):
    """What was given cannot be used; one line says why (exit code 2)."""


def register(sub: Any) -> None:
    from core.predict import HORIZONS

    train = sub.add_parser(
        "train",
        help="train the prediction models of coins from the candles in the database",
        description="Per coin and horizon: walk-forward validated LightGBM, calibrated, promoted "
        "to serve only when its skill's lower bound beats the base rate and it beats the "
        "incumbent; recorded in the model registry either way. Runs at the lowest CPU "
        "priority (nice 19), in 2 processes of its own.",
    )
    train.add_argument("coins", nargs="*", metavar="COIN", help="coins, e.g. BTC ETH")
    train.add_argument(
        "--horizon",
        action="append",
        metavar="H",
        help=f"{', '.join(HORIZONS)}; repeat for more (default: all)",
    )
    train.add_argument("--all", action="store_true", help="every coin Pythia follows")
    train.add_argument("--processes", type=int, default=2, help="training processes (default 2)")
    evaluate = sub.add_parser(
        "evaluate",
        help="walk-forward and live record of the predictions, per coin and horizon",
    )
    evaluate.add_argument("coins", nargs="*", metavar="COIN", help="default: every coin followed")
    evaluate.add_argument("--since", help="score rows from this day on, YYYY-MM-DD (UTC)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)  # the output is for a person
    try:
        if args.command == "train":
            horizons, since = _horizons(args.horizon), None
            if not args.coins and not args.all:
                raise PredictInputError("name coins (e.g. BTC ETH) or give --all")
            if args.coins and args.all:
                raise PredictInputError("give coins or --all, not both")
            if not 1 <= args.processes <= 8:
                raise PredictInputError(f"--processes {args.processes}: expected 1 to 8")
        else:
            horizons = _horizons(None)
            since = None if args.since is None else _since(args.since)
        return asyncio.run(_main(settings, args, horizons, since))
    except PredictInputError as exc:
        print(f"pythia {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from db.migrate import NotMigrated

        if isinstance(exc, NotMigrated | OSError | ConnectionError):
            print(f"pythia {args.command}: {exc}", file=sys.stderr)
            return 1
        raise


def _horizons(given: list[str] | None) -> list[str]:
    from core.predict import HORIZONS

    chosen = [h.strip().lower() for h in given or HORIZONS]
    for h in chosen:
        if h not in HORIZONS:
            raise PredictInputError(f"--horizon {h!r}: expected {', '.join(HORIZONS)}")
    return list(dict.fromkeys(chosen))


def _since(text: str) -> datetime:
    from core.dates import parse_iso
    from core.refusal import BadArgument

    try:
        return parse_iso(text, naive=UTC)
    except BadArgument:
        raise PredictInputError(
            f"--since {text!r} is not a date; expected YYYY-MM-DD (UTC)"
        ) from None


def _market_clock(settings: Settings) -> Any:
    """The workers' market clock, when they started this process (MARKET_NOW): it goes on from
    the time it said at the pace it said (MARKET_SPEED; without one, the replay's speed in the
    sandbox, whose market runs ahead of the wall clock, else the wall's) — what a model's
    training time is stamped with and the retrain job compares with. None (the system clock)
    when run by hand or the time is not one."""
    from core.clock import ReplayClock
    from core.dates import parse_iso
    from core.refusal import BadArgument

    given = os.environ.get(MARKET_NOW, "")
    try:
        at = parse_iso(given, naive=UTC) if given else None
    except BadArgument:
        at = None
    if at is None:
        return None
    speed = _speed(os.environ.get(MARKET_SPEED, ""))
    if speed is None:
        speed = settings.replay_speed if settings.resolved_market_source == "replay" else 1.0
    return ReplayClock(data_start=at, speed=speed, started=at)


def _speed(text: str) -> float | None:
    """A pace the workers gave: a finite number from 0 (a clock that stands still) to 3,600."""
    try:
        speed = float(text)
    except ValueError:
        return None
    return speed if 0 <= speed <= 3600 else None  # NaN fails both


async def _main(
    settings: Settings, args: argparse.Namespace, horizons: list[str], since: datetime | None
) -> int:
    from db.engine import create_engine
    from db.migrate import ensure_migrated
    from services.deps import build_deps, close_deps

    engine = create_engine(settings.resolved_database_url)
    try:
        await ensure_migrated(engine, settings.resolved_database_url)
    finally:
        await engine.dispose()
    deps = await build_deps(settings, _market_clock(settings))
    try:
        coins = await _coins(deps, args.coins, every=args.command == "evaluate" or args.all)
        if args.command == "train":
            await _train(deps, coins, horizons, args.processes)
        else:
            await _evaluate(deps, coins, horizons, since)
    finally:
        await close_deps(deps)
    return 0


async def _coins(deps: Deps, given: list[str], every: bool) -> list[str]:
    directory = await deps.current_directory()
    if not given and every:
        return list(directory.tracked)
    coins = list(dict.fromkeys(c.strip().upper() for c in given))
    unknown = [c for c in coins if c not in directory.ids]
    if unknown:
        known = ", ".join(sorted(directory.ids)) or "none yet"
        raise PredictInputError(f"{', '.join(unknown)}: not a coin Pythia knows (known: {known})")
    return coins


# --- train ------------------------------------------------------------------------------------


async def _train(deps: Deps, coins: list[str], horizons: list[str], processes: int) -> None:
    from tqdm import tqdm

    from workers.predict.pool import NICE, Trained, train_many

    with contextlib.suppress(OSError):  # background work: reading and recording yield too
        os.nice(NICE)

    bar = tqdm(total=len(coins) * len(horizons), desc="training", unit=" models", file=sys.stderr)
    lines: list[tuple[tuple[str, str], str]] = []

    def done(outcome: Outcome) -> None:
        bar.update(1)
        key = (
            (outcome.model.asset, outcome.model.horizon)
            if isinstance(outcome, Trained)
            else (
                outcome.asset,
                outcome.horizon,
            )
        )
        lines.append((key, _trained_line(outcome)))

    try:
        await train_many(deps, coins, horizons, processes=processes, done=done)
    finally:
        bar.close()
    order = {(c, h): i for i, (c, h) in enumerate((c, h) for c in coins for h in horizons)}
    for _, line in sorted(lines, key=lambda kept: order.get(kept[0], len(order))):
        print(line)


def _trained_line(outcome: Outcome) -> str:
    from core.predict.promotion import MIN_ROWS
    from workers.predict.pool import Trained

    if not isinstance(outcome, Trained):
        if outcome.reason == "failed":
            return f"{outcome.asset} {outcome.horizon}: failed (the traceback is in the log)"
        if outcome.reason == "no_candles":
            return f"{outcome.asset} {outcome.horizon}: refused, no_candles (no 1h candles stored)"
        return (
            f"{outcome.asset} {outcome.horizon}: refused, {outcome.reason} "
            f"({outcome.rows:,} labelled hours, needs {MIN_ROWS:,})"
        )
    model = outcome.model
    walk = model.metrics.get("walk_forward", {}).get("model", {})
    decision = model.decision
    return (
        f"{model.asset} {model.horizon}: v{model.version} {model.status} ({decision.reason}); "
        f"skill {_signed(walk.get('skill'))} (lower bound {_signed(walk.get('skill_low'))}), "
        f"ECE {_fixed(walk.get('ece'))}, {walk.get('count', 0):,} validation rows, "
        f"{outcome.seconds:.1f} s"
    )


# --- evaluate ---------------------------------------------------------------------------------


def _lead(coin: str, horizon: str, record: str) -> str:
    """A row's first columns, HEADER's too: coin, horizon, which record."""
    return f"{coin:<6}{horizon:>4}  {record:<13}"


HEADER = _lead("coin", "h", "record") + (
    f"{'skill':>8}{'low':>9}{'logloss':>9}{'ECE':>7}"
    f"{'hit':>7}{'count':>8}  best baseline / decision"
)


async def _evaluate(
    deps: Deps, coins: list[str], horizons: list[str], since: datetime | None
) -> None:
    from core.predict.features import pack
    from services.model_registry import pool_inputs
    from workers.predict.train import POOLED, pool_fit

    live = await _live_record(deps, since)
    inputs = {coin: pack(found) for coin, found in (await pool_inputs(deps, coins)).items()}
    pooled = {  # as `pythia train` fits them
        horizon: await asyncio.to_thread(pool_fit, inputs, horizon)
        for horizon in horizons
        if horizon in POOLED
    }
    print(HEADER)
    for coin in coins:
        rows = await asyncio.to_thread(_walk_rows, inputs.get(coin), coin, horizons, since, pooled)
        for row in rows:
            print(row)
        for horizon in horizons:
            record = None if live is None else live.get((coin, horizon))
            if live is None:
                print(_lead(coin, horizon, "live") + "no live record yet")
            elif record is None or record.count == 0:
                print(_lead(coin, horizon, "live") + "no resolved predictions")
            else:
                print(_metrics_row(coin, horizon, "live", record, ""))


def _walk_rows(
    inputs: Any, coin: str, horizons: list[str], since: datetime | None, pooled: dict[str, Any]
) -> list[str]:
    from core.predict.promotion import MIN_ROWS, decide
    from workers.predict.train import dataset, validate

    rows = []
    for horizon in horizons:
        if inputs is None:
            rows.append(_lead(coin, horizon, "walk-forward") + "no 1h candles stored")
            continue
        x_frame, target = dataset(inputs, horizon)
        walk = None
        if len(target) >= MIN_ROWS:  # the pooled classifier's too, as the training runs it
            walk, _ = validate(x_frame, target, horizon, pooled.get(horizon), coin)
        if walk is None:
            rows.append(
                _lead(coin, horizon, "walk-forward") + f"too little data "
                f"({len(target):,} labelled hours, needs {MIN_ROWS:,})"
            )
            continue
        scores = walk.metrics(since)
        model = scores["model"]
        if model.count == 0:
            rows.append(_lead(coin, horizon, "walk-forward") + "no validation rows since")
            continue
        best = max(("logistic", "persistence"), key=lambda k: scores[k].skill)
        decision = decide(
            validation_rows=model.count,
            skill=model.skill,
            skill_low=model.skill_low,
            incumbent=None,
        )
        note = f"{best} {_signed(scores[best].skill)}; {decision.reason}"
        rows.append(_metrics_row(coin, horizon, "walk-forward", model, note))
    return rows


async def _live_record(deps: Deps, since: datetime | None) -> dict[tuple[str, str], Metrics] | None:
    try:
        from services.predictions import live_record
    except ImportError:
        return None
    return await live_record(deps, since=since)


def _metrics_row(coin: str, horizon: str, record: str, m: Metrics, note: str) -> str:
    return (
        _lead(coin, horizon, record) + f"{_signed(m.skill):>8}{_signed(m.skill_low):>9}"
        f"{_fixed(m.log_loss):>9}{_fixed(m.ece):>7}{_fixed(m.hit_rate, 3):>7}{m.count:>8,}  {note}"
    )


def _signed(v: float | None) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.4f}"


def _fixed(v: float | None, places: int = 3) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{places}f}"
