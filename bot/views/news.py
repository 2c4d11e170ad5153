"""/news: a page of the latest stories, each with its sentiment mark, who carried it, how old
it is and its link; the ◀ ▶ buttons under it; and what /news and /sentiment say when asked for
more than one coin. Pure; HTML."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import NewsPages, encode
from bot.i18n import Texts
from bot.views.common import clip, e, fit
from bot.views.refusals import says
from core.sentiment import vader_label
from services.news import LatestNews, StoryView

TITLE_MOST = 160  # characters of a headline shown: five stories fit a message whatever they are
URL_MOST = 400  # a longer link is left out rather than crowd the stories out of the message
MARKS = {"positive": "🟢", "neutral": "⚪", "negative": "🔴"}
UNSCORED = "▫️"


def mood(story: StoryView) -> str | None:
    """positive, neutral or negative: the light model's label, else VADER's score; None when
    neither has read the story yet."""
    if story.label in MARKS:
        return story.label
    if story.vader is None:
        return None
    return vader_label(story.vader)


def link(url: str, text: str) -> str:
    """`text` (HTML already) linked to `url` when it is a web address short enough to show."""
    if not url.startswith(("https://", "http://")) or len(url) > URL_MOST:
        return text
    return f'<a href="{escape(url, quote=True)}">{text}</a>'


def story_lines(t: Texts, story: StoryView, latest: LatestNews) -> str:
    """Two lines: the mark and the linked headline; who carried it, when, and its coins."""
    mark = MARKS.get(mood(story) or "", UNSCORED)
    head = f"{mark} {link(story.url, f'<b>{e(clip(story.title, TITLE_MOST))}</b>')}"
    details = [e(clip(story.source, 32))]
    if story.publishers > 1:
        details.append(
            t.ngettext(
                "{count} publisher",
                "{count} publishers",
                story.publishers,
                count=t.number(story.publishers),
            )
        )
    details.append(t.ago(max(latest.now - story.published_at, timedelta(0))))
    coins = [coin for coin in story.coins if coin != latest.asset][:4]
    if coins:
        details.append(e(", ".join(coins)))
    return head + "\n    " + " · ".join(details)


def news_text(t: Texts, latest: LatestNews) -> str:
    """The page: a heading, the stories, and what the marks mean."""
    if not latest.page.stories:
        return no_news(t, latest.asset)
    if latest.asset is None:
        heading = t._("📰 <b>Latest crypto news</b>")
    else:
        heading = t._("📰 <b>News about {coin}</b>", coin=e(latest.asset))
    if latest.pages > 1:
        heading += " · " + t._(
            "page {page} of {pages}",
            page=t.number(latest.number + 1),
            pages=t.number(latest.pages),
        )
    stories = [story_lines(t, story, latest) for story in latest.page.stories]
    legend = t._("🟢 positive · ⚪ neutral · 🔴 negative — how the headline reads to my model")
    return fit("\n\n".join([heading, *stories, f"<i>{legend}</i>"]))


def no_news(t: Texts, asset: str | None) -> str:
    if asset is None:
        return t._(
            "No news yet — I read the crypto publishers' feeds every few minutes, so the first "
            "stories arrive within minutes."
        )
    return t._(
        "No news about {coin} yet — I read the crypto publishers' feeds every few minutes; try "
        "<code>/news</code> for the whole market.",
        coin=e(asset),
    )


def news_keyboard(t: Texts, owner: int, latest: LatestNews) -> InlineKeyboardMarkup | None:
    """◀ Newer and Older ▶, where there are pages that way."""
    if latest.pages <= 1:
        return None
    buttons = []
    if latest.number > 0:
        newer = encode(NewsPages(owner, latest.number - 1, latest.asset))
        buttons.append(InlineKeyboardButton(t._("◀ Newer"), callback_data=newer))
    if latest.page.has_more:
        older = encode(NewsPages(owner, latest.number + 1, latest.asset))
        buttons.append(InlineKeyboardButton(t._("Older ▶"), callback_data=older))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def not_your_news(t: Texts) -> str:
    """Plain text (a press's answer shows no HTML)."""
    return t._("These pages belong to whoever asked — send /news for your own.")


@says("news.one_coin")
def _one_coin(t: Texts, command: str, count: int) -> str:
    return t._(
        "One coin at a time, please: <code>/{command} BTC</code>, or <code>/{command}</code> "
        "for the whole market.",
        command=e(command),
    )
