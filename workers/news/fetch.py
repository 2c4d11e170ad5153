"""One feed fetched over HTTP, as a well-behaved reader does it: conditional GET (the ETag and
Last-Modified it gave last time), time-outs to connect and between bytes and overall, at most
`max_redirects` redirects, and no more than `max_bytes` read (the body is dropped past it).
Every way it can go wrong ends as a `Failed` with a reason code, never an exception: a bad
feed costs that feed a cycle, nothing else."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import aiohttp

from core.news.feeds import Failed, Fetched, NotModified, Outcome

log = logging.getLogger(__name__)

USER_AGENT = "Pythia/0.1 (crypto news reader; RSS)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How long and how much one feed may take. A feed is a few hundred KB at most."""

    connect: float = 10.0  # seconds to connect
    read: float = 20.0  # seconds without a byte
    total: float = 45.0  # seconds for the whole fetch
    max_bytes: int = 2 * 1024 * 1024  # read no further than this
    max_redirects: int = 5


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (then from now)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    from datetime import UTC, datetime

    if when.tzinfo is None:
        return None
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


async def fetch_feed(
    session: aiohttp.ClientSession,
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    limits: FetchLimits = FetchLimits(),
) -> Outcome:
    """GET `url` with the validators given; what came back, or why nothing usable did."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = aiohttp.ClientTimeout(
        total=limits.total, sock_connect=limits.connect, sock_read=limits.read
    )
    try:
        async with session.get(
            url, headers=headers, timeout=timeout, max_redirects=limits.max_redirects
        ) as response:
            if response.status == 304:
                return NotModified()
            if response.status != 200:
                wait = _retry_after(response.headers.get("Retry-After"))
                return Failed(f"http_{response.status}", wait)
            declared = response.content_length
            if declared is not None and declared > limits.max_bytes:
                return Failed("too_large")
            body = bytearray()
            async for chunk in response.content.iter_chunked(CHUNK):
                body += chunk
                if len(body) > limits.max_bytes:
                    return Failed("too_large")  # leaving the block closes the connection
            return Fetched(
                bytes(body),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
                response.headers.get("Content-Type"),
            )
    except aiohttp.TooManyRedirects:
        return Failed("too_many_redirects")
    except TimeoutError:
        return Failed("timeout")
    except aiohttp.InvalidURL:
        return Failed("bad_url")
    except (aiohttp.ClientError, OSError, ValueError, UnicodeError) as exc:
        log.debug("feed %s: %s: %s", url, type(exc).__name__, exc)
        return Failed("connection")
    except asyncio.CancelledError:
        raise
