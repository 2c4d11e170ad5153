"""Small pieces every renderer uses: escaping, clipping what people typed."""

from __future__ import annotations

import re
from html import escape, unescape

MAX_MESSAGE = 4096
MAX_CAPTION = 1024
TAG = re.compile(r"<[^>]+>")


def e(text: object) -> str:
    """HTML-escape anything that came from a person or an outside source."""
    return escape(str(text), quote=False)


def clip(text: str, limit: int = 24) -> str:
    """Echo at most `limit` characters of what someone typed."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(html: str) -> str:
    """A line of HTML as plain text (a press's alert, or a caption's length, shows no tags)."""
    return unescape(TAG.sub("", html))


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is often two)."""
    return len(text.encode("utf-16-le")) // 2


def fit(text: str, limit: int = MAX_MESSAGE) -> str:
    """Make sure a rendered message fits Telegram's limit, cutting at a line break.

    Renderers keep every tag inside one line, so cutting between lines keeps the HTML whole.
    """
    if telegram_length(text) <= limit:
        return text
    lines, total = [], 2
    for line in text.split("\n"):
        total += telegram_length(line) + 1
        if total > limit:
            break
        lines.append(line)
    return "\n".join(lines) + "\n…"
