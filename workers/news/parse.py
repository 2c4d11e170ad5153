"""Feed bytes to items with feedparser. Blocking and CPU-bound: callers run it off the event
loop (`parse_off_loop`). feedparser reads RSS 0.9x/1.0/2.0 and Atom, finds the encoding from
the HTTP header, the XML declaration and the bytes, and recovers what it can of a broken feed;
a body it gets nothing from is `Failed("malformed")` or `Failed("not_a_feed")`."""

from __future__ import annotations

import asyncio
import calendar
import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from core.news.feeds import Failed, FeedItem, Fetched

MAX_ITEMS = 200  # a feed lists its latest few dozen; more is a feed gone wrong


def _when(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed: time.struct_time | None = entry.get(key)
        if parsed is not None:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError):
                return None
    return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_items(fetched: Fetched) -> list[FeedItem] | Failed:
    """The items of a fetched feed, newest as listed, or why there are none to read."""
    headers = {"content-type": fetched.content_type} if fetched.content_type else {}
    try:
        parsed = feedparser.parse(
            fetched.body,
            response_headers=headers,
            sanitize_html=False,  # the summary is reduced to plain text anyway
            resolve_relative_uris=False,
        )
    except Exception:  # feedparser catches most; anything else is a body it cannot read
        return Failed("malformed")
    entries = parsed.get("entries") or []
    if not entries:
        if not parsed.get("version"):
            return Failed("not_a_feed")  # an HTML page, an error page, nothing at all
        return Failed("malformed") if parsed.get("bozo") else []
    items = []
    for entry in entries[:MAX_ITEMS]:
        link = _text(entry.get("link"))
        items.append(
            FeedItem(
                title=_text(entry.get("title")),
                link=link,
                guid=_text(entry.get("id")) or None,
                published_at=_when(entry),
                summary=_text(entry.get("summary")),
            )
        )
    if parsed.get("bozo") and not any(i.title and (i.link or i.guid) for i in items):
        return Failed("malformed")  # broken, and nothing readable recovered from it
    return items


async def parse_off_loop(fetched: Fetched) -> list[FeedItem] | Failed:
    """`parse_items` on a worker thread, so the event loop keeps serving."""
    return await asyncio.to_thread(parse_items, fetched)
