"""`pythia run` without a token: the offline sandbox, as `make run` starts it."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import signal
import sys
from pathlib import Path

from bot.emulator import EmulatorClient

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL", "SYMBOLS")
    }
    env["DATA_DIR"] = str(tmp_path / "var")
    return env


async def test_pythia_run_serves_prices_offline(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pythia",
        "run",
        "--no-chat",
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30):
            while True:
                line = (await proc.stdout.readline()).decode()
                assert line, (await proc.stderr.read()).decode()[-2000:]
                if match := re.search(r"emulator at (http://\S+);", line):
                    break
        async with EmulatorClient(match.group(1)) as client:
            me = await client.add_user("Tester", "tester")
            sent = await client.send_message(me, "/price BTC")
            (reply,) = await client.wait_for_bot_messages(me, after=sent, timeout=10)
        assert reply.text.startswith("BTC ") and "USDT" in reply.text and "replay" in reply.text
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0
    assert (tmp_path / "var" / "pythia.sqlite3").exists()


def test_the_terminal_chat_shows_replies(tmp_path: Path) -> None:
    """A real pseudo-terminal: type /price BTC, read the answer, leave with :quit."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: pythia run in the sandbox, on a terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "pythia", "run"], _env(tmp_path))
    output = b""

    def read_until(marker: bytes, limit: float = 30) -> None:
        nonlocal output
        import select
        import time

        deadline = time.monotonic() + limit
        while marker not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break
        assert marker in output, output.decode(errors="replace")[-2000:]

    try:
        read_until(b"you> ")  # the sandbox opens the chat once the first prices are in
        os.write(fd, b"/price btc\r")
        read_until(b"Bitcoin \xc2\xb7 replay")
        os.write(fd, b":quit\r")
        read_until(b"Bye.")
    finally:
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    text = re.sub(r"\x1b\[[0-9;]*m", "", output.decode())
    assert re.search(r"Pythia: BTC [\d,]+\.\d\d USDT", text)


async def test_pythia_workers_alone_ingest_the_replay(tmp_path: Path) -> None:
    """`pythia workers` on the replay market (the default offline) runs on the replay's clock
    and stores prices, as `pythia run` does; SIGTERM stops it cleanly."""
    import sqlite3

    env = _env(tmp_path)
    migrate = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "pythia", "migrate", cwd=tmp_path, env=env
    )
    assert await asyncio.wait_for(migrate.wait(), 60) == 0
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pythia",
        "workers",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    database = tmp_path / "var" / "pythia.sqlite3"
    try:
        async with asyncio.timeout(30):
            while True:
                assert proc.returncode is None, (await proc.stderr.read()).decode()[-2000:]
                with sqlite3.connect(database) as db:
                    if db.execute("SELECT count(*) FROM latest_prices").fetchone()[0]:
                        break
                await asyncio.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 20)
    assert code == 0, (await proc.stderr.read()).decode()[-2000:]
