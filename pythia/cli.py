"""`pythia`: the one entry point. Composes bot, workers and sandbox; nothing else imports it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from pathlib import Path

from core.settings import Settings, SettingsError, load_settings

log = logging.getLogger("pythia")


def _setup_logging(settings: Settings, to_file: Path | None = None) -> None:
    handlers: list[logging.Handler] = []
    if to_file is not None:  # the terminal belongs to the chat; logs go to a file
        to_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(to_file, encoding="utf-8"))
    else:
        handlers.append(logging.StreamHandler(sys.stderr))
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    for noisy in ("httpx", "apscheduler.executors.default", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


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

    await _check_migrated(settings)
    assert settings.bot_token is not None
    runtime = BotRuntime(build_application(settings, token=settings.bot_token.get_secret_value()))
    await runtime.start()
    _settle_garbage_collector()
    try:
        await _until_signalled()
    finally:
        await runtime.stop()


async def _serve_workers(settings: Settings) -> None:
    from workers.runtime import WorkerRuntime

    await _check_migrated(settings)
    runtime = WorkerRuntime(settings)
    await runtime.start()
    try:
        await _until_signalled()
    finally:
        await runtime.stop()


async def _serve_all(settings: Settings, chat: bool) -> None:
    """Bot and workers in one event loop sharing one Deps; the sandbox when there is no token."""
    from bot.app import BotRuntime, build_application
    from db.deps import build_deps, close_deps
    from workers.runtime import WorkerRuntime

    clock = None
    if settings.resolved_market_source == "replay":
        from workers.sources.replay import load_series, replay_clock

        clock = replay_clock(load_series(), settings.replay_speed)
    async with contextlib.AsyncExitStack() as stack:
        deps = await build_deps(settings, clock)
        stack.push_async_callback(close_deps, deps)
        workers = WorkerRuntime(settings, deps=deps)
        await workers.start()
        stack.push_async_callback(workers.stop)
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
            stack.push_async_callback(runtime.stop)
        _settle_garbage_collector()
        await _until_signalled()


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
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2

    interactive = (
        args.command == "run" and settings.sandbox and not args.no_chat and sys.stdin.isatty()
    )
    _setup_logging(settings, settings.data_dir / "pythia.log" if interactive else None)
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
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from db.migrate import NotMigrated

        if isinstance(exc, NotMigrated | OSError | ConnectionError):
            print(f"pythia {args.command}: {exc}", file=sys.stderr)
            return 1
        raise
    return 0
