"""A pushed story (/follow news BTC) as its recipient reads it, rendered when the sender sends
it: the headline as a link, how it reads, who carried it, how old it is, which coins it is
about, in the person's language and time zone; an Unfollow button per followed coin it is
about. Pure: a notice (`core.notices.NewsStory`) in, HTML out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import UnfollowNews, encode
from bot.i18n import N_, Texts
from bot.views.common import e, fit
from bot.views.follow import unfollow_label
from core.notices import NewsStory
from core.sentiment import NEGATIVE, NEUTRAL, POSITIVE, vader_label

MAX_TITLE = 300  # characters of a headline shown
MAX_NAMED = 3  # publishers named; the rest are counted
MAX_BUTTONS = 3
MARKS = {POSITIVE: "🟢", NEGATIVE: "🔴", NEUTRAL: "⚪"}
MOODS = {POSITIVE: N_("positive"), NEGATIVE: N_("negative"), NEUTRAL: N_("neutral")}


def story_text(t: Texts, notice: NewsStory, zone: str = "UTC") -> str:
    title = notice.title.strip() or notice.url
    shown = e(title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…")
    if notice.url.startswith(("https://", "http://")):
        shown = f'<a href="{escape(notice.url, quote=True)}">{shown}</a>'
    lines = [f"📰 <b>{shown}</b>", _mood(t, notice), _carried(t, notice)]
    if notice.coins:
        lines.append(t._("About {coins}", coins=", ".join(e(c) for c in notice.coins)))
    age = max(notice.at - notice.published_at, timedelta(0))  # a feed's clock may run ahead
    lines.append(
        "<i>"
        + t._(
            "Published {ago} · {moment}",
            ago=t.ago(age),
            moment=t.moment(notice.published_at, zone),
        )
        + "</i>"
    )
    return fit("\n".join(lines))


def _mood(t: Texts, notice: NewsStory) -> str:
    label = notice.label if notice.label in MOODS else label_of(notice.sentiment)
    mood = f"{MARKS[label]} {t._(MOODS[label])}"
    if notice.sentiment is None:
        return mood
    return f"{mood} ({t.signed(Decimal(repr(notice.sentiment)))})"


def label_of(score: float | None) -> str:
    """The mood a sentiment score reads as (VADER's convention: within ±0.05 of zero,
    neutral)."""
    return NEUTRAL if score is None else vader_label(score)


def _carried(t: Texts, notice: NewsStory) -> str:
    count = max(notice.publisher_count, len(notice.publishers), 1)
    named = notice.publishers[: MAX_NAMED + 1 if count == MAX_NAMED + 1 else MAX_NAMED]
    names = ", ".join(e(p) for p in named)  # "and 1 more" would hide no more than the name
    if count > len(named) and names:
        names = t._("{names} and {count} more", names=names, count=t.number(count - len(named)))
    said = t.ngettext("{count} publisher", "{count} publishers", count, count=t.number(count))
    return f"🗞 {said}: {names}" if names else f"🗞 {said}"


def story_keyboard(t: Texts, notice: NewsStory) -> InlineKeyboardMarkup | None:
    """🔕 Unfollow BTC under the story, for each coin of the person's it is about."""
    coins = (notice.followed or notice.coins)[:MAX_BUTTONS]
    buttons = [
        InlineKeyboardButton(
            unfollow_label(t, coin),
            callback_data=encode(UnfollowNews("story", coin, notice.user_id)),
        )
        for coin in coins
    ]
    return InlineKeyboardMarkup([buttons]) if buttons else None
