"""The sandbox's news: bundled real feeds served over real local HTTP, so the sandbox's news
goes through the same fetch, conditional GET, parse, dedupe and tagging as the publishers'.

Two kinds of feed (data/news/README.md): the four RSS snapshots, served byte for byte; and
one RSS 2.0 feed per publisher of the bundled headlines, played forward on the replay clock
as the candles are — each lists, newest first, the items whose date (moved so that
`HISTORY` of them is already out when the server starts) has passed. Both answer a
conditional GET with 304 when nothing changed.
"""

from __future__ import annotations

import csv
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from aiohttp import web

from core.clock import Clock
from core.news.feeds import FeedSpec

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "news"
HISTORY = timedelta(days=3)  # of headlines already published when the sandbox starts
ITEMS = 30  # a feed lists its latest this many
SNAPSHOTS = {  # file -> publisher
    "coindesk_2026-09-25.xml": "CoinDesk",
    "cointelegraph_2026-09-30_excerpt.xml": "Cointelegraph",
    "decrypt_2026-10-03_excerpt.xml": "Decrypt",
    "bitcoinmagazine_2026-10-02_excerpt.xml": "Bitcoin Magazine",
}
PUBLISHERS = {"CoinTelegraph": "Cointelegraph"}  # the data set's spelling -> the feeds'


@dataclass(frozen=True, slots=True)
class Headline:
    published_at: datetime
    publisher: str
    title: str
    url: str
    summary: str


@functools.cache  # read once per process: the file never changes while it runs
def load_headlines(path: Path = DATA_DIR / "headlines.csv") -> tuple[Headline, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Headline(
                datetime.fromisoformat(row["published"]).astimezone(UTC),
                PUBLISHERS.get(row["source"], row["source"]),
                row["title"],
                row["url"],
                row["summary"],
            )
            for row in csv.DictReader(handle)
        )


def rss(title: str, link: str, items: Sequence[Headline], shift: timedelta) -> bytes:
    """An RSS 2.0 document of `items` (dated `shift` later than they were)."""
    entries = "".join(
        "<item>"
        f"<title>{escape(h.title)}</title>"
        f"<link>{escape(h.url)}</link>"
        f'<guid isPermaLink="false">{escape(h.url)}</guid>'
        f"<pubDate>{format_datetime(h.published_at + shift, usegmt=True)}</pubDate>"
        f"<description>{escape(h.summary)}</description>"
        "</item>"
        for h in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(link)}</link>"
        f"<description>{escape(title)} (Pythia sandbox)</description>{entries}"
        "</channel></rss>"
    ).encode()


Document = Callable[[], tuple[bytes, datetime | None]]  # body, and when it last changed


class FeedServer:
    """Feeds at /feeds/NAME.xml on 127.0.0.1, each a publisher's."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.started = clock.now()
        self._documents: dict[str, tuple[str, Document]] = {}  # name -> (publisher, document)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.requests = 0

    def add_snapshot(self, name: str, publisher: str, path: Path) -> None:
        body = path.read_bytes()
        self._documents[name] = (publisher, lambda: (body, None))

    def add_headlines(
        self,
        name: str,
        publisher: str,
        items: Sequence[Headline],
        origin: datetime | None = None,
    ) -> None:
        """A feed of `items` played forward: those of the first `HISTORY` after `origin` (by
        default the first item's date) are out at the start."""
        ordered = sorted(items, key=lambda h: h.published_at)
        if not ordered:
            return
        shift = self.started - ((origin or ordered[0].published_at) + HISTORY)

        def document() -> tuple[bytes, datetime | None]:
            now = self.clock.now()
            out = [h for h in ordered if h.published_at + shift <= now][-ITEMS:][::-1]
            changed = out[0].published_at + shift if out else None
            return rss(publisher, f"https://{name}.example", out, shift), changed

        self._documents[name] = (publisher, document)

    def feeds(self) -> list[FeedSpec]:
        return [
            FeedSpec(publisher, f"{self.url}/feeds/{name}.xml")
            for name, (publisher, _) in self._documents.items()
        ]

    async def _serve(self, request: web.Request) -> web.Response:
        self.requests += 1
        found = self._documents.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound()
        body, changed = found[1]()
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20] + '"'
        headers = {"ETag": etag}
        if changed is not None:
            headers["Last-Modified"] = format_datetime(changed.astimezone(UTC), usegmt=True)
        if request.headers.get("If-None-Match") == etag or _not_modified_since(
            request.headers.get("If-Modified-Since"), changed
        ):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, headers=headers, content_type="application/rss+xml")

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/feeds/{name}.xml", self._serve)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _not_modified_since(header: str | None, changed: datetime | None) -> bool:
    if not header or changed is None:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    return since.tzinfo is not None and changed.replace(microsecond=0) <= since


def sandbox_feeds(clock: Clock) -> FeedServer:
    """The sandbox's feeds: the four snapshots and one played-forward feed per publisher."""
    server = FeedServer(clock)
    for file, publisher in SNAPSHOTS.items():
        server.add_snapshot(file.split("_")[0], publisher, DATA_DIR / "rss" / file)
    headlines = load_headlines()
    origin = min(h.published_at for h in headlines)  # one clock for every publisher
    by_publisher: dict[str, list[Headline]] = {}
    for headline in headlines:
        by_publisher.setdefault(headline.publisher, []).append(headline)
    for publisher, items in by_publisher.items():
        server.add_headlines(publisher.lower() + "-replay", publisher, items, origin)
    return server
