"""What makes an action fail: errors logged, calls Telegram refused, words a person must never
read, presses left spinning, rows changed that should not have been."""

from __future__ import annotations

import html
import logging
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

from telegram.error import TelegramError

from bot.emulator import ApiCall

ROOT = Path(__file__).resolve().parents[2]

ERROR_LOG = "error logged"
NOT_ANSWERED = "press never answered"
REFUSED_CALL = "Telegram refused a call"
INJECTION = "input echoed as HTML"
EXCEPTION_TEXT = "exception text shown"
RAW_VALUE = "raw value shown"
REFUSAL_WROTE = "refused command changed rows"
READ_ONLY_WROTE = "read-only action changed rows"
OTHERS_CHANGED = "changed someone else's rows"
SILENT = "command never answered"
OUTSIDE_TOPIC = "reply outside the topic"
HANG = "bot still busy"
CLASSES = (
    ERROR_LOG, NOT_ANSWERED, REFUSED_CALL, INJECTION, EXCEPTION_TEXT, RAW_VALUE, REFUSAL_WROTE,
    READ_ONLY_WROTE, OTHERS_CHANGED, SILENT, OUTSIDE_TOPIC, HANG,
)  # fmt: skip

SENDS = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendAnimation"}
EDITS = {"editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia"}
SAID = SENDS | EDITS | {"answerCallbackQuery"}
HARMLESS = ("message is not modified",)  # the bot's `edit` expects and ignores it

# what the code says, not the person: a traceback, an exception's name, a repr
EXCEPTION_PATTERNS = (
    r"Traceback \(most recent call last\)",
    r"\b[A-Z][A-Za-z]*(?:Error|Exception)\b",
    r"\bError:",
    r"<[\w.]+ object at 0x[0-9a-fA-F]+>",
    r"\b(?:Decimal|datetime|date|timedelta|ZoneInfo|Refusal|BadArgument)\(",
    r"\bFile \"[^\"]+\", line \d+",
)
RAW_PATTERNS = (
    r"\bNone\b",
    r"\bNaN\b|\bnan\b",
    r"\binf\b|\bInfinity\b",
    r"\{[a-z_]+\}",
    r"%\([a-z_]+\)[sd]",
    r"\b[a-z]+\.[a-z]+_[a-z_]+\b",  # a reason code said as it is: trade.not_positive
)
# typed markup that, were it echoed as it was typed, Telegram would render (or refuse)
MARKUP_ECHOES = (
    "<script>alert(1)</script>",
    "<i>x</i>",
    "<a href='javascript:alert(1)'>",
    "<tg-spoiler>",
    "<u><s>",
    "<blockquote expandable>",
    '<pre><code class="x">',
)


@dataclass(frozen=True)
class Finding:
    kind: str
    signature: str  # the same bug found twice has the same signature
    detail: str


class LogCapture(logging.Handler):
    """Keeps every record at ERROR or above; the runner takes them action by action."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        taken, self.records = self.records, []
        return taken


def _digits(text: str) -> str:
    return re.sub(r"\d+", "N", text)


def log_findings(records: list[logging.LogRecord]) -> list[Finding]:
    findings = []
    for record in records:
        where, what = "", record.getMessage()[:200]
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            # walk_tb, not extract_tb: a deep traceback (a recursion) takes minutes to extract
            ours = [
                (frame.f_code.co_filename, line)
                for frame, line in traceback.walk_tb(error.__traceback__)
                if str(ROOT) in frame.f_code.co_filename and ".venv" not in frame.f_code.co_filename
            ]
            if ours:
                filename, line = ours[-1]
                where = f"{Path(filename).relative_to(ROOT)}:{line}"
            what = f"{type(error).__name__}: {error}"[:300]
        # an answer from Telegram (Forbidden…) is one cause, whichever call met it
        telegram = record.exc_info is not None and isinstance(record.exc_info[1], TelegramError)
        signature = f"{record.name} {'' if telegram else where or _digits(what[:80])}"
        if telegram:
            signature += _digits(what[:80])
        findings.append(Finding(ERROR_LOG, signature, f"{record.name}: {what} at {where}"))
    return findings


def visible_text(call: ApiCall) -> str:
    """What the person reads from a call: its text or caption, tags gone, entities decoded."""
    params = call.params
    text = str(params.get("text") or params.get("caption") or "")
    if params.get("parse_mode") == "HTML":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text


def call_findings(calls: list[ApiCall], typed: str) -> list[Finding]:
    """Calls Telegram refused, and what the successful ones made people read."""
    findings = []
    for call in calls:
        if call.method == "getUpdates" or call.status == 0:
            continue
        description = call.description or ""
        if call.status != 200:
            if call.status == 403 or any(h in description.lower() for h in HARMLESS):
                continue  # a person who blocked the bot, or an edit to the same text
            excerpt = str(call.params.get("text") or call.params.get("caption") or "")[:120]
            findings.append(
                Finding(
                    REFUSED_CALL,
                    f"{call.method} {call.status} {_digits(description)[:90]}",
                    f"{call.method} -> {call.status} {description}; text: {excerpt!r}",
                )
            )
            continue
        if call.method not in SAID:
            continue
        findings += _said_findings(call, typed)
    return findings


def _said_findings(call: ApiCall, typed: str) -> list[Finding]:
    findings = []
    shown = visible_text(call)
    raw = str(call.params.get("text") or call.params.get("caption") or "")
    for pattern in EXCEPTION_PATTERNS:
        match = re.search(pattern, shown)
        if match and match.group(0) not in typed:
            context = shown[max(0, match.start() - 60) : match.end() + 60]
            signature = f"{call.method} {match.group(0)}"
            findings.append(Finding(EXCEPTION_TEXT, signature, f"{call.method}: …{context!r}…"))
    for pattern in RAW_PATTERNS:
        match = re.search(pattern, shown)
        if match and match.group(0).lower() not in typed.lower():  # echoes may be lower-cased
            context = shown[max(0, match.start() - 60) : match.end() + 60]
            signature = f"{call.method} {match.group(0)}"
            findings.append(Finding(RAW_VALUE, signature, f"{call.method}: …{context!r}…"))
    for echo in MARKUP_ECHOES:
        if echo in typed and echo in raw:
            findings.append(Finding(INJECTION, f"{call.method} {echo}", f"{call.method}: {raw!r}"))
    return findings


def topic_findings(calls: list[ApiCall], chat_id: int, thread_id: int) -> list[Finding]:
    """Messages the bot sent into the forum for an action in topic `thread_id`, elsewhere."""
    findings = []
    for call in calls:
        if call.method not in SENDS or call.status != 200:
            continue
        if str(call.params.get("chat_id")) != str(chat_id):
            continue
        sent_to = call.params.get("message_thread_id")
        if sent_to is None or int(sent_to) != thread_id:
            findings.append(
                Finding(
                    OUTSIDE_TOPIC,
                    f"{call.method} thread {'none' if sent_to is None else 'other'}",
                    f"{call.method} to thread {sent_to} for topic {thread_id}: "
                    f"{visible_text(call)[:80]!r}",
                )
            )
    return findings
