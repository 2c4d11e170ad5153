"""Bot API method handlers. Importing this package registers every handler in ``METHODS``."""

from __future__ import annotations

from bot.emulator.methods import chats, media, messages, profile, updates  # noqa: F401
from bot.emulator.methods.common import METHODS, ApiContext, ApiError, Handler, Params

# Real Bot API methods the emulator does not implement. They answer 404 like unknown methods
# (so PTB raises), but are logged as "not emulated" rather than "unknown" to tell the two apart.
NOT_EMULATED = frozenset(
    {
        "sendPoll", "stopPoll", "sendContact", "sendVenue", "sendInvoice", "sendGame",
        "sendPaidMedia", "copyMessages", "forwardMessages", "editMessageMedia",
        "editMessageLiveLocation", "stopMessageLiveLocation", "answerInlineQuery",
        "answerWebAppQuery", "banChatMember", "unbanChatMember", "restrictChatMember",
        "promoteChatMember", "setChatPermissions", "exportChatInviteLink",
        "createChatInviteLink", "setChatPhoto", "deleteChatPhoto", "setChatTitle",
        "setChatDescription", "setMessageReaction", "getUserProfilePhotos",
        "getMyDefaultAdministratorRights", "setMyDefaultAdministratorRights",
        "getStarTransactions", "createForumTopic", "getForumTopicIconStickers",
    }
)  # fmt: skip

_BY_LOWER = {name.lower(): name for name in METHODS}


def find_method(name: str) -> tuple[str, Handler] | None:
    """Look a method up case-insensitively, as Telegram does; returns (canonical name, handler)."""
    canonical = _BY_LOWER.get(name.lower())
    return (canonical, METHODS[canonical]) if canonical else None


__all__ = ["METHODS", "NOT_EMULATED", "ApiContext", "ApiError", "Params", "find_method"]
