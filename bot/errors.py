"""The last line of defence: log the error, give the person one apologetic line."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError

from bot.context import CustomContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: CustomContext) -> None:
    """Log every unhandled error; tell the person, never with a traceback."""
    error = context.error
    where = update.to_dict() if isinstance(update, Update) else repr(update)
    log.error("unhandled error while handling %s", where, exc_info=error)
    if isinstance(error, Forbidden | NetworkError) or not isinstance(update, Update):
        return  # we cannot reach them anyway
    message = update.effective_message
    if message is not None:
        try:
            t = await context.texts(update)
            sorry = t._(
                "Sorry — something went wrong on my side. It has been logged; please try "
                "again shortly."
            )
            await message.reply_text(sorry)
        except Exception:  # the apology itself failed: logged above, nothing more to do
            log.warning("could not send the apology", exc_info=True)
