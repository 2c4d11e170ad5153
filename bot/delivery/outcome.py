"""What a failed send means for its row: which side of the wire it failed on, and so whether
it may be sent again.

Telegram's Bot API has no idempotency key: a `sendMessage` that reached Telegram and is sent
again is a second message. So a send is repeated only when it certainly did nothing — it never
left us (`NotSent`: no connection, refused, DNS, no pooled connection in time) or Telegram
answered with an error status (5xx, 401, 409: it refused, it did not act). A send that may have
reached Telegram and acted — the request went and its answer was lost or could not be read
(`AnswerLost`, `ReadTimedOut`, `UnreadableAnswer`, a 2xx answer PTB could not make a Message
of, or anything we did not foresee) — is `AMBIGUOUS` and never repeated blindly.

The side of the wire is told by `bot.request.AiohttpRequest`, the bot's transport; PTB's own
HTTPXRequest raises a plain `NetworkError` for a connection lost mid-answer, which would count
as safe to repeat.
"""

from __future__ import annotations

from enum import Enum

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)

from bot.request import AnswerLost, NotSent


class Outcome(Enum):
    WAIT = "wait"  # RetryAfter: Telegram did nothing and said when to come back
    CLOSED = "closed"  # Forbidden: the person blocked the bot, or the bot left the group
    REFUSED = "refused"  # BadRequest: Telegram did nothing and never will
    MIGRATED = "migrated"  # ChatMigrated: the group is a supergroup now; send there instead
    RETRY = "retry"  # never reached Telegram, or Telegram answered an error: safe to repeat
    AMBIGUOUS = "ambiguous"  # may have reached Telegram and been sent: never repeated


def outcome(error: BaseException) -> Outcome:
    """What `error`, raised by a send, says happened to the message."""
    match error:
        case RetryAfter():
            return Outcome.WAIT
        case Forbidden():
            return Outcome.CLOSED
        case ChatMigrated():
            return Outcome.MIGRATED
        case BadRequest():
            return Outcome.REFUSED
        case AnswerLost():
            return Outcome.AMBIGUOUS
        case NotSent():
            return Outcome.RETRY
        case TimedOut():  # a transport that does not say which side of the wire it timed out on
            return Outcome.AMBIGUOUS
        case NetworkError() | InvalidToken() | Conflict() | EndPointNotFound():
            return Outcome.RETRY  # PTB's types for an error status Telegram answered (5xx...)
        case _:  # an answer that could not be read (TelegramError, KeyError...) or a surprise
            return Outcome.AMBIGUOUS
