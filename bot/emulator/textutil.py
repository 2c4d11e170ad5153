"""Text helpers shared by the HTML parser and the server.

Telegram measures text in UTF-16 code units (entity offsets, the 4096 limit), so every length in
the emulator goes through ``utf16_len``. ``detect_entities`` finds the entities Telegram adds on
its own (commands, mentions, hashtags, cashtags, URLs, e-mails) so injected user messages look
like the ones a real client produces and PTB's CommandHandler / filters behave the same.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]

# Telegram trims these from both ends of a message after parsing entities.
_TRIM_CHARS = " \t\r\n\v\f\u00a0\u2028\u2029"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: characters outside the BMP (most emoji) count as 2."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_offset(text: str, index: int) -> int:
    """UTF-16 offset of the Python string index ``index``."""
    return utf16_len(text[:index])


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring addressed by a UTF-16 (offset, length) pair, as in entities."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip surrounding whitespace like Telegram does, shifting/clipping entities to match."""
    stripped_left = text.lstrip(_TRIM_CHARS)
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip(_TRIM_CHARS)
    total = utf16_len(result)
    fixed: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return result, fixed


# Order matters only for readability; overlaps are resolved in ``detect_entities``.
_AUTO_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("url", re.compile(r"(?<![\w@/])(?:https?://|tg://)[^\s<>\"']+", re.IGNORECASE)),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("bot_command", re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{1,8}(?![A-Za-z0-9_])")),
]


def detect_entities(text: str) -> list[Entity]:
    """Entities Telegram detects by itself in any message text (first match wins on overlap)."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":  # trailing punctuation is not part of a link in Telegram either
                while end > start and text[end - 1] in ".,;:!?)]}":
                    end -= 1
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.append((start, end, kind))
    found.sort()
    return [
        {
            "type": kind,
            "offset": utf16_offset(text, start),
            "length": utf16_len(text[start:end]),
        }
        for start, end, kind in found
    ]


def merge_auto_entities(text: str, entities: list[Entity]) -> list[Entity]:
    """Add auto-detected entities that do not collide with code, pre or links the sender set."""
    opaque = {"code", "pre", "text_link", "text_mention", "custom_emoji"}
    blocked = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in opaque]
    extra = [
        e
        for e in detect_entities(text)
        if not any(
            e["offset"] < end and start < e["offset"] + e["length"] for start, end in blocked
        )
    ]
    return sort_entities([*entities, *extra])


# TDLib sorts entities by offset, then longer first, then by a fixed type priority.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))
