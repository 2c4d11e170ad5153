"""Run the emulator standalone: ``python -m bot.emulator --port 8081 --no-flood-limits``.

Prints the Bot API base URL (for PTB's ``base_url``), the file URL and the control API URL, then
serves until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from bot.emulator.emulator import DEFAULT_FLOOD_LIMITS, DEFAULT_TOKEN, Emulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="pythia_bot")
    parser.add_argument("--bot-name", default="Pythia")
    parser.add_argument("--no-flood-limits", action="store_true", help="disable 429 emulation")
    parser.add_argument(
        "--no-privacy-mode", action="store_true", help="deliver all group messages to the bot"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    emulator = Emulator(
        token=args.token,
        bot_username=args.bot_username,
        bot_name=args.bot_name,
        privacy_mode=not args.no_privacy_mode,
        flood_limits=None if args.no_flood_limits else DEFAULT_FLOOD_LIMITS,
    )
    await emulator.start(args.host, args.port)
    print(f"base_url={emulator.base_url}", flush=True)
    print(f"base_file_url={emulator.base_file_url}", flush=True)
    print(f"control_url={emulator.control_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not available on Windows
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emulator.stop()


def main(argv: list[str] | None = None) -> None:
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
