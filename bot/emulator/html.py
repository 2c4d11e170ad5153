"""Telegram-compatible parsing of ``parse_mode="HTML"`` text.

Telegram's HTML is not real HTML: a small fixed tag set, four named entities plus numeric ones,
and any stray ``<`` is an error. The scanner below follows the behaviour of Telegram's own parser
(byte offsets in error messages are UTF-8 byte offsets into the original text, exactly like the
real "can't parse entities" errors), so a message that fails here fails in production too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.emulator.textutil import Entity, merge_auto_entities, sort_entities, trim, utf16_len

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip

_SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip

_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACES = b" \t\r\n\v\f"
_DEC_DIGITS = b"0123456789"
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_ASCII_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAME_TOKEN = _DEC_DIGITS + _ASCII_LETTERS + b".-"


class ParseModeError(ValueError):
    """Raised for an unknown ``parse_mode`` value."""

    description = "Bad Request: unsupported parse_mode"


class EntityParseError(ValueError):
    """Raised for text Telegram would reject; ``description`` is the full API error text."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail

    @property
    def description(self) -> str:
        return f"Bad Request: can't parse entities: {self.detail}"


@dataclass
class ParsedText:
    text: str
    entities: list[Entity] = field(default_factory=list)

    @property
    def length(self) -> int:
        """Length as Telegram counts it (UTF-16 code units)."""
        return utf16_len(self.text)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_start: int
    byte_start: int  # position in the output buffer, to recover an <a> tag's own text


class _Scanner:
    """Byte-level scanner; ``peek`` returns 0 past the end like a C string terminator."""

    def __init__(self, raw: bytes):
        self.raw = raw
        self.pos = 0

    def peek(self, pos: int | None = None) -> int:
        pos = self.pos if pos is None else pos
        return self.raw[pos] if pos < len(self.raw) else 0

    def is_space(self, pos: int | None = None) -> bool:
        char = self.peek(pos)
        return char == 0 or char in _SPACES

    def skip_spaces(self) -> None:
        while self.pos < len(self.raw) and self.raw[self.pos] in _SPACES:
            self.pos += 1

    def decode_entity(self) -> str | None:
        """Decode ``&...;`` at ``pos`` (``;`` optional, as in Telegram); None if unsupported."""
        raw, start = self.raw, self.pos
        end = start + 1
        if self.peek(end) == ord("#"):
            end += 1
            is_hex = self.peek(end) == ord("x")
            end += 1 if is_hex else 0
            digits, base = (_HEX_DIGITS, 16) if is_hex else (_DEC_DIGITS, 10)
            number_start = end
            while end < len(raw) and raw[end] in digits:
                end += 1
            if end == number_start or end - start >= 10:
                return None
            code = int(raw[number_start:end], base)
            if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                return None
            char = chr(code)
        else:
            while end < len(raw) and raw[end] in _ASCII_LETTERS:
                end += 1
            named = _NAMED_ENTITIES.get(raw[start + 1 : end])
            if named is None:
                return None  # unknown named entities such as &nbsp; stay literal text
            char = named
        self.pos = end + 1 if self.peek(end) == ord(";") else end
        return char


def parse_html(text: str) -> ParsedText:
    """Parse Telegram HTML into plain text and Bot API entities, or raise EntityParseError."""
    scan = _Scanner(text.encode("utf-8"))
    raw = scan.raw
    out = bytearray()
    utf16 = 0
    entities: list[Entity] = []
    stack: list[_OpenTag] = []

    while scan.pos < len(raw):
        byte = raw[scan.pos]
        if byte == ord("&"):
            char = scan.decode_entity()
            if char is not None:
                out += char.encode("utf-8")
                utf16 += utf16_len(char)
                continue
        if byte != ord("<"):
            if byte & 0xC0 != 0x80:  # first byte of a UTF-8 sequence
                utf16 += 2 if byte >= 0xF0 else 1
            out.append(byte)
            scan.pos += 1
            continue

        begin = scan.pos
        scan.pos += 1
        if scan.peek() != ord("/"):
            stack.append(_read_start_tag(scan, begin, utf16, len(out)))
            scan.pos += 1  # past '>'
            continue

        # End tag.
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        while not scan.is_space() and scan.peek() != ord(">"):
            scan.pos += 1
        end_name = raw[begin + 2 : scan.pos].decode("utf-8", "replace").lower()
        scan.skip_spaces()
        if scan.peek() != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        scan.pos += 1
        tag = stack.pop()
        if end_name and end_name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", '
                f'found "</{end_name}>"'
            )
        if utf16 > tag.utf16_start:
            inner = out[tag.byte_start :].decode("utf-8", "replace")
            _close_entity(entities, tag, utf16 - tag.utf16_start, inner)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return ParsedText(out.decode("utf-8", "replace"), sort_entities(entities))


def _read_start_tag(scan: _Scanner, begin: int, utf16: int, out_len: int) -> _OpenTag:
    """Read ``<name attr="v" ...>`` starting after '<'; leaves ``scan.pos`` on the '>'."""
    raw = scan.raw
    while not scan.is_space() and scan.peek() != ord(">"):
        scan.pos += 1
    if scan.peek() == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
    name = raw[begin + 1 : scan.pos].decode("utf-8", "replace").lower()
    if name not in SUPPORTED_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')

    argument = ""
    while scan.peek() != ord(">"):
        scan.skip_spaces()
        if scan.peek() == ord(">"):
            break
        attr_start = scan.pos
        while not scan.is_space() and scan.peek() not in (ord("="), ord(">")):
            scan.pos += 1
        attr = raw[attr_start : scan.pos].decode("utf-8", "replace")
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{name}" at byte offset {begin}'
            )
        scan.skip_spaces()
        if scan.peek() != ord("="):
            if name == "blockquote" and attr == "expandable":
                argument = "expandable"
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                f"at byte offset {begin}"
            )
        scan.pos += 1
        scan.skip_spaces()
        if scan.peek() == 0:
            raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {begin}')
        value = _read_attribute_value(scan)
        if scan.peek() == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if name == "a" and attr == "href":
            argument = value
        elif name == "code" and attr == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif name == "span" and attr == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif name == "tg-emoji" and attr == "emoji-id":
            argument = value

    if name == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    return _OpenTag(name, argument, utf16, out_len)


def _read_attribute_value(scan: _Scanner) -> str:
    raw = scan.raw
    quote = scan.peek()
    if quote not in (ord("'"), ord('"')):
        # Unquoted "name token": letters, digits, '.', '-' only, case-insensitive.
        start = scan.pos
        while scan.pos < len(raw) and raw[scan.pos] in _NAME_TOKEN:
            scan.pos += 1
        if not scan.is_space() and scan.peek() != ord(">"):
            raise EntityParseError(f"Unexpected end of name token at byte offset {start}")
        return raw[start : scan.pos].decode("utf-8", "replace").lower()

    scan.pos += 1
    value = bytearray()
    while scan.peek() not in (quote, 0):
        if scan.peek() == ord("&"):
            char = scan.decode_entity()
            if char is not None:
                value += char.encode("utf-8")
                continue
        value.append(raw[scan.pos])
        scan.pos += 1
    if scan.peek() == quote:
        scan.pos += 1
    return value.decode("utf-8", "replace")


def _close_entity(entities: list[Entity], tag: _OpenTag, length: int, inner: str) -> None:
    offset = tag.utf16_start
    name = tag.name
    previous = entities[-1] if entities else None
    same_span = (
        previous is not None and previous["offset"] == offset and previous["length"] == length
    )
    if name in _SIMPLE_TYPES:
        entities.append({"type": _SIMPLE_TYPES[name], "offset": offset, "length": length})
    elif name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length,
             "custom_emoji_id": tag.argument}
        )  # fmt: skip
    elif name == "a":
        url = _checked_link(tag.argument or inner)
        if url:  # Telegram silently drops links it cannot accept
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif name == "pre":
        if (
            same_span
            and previous is not None
            and previous["type"] == "code"
            and previous.get("language")
        ):
            previous["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif name == "code":
        if same_span and previous is not None and previous["type"] == "pre" and tag.argument:
            previous["language"] = tag.argument
        else:
            entity: Entity = {"type": "code", "offset": offset, "length": length}
            if tag.argument:
                entity["language"] = tag.argument  # kept only until the enclosing </pre>
            entities.append(entity)
    elif name == "blockquote":
        kind = "expandable_blockquote" if tag.argument == "expandable" else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def _checked_link(url: str) -> str | None:
    """Normalise an href the way Telegram does, or None if Telegram would drop it."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    if "://" not in url and not url.startswith("tg:"):
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() in ("tg", "ton"):
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url if parts.path else url + "/"


MARKDOWN_MODES = frozenset({"markdown", "markdownv2"})


def parse_text(
    text: str, parse_mode: str | None, entities: list[Entity] | None = None
) -> ParsedText:
    """Apply a send/edit method's ``parse_mode``/``entities`` and Telegram's trimming.

    Markdown modes are accepted without validation (the emulator does not implement them), so
    the text is stored as sent.
    """
    if entities:
        parsed = ParsedText(text, [dict(e) for e in entities])
    elif not parse_mode:
        parsed = ParsedText(text)
    elif parse_mode.lower() == "html":
        parsed = parse_html(text)
    elif parse_mode.lower() in MARKDOWN_MODES:
        parsed = ParsedText(text)
    else:
        raise ParseModeError(parse_mode)
    plain, fixed = trim(parsed.text, parsed.entities)
    return ParsedText(plain, merge_auto_entities(plain, fixed))
