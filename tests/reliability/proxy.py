"""A round-robin reverse proxy in front of the bot replicas' webhooks: HAProxy when the machine
has it (`apt-get install haproxy`), else a small aiohttp one with the same behaviour (each post
to the next replica in turn; a replica that refuses the connection is skipped; no answer from
a replica is a 502 to Telegram, which posts the update again).

`served()` says how many posts each replica answered (HAProxy's stats, or the counters here).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.ports import free_port

HAPROXY_CONFIG = """global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 70s
    timeout server 70s
    retries 3
    option redispatch 1
    retry-on conn-failure
frontend hooks
    bind 127.0.0.1:{front}
    default_backend bots
backend bots
    balance roundrobin
{servers}
listen stats
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /stats
"""


async def _listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


@dataclass
class Proxy:
    url: str  # where Telegram (the emulator) posts
    kind: str  # "haproxy" or "aiohttp"
    stats_port: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    async def served(self) -> dict[str, int]:
        """Posts each replica answered, by replica (b0, b1, ...)."""
        if self.kind != "haproxy":
            return dict(self.counts)
        url = f"http://127.0.0.1:{self.stats_port}/stats;csv"
        async with aiohttp.ClientSession() as session, session.get(url) as answer:
            text = await answer.text()
        rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
        return {
            row["svname"]: int(row["stot"])
            for row in rows
            if row["pxname"] == "bots" and row["svname"].startswith("b")
        }


def _start_haproxy(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:  # the process keeps its own copy of the descriptor
        return subprocess.Popen(["haproxy", "-db", "-f", str(config)], stderr=out, stdout=out)


@contextlib.asynccontextmanager
async def round_robin(ports: list[int], path: str, data_dir: Path) -> AsyncIterator[Proxy]:
    """A proxy posting to 127.0.0.1:`ports` in turn, on a free port of its own."""
    front = free_port()
    if shutil.which("haproxy"):
        stats = free_port()
        servers = "\n".join(
            f"    server b{i} 127.0.0.1:{port} check inter 500 fall 1 rise 1"
            for i, port in enumerate(ports)
        )
        config = data_dir / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(front=front, stats=stats, servers=servers))
        proc = _start_haproxy(config, data_dir / "haproxy.stderr")
        try:
            await _listening(front)
            yield Proxy(f"http://127.0.0.1:{front}/{path}", "haproxy", stats)
        finally:
            proc.terminate()
            proc.wait(10)
        return
    proxy = Proxy(f"http://127.0.0.1:{front}/{path}", "aiohttp")
    turn = 0

    async def forward(request: web.Request) -> web.Response:
        nonlocal turn
        body, headers = (
            await request.read(),
            {
                k: v
                for k, v in request.headers.items()
                if k.lower() not in ("host", "content-length")
            },
        )
        for _ in ports:  # the next replica that takes the connection
            index, turn = turn % len(ports), turn + 1
            url = f"http://127.0.0.1:{ports[index]}/{path}"
            try:
                async with session.post(url, data=body, headers=headers) as answer:
                    proxy.counts[f"b{index}"] = proxy.counts.get(f"b{index}", 0) + 1
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientConnectorError:
                continue
            except aiohttp.ClientError:
                return web.Response(status=502)
        return web.Response(status=503)

    app = web.Application()
    app.router.add_post("/" + path, forward)
    runner = web.AppRunner(app, access_log=None)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=70)) as session:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", front).start()
        try:
            yield proxy
        finally:
            await runner.cleanup()
