"""Where the news job gets its feeds: the configured publishers' feeds, or in the sandbox the
bundled ones served locally (workers.news.sandbox); and the HTTP session to fetch them."""

from __future__ import annotations

import aiohttp

from core.clock import Clock
from core.news.feeds import FeedSpec, parse_feeds
from core.settings import Settings
from workers.news.fetch import FetchLimits
from workers.news.sandbox import FeedServer, sandbox_feeds

CONNECTIONS = 32  # open at once, over all feeds
PER_HOST = 4  # to one host (the sandbox's server is one host)


class NewsSources:
    """The feeds, one HTTP session for all of them, and the local server when there is one."""

    def __init__(
        self,
        feeds: list[FeedSpec],
        server: FeedServer | None = None,
        limits: FetchLimits | None = None,
        concurrency: int = 8,
    ) -> None:
        self.feeds = feeds
        self.server = server
        self.limits = limits or FetchLimits()
        self.concurrency = concurrency  # feeds fetched at once
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """Made on first use, inside the event loop that uses it."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=CONNECTIONS, limit_per_host=PER_HOST)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    @classmethod
    async def start(cls, settings: Settings, clock: Clock) -> NewsSources:
        """The configured feeds; in the sandbox, the bundled ones on a local server."""
        if settings.resolved_news_source == "replay":
            server = sandbox_feeds(clock)
            await server.start()
            return cls(server.feeds(), server)
        return cls(parse_feeds(settings.news_feeds))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self.server is not None:
            await self.server.stop()
