"""/follow and /unfollow: the coins whose important news a person has pushed to them, with an
Unfollow button beside each; and the refusals of what was typed. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import UnfollowNews, encode
from bot.i18n import Texts
from bot.views.common import clip, e, fit
from bot.views.price import unknown_line
from bot.views.refusals import says
from core.news.importance import PER_DAY
from services.follows import Followed, Unfollowed

PER_ROW = 2  # Unfollow buttons on a row


def _list(coins: Sequence[str]) -> str:
    return ", ".join(f"<b>{e(c)}</b>" for c in coins)


def following_text(t: Texts, coins: Sequence[str], per_day: int = PER_DAY) -> str:
    """What the person follows, and what that means."""
    if not coins:
        return t._(
            "You follow no coin's news. Send <code>/follow news BTC</code> and I'll send you "
            "its important stories as they break."
        )
    return fit(
        t._("📰 You follow the news of {coins}.", coins=_list(coins))
        + "\n"
        + t.ngettext(
            "Important stories (strong sentiment or wide coverage) reach you as they break, at "
            "most {count} a day, never during your quiet hours.",
            "Important stories (strong sentiment or wide coverage) reach you as they break, at "
            "most {count} a day, never during your quiet hours.",
            per_day,
            count=t.number(per_day),
        )
    )


def following_keyboard(t: Texts, owner: int, coins: Sequence[str]) -> InlineKeyboardMarkup | None:
    """🔕 Unfollow BTC, 🔕 Unfollow ETH…: one button per coin."""
    if not coins:
        return None
    buttons = [
        InlineKeyboardButton(
            unfollow_label(t, coin), callback_data=encode(UnfollowNews("list", coin, owner))
        )
        for coin in coins
    ]
    return InlineKeyboardMarkup([buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)])


def unfollow_label(t: Texts, coin: str) -> str:
    return t.pgettext("button", "🔕 Unfollow {coin}", coin=coin)


def follow_result(t: Texts, followed: Followed, per_day: int = PER_DAY) -> str:
    lines = []
    if followed.added:
        lines.append(t._("Following the news of {coins}.", coins=_list(followed.added)))
    if followed.already:
        lines.append(t._("You already follow {coins}.", coins=_list(followed.already)))
    if followed.unknown.problems:
        lines.append(unknown_line(t, followed.unknown))
    lines.append(
        t.ngettext(
            "I'll send you their important stories, at most {count} a day.",
            "I'll send you their important stories, at most {count} a day.",
            per_day,
            count=t.number(per_day),
        )
    )
    return " ".join(lines)


def unfollow_result(t: Texts, unfollowed: Unfollowed) -> str:
    lines = []
    if unfollowed.removed:
        lines.append(t._("No more news of {coins}.", coins=_list(unfollowed.removed)))
    if unfollowed.missing:
        lines.append(t._("You didn't follow {coins}.", coins=_list(unfollowed.missing)))
    if unfollowed.unknown.problems:
        lines.append(unknown_line(t, unfollowed.unknown))
    if unfollowed.following:
        lines.append(t._("Still following {coins}.", coins=_list(unfollowed.following)))
    else:
        lines.append(t._("You follow no coin's news now."))
    return " ".join(lines)


def unfollowed_note(t: Texts, symbol: str) -> str:
    """Plain text: the answer to an Unfollow press under a pushed story."""
    return t._("You no longer follow {coin} news.", coin=symbol)


def not_your_follow(t: Texts) -> str:
    """Plain text: what someone pressing another person's Unfollow button is told."""
    return t._("These are someone else's follows — send /follow for yours.")


@says("follow.what")
def _what(t: Texts, typed: str) -> str:
    return t._(
        "I can follow a coin's news: send <code>/follow news {example}</code>.",
        example=e(clip(typed.upper(), 10)) if typed.isalnum() else "BTC",
    )


@says("unfollow.what")
def _unfollow_what(t: Texts, typed: str) -> str:
    return t._(
        "Send <code>/unfollow news BTC</code>, or <code>/unfollow news all</code>; "
        "<code>/follow</code> shows what you follow."
    )


@says("follow.which_coins")
def _which_to_follow(t: Texts) -> str:
    return t._("Which coins? Send <code>/follow news BTC ETH</code>.")


@says("unfollow.which_coins")
def _which_to_unfollow(t: Texts) -> str:
    return t._(
        "Which coins? Send <code>/unfollow news BTC</code>, or <code>/unfollow news all</code>."
    )


@says("follow.full")
def _full(t: Texts, most: int, have: int) -> str:
    return t.ngettext(
        "You can follow the news of at most {most} coin and you follow {have}; unfollow some "
        "with <code>/unfollow news</code> first.",
        "You can follow the news of at most {most} coins and you follow {have}; unfollow some "
        "with <code>/unfollow news</code> first.",
        most,
        most=t.number(most),
        have=t.number(have),
    )


@says("follow.private")
def _private(t: Texts) -> str:
    return t._("News goes to you privately: send <code>/follow news …</code> in our private chat.")
