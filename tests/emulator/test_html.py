"""Telegram-HTML parsing: plain text, entities in UTF-16 units, and Telegram's exact errors."""

from __future__ import annotations

import pytest

from bot.emulator.html import EntityParseError, parse_html, parse_text

PREFIX = "Bad Request: can't parse entities: "


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>bold</b> and <i>it</i>", "bold and it",
         [{"type": "bold", "offset": 0, "length": 4},
          {"type": "italic", "offset": 9, "length": 2}]),
        ("<strong>s</strong><em>e</em><ins>u</ins><del>d</del><strike>k</strike>", "seudk",
         [{"type": "bold", "offset": 0, "length": 1}, {"type": "italic", "offset": 1, "length": 1},
          {"type": "underline", "offset": 2, "length": 1},
          {"type": "strikethrough", "offset": 3, "length": 1},
          {"type": "strikethrough", "offset": 4, "length": 1}]),
        ("&lt;3 &amp; &quot;q&quot; &#65;&#x42; &nbsp;", '<3 & "q" AB &nbsp;', []),
        ('<a href="https://example.com/x?a=1&amp;b=2">link</a>', "link",
         [{"type": "text_link", "offset": 0, "length": 4, "url": "https://example.com/x?a=1&b=2"}]),
        ('<pre><code class="language-python">print(1)</code></pre>', "print(1)",
         [{"type": "pre", "offset": 0, "length": 8, "language": "python"}]),
        ("<code>x</code>", "x", [{"type": "code", "offset": 0, "length": 1}]),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st",
         [{"type": "spoiler", "offset": 0, "length": 1},
          {"type": "spoiler", "offset": 1, "length": 1}]),
        ("<blockquote expandable>q</blockquote><blockquote>r</blockquote>", "qr",
         [{"type": "expandable_blockquote", "offset": 0, "length": 1},
          {"type": "blockquote", "offset": 1, "length": 1}]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍",
         [{"type": "custom_emoji", "offset": 0, "length": 2,
           "custom_emoji_id": "5368324170671202286"}]),
        ("😀<b>x</b>", "😀x", [{"type": "bold", "offset": 2, "length": 1}]),  # UTF-16 offsets
        ("<B>upper</B>", "upper", [{"type": "bold", "offset": 0, "length": 5}]),
        ("<b>x</>", "x", [{"type": "bold", "offset": 0, "length": 1}]),  # empty end tag closes
    ],
)  # fmt: skip
def test_valid_html(source: str, text: str, entities: list[dict]) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert parsed.entities == entities


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("hello <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("price < 100", 'Unsupported start tag "" at byte offset 6'),
        ("😀 <br/>", 'Unsupported start tag "br/" at byte offset 5'),  # offsets are UTF-8 bytes
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b foo>x</b>", 'Expected equal sign in declaration of an attribute of the tag "b" '
                         "at byte offset 0"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=https://x.com>y</a>", "Unexpected end of name token at byte offset 8"),
    ],
)  # fmt: skip
def test_invalid_html(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert caught.value.description == PREFIX + error


def test_parse_text_modes_and_trimming() -> None:
    assert parse_text("  <b>x</b>  ", None).text == "<b>x</b>"
    parsed = parse_text("  <b>x</b>\n", "HTML")
    assert (parsed.text, parsed.entities) == ("x", [{"type": "bold", "offset": 0, "length": 1}])
    # Markdown is accepted without validation.
    assert parse_text("*bold* <foo>", "MarkdownV2").text == "*bold* <foo>"


def test_auto_detected_entities() -> None:
    parsed = parse_text("/price@pythia_bot $BTC #alts @alice_x https://x.com", None)
    kinds = [(e["type"], e["offset"], e["length"]) for e in parsed.entities]
    assert kinds == [
        ("bot_command", 0, 17), ("cashtag", 18, 4), ("hashtag", 23, 5),
        ("mention", 29, 8), ("url", 38, 13),
    ]  # fmt: skip
