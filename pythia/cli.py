"""`pythia`: the one entry point. Composes bot, workers and sandbox; nothing else imports it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import Settings, SettingsError, load_settings
from pythia import predict_cli, sentiment_cli
from pythia.logs import setup_logging

if TYPE_CHECKING:
    from workers.sources.base import MarketSource

log = logging.getLogger("pythia")


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def _migrate(settings: Settings) -> None:
    from db.migrate import upgrade

    upgrade(settings.resolved_database_url)


async def _check_migrated(settings: Settings) -> None:
    from db.engine import create_engine
    from db.migrate import ensure_migrated

    engine = create_engine(settings.resolved_database_url)
    try:
        await ensure_migrated(engine, settings.resolved_database_url)
    finally:
        await engine.dispose()


def _settle_garbage_collector() -> None:
    """Move everything built at start-up out of the collector's sight: full collections then
    walk only what requests create, which keeps their pauses out of reply latency."""
    gc.collect()
    gc.freeze()


async def _serve_bot(settings: Settings) -> None:
    from bot.app import BotRuntime, build_application
    from pythia.observe import metrics_endpoint, sampler

    await _check_migrated(settings)
    assert settings.bot_token is not None
    runtime = BotRuntime(build_application(settings, token=settings.bot_token.get_secret_value()))
    await runtime.start()
    _settle_garbage_collector()
    endpoint = metrics_endpoint(
        settings.metrics_port, [sampler(runtime.app.bot_data.deps, bot=True)]
    )
    try:
        async with endpoint:
            await _until_signalled()
    finally:
        await runtime.stop()


async def _serve_workers(settings: Settings) -> None:
    from pythia.observe import metrics_endpoint, sampler
    from services.deps import build_deps, close_deps
    from workers.runtime import WorkerRuntime

    await _check_migrated(settings)
    clock = _market_clock(settings)
    deps = None if clock is None else await build_deps(settings, clock)
    runtime = WorkerRuntime(settings, deps=deps)
    try:
        running = await runtime.start()
        endpoint = metrics_endpoint(
            settings.worker_metrics_port, [sampler(running, workers=running)]
        )
        try:
            async with endpoint:
                await _until_signalled()
        finally:
            await runtime.stop()
    finally:
        if deps is not None:
            await close_deps(deps)


def _market_clock(settings: Settings):
    """The replay's clock when the market is the replay (it starts when the process does), else
    None: the system clock."""
    if settings.resolved_market_source != "replay":
        return None
    from workers.sources.replay import load_series, replay_clock

    return replay_clock(load_series(), settings.replay_speed)


async def _serve_all(settings: Settings, chat: bool) -> None:
    """Bot and workers in one event loop sharing one Deps; the sandbox when there is no token."""
    from bot.app import BotRuntime, build_application
    from pythia.observe import metrics_endpoint, sampler
    from services.deps import build_deps, close_deps
    from workers.runtime import WorkerRuntime

    clock = _market_clock(settings)
    async with contextlib.AsyncExitStack() as stack:
        deps = await build_deps(settings, clock)
        stack.push_async_callback(close_deps, deps)
        workers = WorkerRuntime(settings, deps=deps)
        running = await workers.start()
        stack.push_async_callback(workers.stop)
        both = sampler(deps, bot=True, workers=running)  # one endpoint for both
        await stack.enter_async_context(metrics_endpoint(settings.metrics_port, [both]))
        if settings.sandbox:
            from bot.sandbox import Sandbox

            sandbox = Sandbox(settings, deps)
            await sandbox.start()
            stack.push_async_callback(sandbox.stop)
            if chat:
                await sandbox.chat_until(_until_signalled())
                return
            print(
                f"Sandbox: emulator at {sandbox.emulator_url}; talk to the bot with "
                f"`pythia chat --emulator {sandbox.emulator_url}`",
                flush=True,
            )
        else:
            assert settings.bot_token is not None
            token = settings.bot_token.get_secret_value()
            runtime = BotRuntime(build_application(settings, token=token, deps=deps))
            await runtime.start()
            # side by side: each has its grace, and the process is gone within ten seconds
            stack.push_async_callback(asyncio.gather, runtime.stop(), workers.stop())
        _settle_garbage_collector()
        await _until_signalled()


class BadInput(Exception):
    """What a person typed cannot work; the message says what would (exit code 2)."""


def _quiet_alembic() -> None:
    """A one-off command's output is for a person: Alembic's INFO lines would bury it."""
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _parse_time(text: str, option: str) -> datetime:
    """A date or date-time from the command line; UTC unless it says otherwise."""
    from core.dates import parse_iso
    from core.refusal import BadArgument

    try:
        return parse_iso(text, naive=UTC)
    except BadArgument:
        raise BadInput(
            f"{option} {text!r} is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)"
        ) from None


def _backfill_request(
    args: argparse.Namespace, now: datetime
) -> tuple[list[str], str, datetime, datetime | None]:
    """Symbols, timeframe, since and until, checked before anything is fetched or written."""
    from core.market import TIMEFRAMES

    if args.timeframe not in TIMEFRAMES:
        raise BadInput(
            f"--timeframe {args.timeframe!r} is not a timeframe; use one of {', '.join(TIMEFRAMES)}"
        )
    since = _parse_time(args.since, "--since")
    until = None if args.until is None else _parse_time(args.until, "--until")
    for option, when in (("--since", since), ("--until", until)):
        if when is not None and when > now:
            raise BadInput(f"{option} {when:%Y-%m-%d %H:%M} UTC is in the future")
    if until is not None and until <= since:
        raise BadInput("--until must be after --since")
    return [symbol.upper() for symbol in args.symbols], args.timeframe, since, until


async def _backfill(settings: Settings, args: argparse.Namespace) -> None:
    from services.deps import build_deps, close_deps
    from workers.backfill import backfill

    replay = settings.resolved_market_source == "replay"
    if replay and args.exchange is not None:
        raise BadInput("--exchange needs MARKET_SOURCE=ccxt (the offline replay has no exchanges)")
    clock = None
    if replay:  # the sandbox's market, on the clock `pythia run` would use
        from workers.sources.replay import load_series, replay_clock

        clock = replay_clock(load_series(), settings.replay_speed)
    symbols, timeframe, since, until = _backfill_request(
        args, clock.now() if clock else datetime.now(UTC)
    )
    source: MarketSource
    if clock is not None:
        from workers.sources.replay import ReplaySource

        source = ReplaySource(clock)
    else:
        from workers.sources.ccxt_source import CcxtSource

        try:
            source = CcxtSource(args.exchange or settings.exchanges[0])
        except ValueError as exc:  # an exchange id ccxt does not know
            raise BadInput(str(exc)) from None
    try:
        _quiet_alembic()
        await _check_migrated(settings)
        await source.start()
        unlisted = [symbol for symbol in symbols if source.market_for(symbol) is None]
        if unlisted:
            raise BadInput(f"{source.name} does not list {', '.join(unlisted)}")
        deps = await build_deps(settings, clock)
        try:
            summary = await backfill(
                deps, source, symbols, timeframe, since, until, progress=sys.stderr.isatty()
            )
        finally:
            await close_deps(deps)
    finally:
        await source.close()
    for done in summary.assets:
        got = (
            f"{done.fetched:,} candles {done.first:%Y-%m-%d %H:%M} → {done.last:%Y-%m-%d %H:%M} UTC"
            if done.first and done.last
            else "no candles in that period"
        )
        print(f"{summary.exchange} {done.market} {timeframe}: {got}, {done.written:,} written")


async def _import_candles(settings: Settings, args: argparse.Namespace) -> None:
    from services.deps import build_deps, close_deps
    from workers.candle_files import CandleFileError, ImportOptions, check_files, import_checked

    shown = sys.stderr.isatty()
    try:
        options = ImportOptions.given(
            args.exchange, args.pair, args.market, args.timeframe, args.tz, args.track
        )
        files = check_files(args.files, options, progress=shown)  # all, before any is written
    except CandleFileError as exc:
        raise BadInput(str(exc)) from None
    _quiet_alembic()
    await _check_migrated(settings)
    deps = await build_deps(settings)
    try:
        for file in files:  # each file is all or nothing; say what went in as it does
            try:
                done = await import_checked(deps, file, options.track, progress=shown)
            except CandleFileError as exc:  # it disagrees with what is stored: nothing written
                raise BadInput(str(exc)) from None
            series = file.series
            followed = "followed live" if done.tracked else "not followed live (--track follows it)"
            print(
                f"{file.path.name}: {series.exchange} {series.pair.symbol} {series.pair.kind} "
                f"{series.timeframe}, {done.read:,} candles read, {done.written:,} written; "
                f"{series.pair.base} {followed}",
                flush=True,
            )
    finally:
        await close_deps(deps)


async def _health(settings: Settings, component: str) -> bool:
    from db.cache import create_cache
    from db.heartbeat import alive

    cache = create_cache(settings.redis_url)
    try:
        return await alive(cache, component)
    finally:
        await cache.close()


async def _chat(url: str) -> None:
    from bot.chat import attach

    await attach(url)


def main(argv: list[str] | None = None) -> int:
    # PTB 22 is moving `RetryAfter.retry_after` to a timedelta; opt in now, quietly.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    parser = argparse.ArgumentParser(prog="pythia", description="Pythia, a crypto-market bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="bot and workers in one process (the sandbox without a token)")
    run.add_argument("--no-chat", action="store_true", help="sandbox without the terminal chat")
    sub.add_parser("bot", help="the Telegram bot process")
    sub.add_parser("workers", help="the background workers process")
    sub.add_parser("migrate", help="upgrade the database to the latest schema")
    health = sub.add_parser("health", help="exit 0 if the component beat in the last minute")
    health.add_argument("component", choices=["bot", "workers"])
    chat = sub.add_parser("chat", help="a terminal chat with a running sandbox")
    chat.add_argument("--emulator", default="http://127.0.0.1:8081", help="emulator URL")
    fill = sub.add_parser("backfill", help="fetch past candles of assets into the database")
    fill.add_argument("symbols", nargs="+", metavar="SYMBOL", help="assets, e.g. BTC ETH")
    fill.add_argument("--timeframe", default="1h", help="1m, 5m, 15m, 1h, 4h or 1d (default 1h)")
    fill.add_argument("--since", required=True, help="first day, YYYY-MM-DD (UTC)")
    fill.add_argument("--until", help="stop before this day (default: now)")
    fill.add_argument("--exchange", help="ccxt exchange id (default: the first of EXCHANGES)")
    candles = sub.add_parser(
        "import-candles",
        help="import candle files (Binance and Bybit klines, yfinance, time,open,high,…)",
        description="Exchange, pair, market and timeframe come from each file's content where "
        "it says them, else from these options (the same for every file given); a file's name "
        "is never read. Every file is checked before any is written.",
    )
    candles.add_argument("files", nargs="+", metavar="FILE", type=Path)
    candles.add_argument("--exchange", help="where the candles are from: binance, bybit, …")
    candles.add_argument("--pair", help="BTC/USDT (a perpetual: BTC/USDT:USDT)")
    candles.add_argument("--market", help="spot or perp (a perpetual swap)")
    candles.add_argument("--timeframe", help="1m, 5m, 15m, 1h, 4h or 1d (checked against the file)")
    candles.add_argument("--tz", help="the zone of times written without an offset, e.g. UTC")
    candles.add_argument(
        "--track", action="store_true", help="have the workers follow the coin live afterwards"
    )
    sentiment_cli.register(sub)
    predict_cli.register(sub)
    args = parser.parse_args(argv)
    if args.command in sentiment_cli.COMMANDS:  # needs no settings, database or cache
        return sentiment_cli.run(args)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2

    interactive = (
        args.command == "run" and settings.sandbox and not args.no_chat and sys.stdin.isatty()
    )
    setup_logging(settings, settings.data_dir / "pythia.log" if interactive else None)
    if args.command in predict_cli.COMMANDS:  # a pool of processes and a progress bar
        return predict_cli.run(settings, args)
    try:
        if args.command == "migrate":
            _migrate(settings)
            print(f"Database at {settings.resolved_database_url} is up to date.")
        elif args.command == "run":
            _migrate(settings)  # one person self-hosting: no separate step to forget
            asyncio.run(_serve_all(settings, chat=interactive))
        elif args.command == "bot":
            if settings.sandbox:
                print(
                    "Setting BOT_TOKEN: expected a token for `pythia bot` "
                    "(use `pythia run` for the offline sandbox)",
                    file=sys.stderr,
                )
                return 2
            asyncio.run(_serve_bot(settings))
        elif args.command == "workers":
            asyncio.run(_serve_workers(settings))
        elif args.command == "health":
            if not settings.redis_url:
                print(
                    "pythia health: needs REDIS_URL (processes share nothing else)", file=sys.stderr
                )
                return 1
            ok = asyncio.run(_health(settings, args.component))
            print(f"{args.component}: {'alive' if ok else 'no heartbeat in the last minute'}")
            return 0 if ok else 1
        elif args.command == "chat":
            asyncio.run(_chat(args.emulator))
        elif args.command == "backfill":
            asyncio.run(_backfill(settings, args))
        elif args.command == "import-candles":
            asyncio.run(_import_candles(settings, args))
    except KeyboardInterrupt:
        return 130
    except BadInput as exc:
        print(f"pythia {args.command}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from db.migrate import NotMigrated
        from workers.sources.base import SourceError

        if isinstance(exc, NotMigrated | OSError | ConnectionError | SourceError):
            print(f"pythia {args.command}: {exc}", file=sys.stderr)
            return 1
        raise
    return 0
