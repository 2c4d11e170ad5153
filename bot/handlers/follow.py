"""/follow news COIN, /unfollow news COIN|all, /follow (what one follows), and the Unfollow
buttons under that list and under a pushed story."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.callbacks import UnfollowNews, matches
from bot.context import CustomContext
from bot.handlers.common import ChangingCommand, answer, edit, owners_press, person_and_chat
from bot.views.follow import (
    follow_result,
    following_keyboard,
    following_text,
    not_your_follow,
    unfollow_result,
    unfollowed_note,
)
from bot.views.refusals import refusal_text
from core.refusal import Refusal
from services import follows


async def follow_command(update: Update, context: CustomContext) -> None:
    """Follow coins' news (/follow news BTC ETH), or see what you follow (/follow)."""
    if update.effective_message is None:
        return
    t, per_day = await context.texts(update), context.deps.settings.news_pushes_per_day
    person, chat = person_and_chat(update)
    try:
        followed = await follows.follow_news(context.deps, person, chat, context.args or [])
    except Refusal as refusal:
        await update.effective_message.reply_html(refusal_text(t, refusal))
        return
    if context.args:
        await update.effective_message.reply_html(follow_result(t, followed, per_day))
        return
    markup = following_keyboard(t, person.id, followed.following)
    text = following_text(t, followed.following, per_day)
    await update.effective_message.reply_html(text, reply_markup=markup)


async def unfollow_command(update: Update, context: CustomContext) -> None:
    """Stop following coins' news: /unfollow news BTC, or /unfollow news all."""
    if update.effective_message is None or update.effective_user is None:
        return
    t, user_id = await context.texts(update), update.effective_user.id
    try:
        unfollowed = await follows.unfollow_news(context.deps, user_id, context.args or [])
    except Refusal as refusal:
        await update.effective_message.reply_html(refusal_text(t, refusal))
        return
    await update.effective_message.reply_html(unfollow_result(t, unfollowed))


async def unfollow_button(update: Update, context: CustomContext) -> None:
    """🔕 Unfollow: under the list, the list is shown anew; under a story, a note says so."""
    press = await owners_press(update, context, UnfollowNews, not_your_follow)
    if press is None:
        return
    (query, pressed), t = press, await context.texts(update)
    if pressed.where == "story":
        await answer(query, unfollowed_note(t, pressed.symbol))  # before the change is written
    else:
        await answer(query)
    try:
        unfollowed = await follows.unfollow_news(
            context.deps, pressed.owner, ["news", pressed.symbol]
        )
    except Refusal:  # a coin Pythia no longer knows: nothing to unfollow
        return
    if pressed.where == "list":
        per_day = context.deps.settings.news_pushes_per_day
        markup = following_keyboard(t, pressed.owner, unfollowed.following)
        await edit(query, following_text(t, unfollowed.following, per_day), markup)


HANDLERS = [
    ChangingCommand("follow", follow_command),
    ChangingCommand("unfollow", unfollow_command),
    CallbackQueryHandler(unfollow_button, pattern=matches(UnfollowNews)),
]
