"""In-repo Telegram Bot API emulator.

The real python-telegram-bot stack talks HTTP to this server instead of api.telegram.org, while
tests (``Emulator``) or other processes (``EmulatorClient``) play the users and inspect what the
bot sent. It mimics Telegram's validation (HTML entities, length limits, keyboards, flood
limits, permissions) so that bugs which would fail in production fail here too.
"""

from bot.emulator.client import EmulatorClient
from bot.emulator.emulator import DEFAULT_TOKEN, Emulator
from bot.emulator.html import EntityParseError, ParsedText, parse_html, parse_text
from bot.emulator.limits import FloodLimiter, FloodLimits, FloodViolation, TokenBucket
from bot.emulator.records import (
    ApiCall,
    CallbackQueryRecord,
    Chat,
    ChatActionRecord,
    FileRecord,
    MessageRecord,
    MessageVersion,
    UpdateRecord,
    User,
)

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "CallbackQueryRecord",
    "Chat",
    "ChatActionRecord",
    "Emulator",
    "EmulatorClient",
    "EntityParseError",
    "FileRecord",
    "FloodLimiter",
    "FloodLimits",
    "FloodViolation",
    "MessageRecord",
    "MessageVersion",
    "ParsedText",
    "TokenBucket",
    "UpdateRecord",
    "User",
    "parse_html",
    "parse_text",
]
