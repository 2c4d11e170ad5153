"""A publisher's web server gone wrong in every way a feed can, on loopback: each path is one
behaviour, and every request is recorded (path and the validators it carried)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web


@dataclass(frozen=True)
class Entry:
    title: str
    link: str
    guid: str | None = None
    published: datetime | None = None
    summary: str = ""


def rss(entries: list[Entry], encoding: str = "utf-8", declared: str = "utf-8") -> bytes:
    items = "".join(
        "<item>"
        f"<title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
        + (f'<guid isPermaLink="false">{escape(e.guid)}</guid>' if e.guid else "")
        + (f"<pubDate>{format_datetime(e.published, usegmt=True)}</pubDate>" if e.published else "")
        + f"<description>{escape(e.summary)}</description></item>"
        for e in entries
    )
    return (
        f'<?xml version="1.0" encoding="{declared}"?>\n<rss version="2.0"><channel>'
        f"<title>test</title><link>https://feeds.example</link><description>t</description>"
        f"{items}</channel></rss>"
    ).encode(encoding)


@dataclass
class Seen:
    path: str
    if_none_match: str | None
    if_modified_since: str | None


@dataclass
class BadFeeds:
    """`/feed/NAME` serves `feeds[NAME]` (bytes) with ETag and Last-Modified and answers 304
    to either validator; the other paths misbehave as their names say."""

    feeds: dict[str, bytes] = field(default_factory=dict)
    content_types: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    _runner: web.AppRunner | None = None
    _hanging: asyncio.Event = field(default_factory=asyncio.Event)

    def asked(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        self.seen.append(
            Seen(
                request.path,
                request.headers.get("If-None-Match"),
                request.headers.get("If-Modified-Since"),
            )
        )
        return await handler(request)

    async def _feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.feeds:
            raise web.HTTPNotFound()
        body = self.feeds[name]
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
        modified = "Sat, 05 Dec 2026 10:00:00 GMT"
        headers = {"ETag": etag, "Last-Modified": modified}
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        content_type = self.content_types.get(name, "application/rss+xml; charset=utf-8")
        headers["Content-Type"] = content_type
        return web.Response(body=body, headers=headers)

    async def _hang(self, request: web.Request) -> web.Response:
        await self._hanging.wait()  # until the server stops
        return web.Response(text="too late")

    async def _drip(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        await self._hanging.wait()  # then nothing more: a read that never ends
        return response

    async def _loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/loop?n={int(request.query.get('n', 0)) + 1}")

    async def _hop(self, request: web.Request) -> web.Response:
        hops = int(request.match_info["hops"])
        if hops == 0:
            raise web.HTTPFound("/feed/good")
        raise web.HTTPMovedPermanently(f"/hop/{hops - 1}")

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        """10 MB of a feed that goes on and on, sent chunked (no Content-Length to trust)."""
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        filler = b"<item><title>Bitcoin</title><link>https://feeds.example/x</link></item>" * 900
        sent = 0
        try:
            while sent < 10 * 1024 * 1024:
                await response.write(filler)
                sent += len(filler)
        except (ConnectionResetError, RuntimeError):
            pass  # the reader stopped reading, as it should
        return response

    async def _declared_huge(self, request: web.Request) -> web.Response:
        return web.Response(body=b"x" * (10 * 1024 * 1024), content_type="application/rss+xml")

    async def _status(self, request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        headers = {"Retry-After": request.query["retry"]} if "retry" in request.query else {}
        return web.Response(status=code, headers=headers, text="no")

    async def start(self) -> str:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/feed/{name}", self._feed)
        app.router.add_get("/hang", self._hang)
        app.router.add_get("/drip", self._drip)
        app.router.add_get("/loop", self._loop)
        app.router.add_get("/hop/{hops}", self._hop)
        app.router.add_get("/huge", self._huge)
        app.router.add_get("/declared-huge", self._declared_huge)
        app.router.add_get("/status/{code}", self._status)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        self._hanging.set()
        if self._runner is not None:
            await self._runner.cleanup()
