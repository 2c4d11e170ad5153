"""What operators read: /status (is everything flowing), a /broadcast's preview and outcome,
and the broadcast itself as everyone receives it. Pure: facts in, HTML out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import AdminButton, encode
from bot.i18n import Texts
from bot.views.common import clip, e, fit
from bot.views.refusals import says
from core.notices import Broadcast
from services.admin import Exchange, Feed, ServingModel, Status
from services.broadcasts import Preview, Queued

MAX_LISTED = 12  # feeds, coins with models, failed jobs: the rest are counted
MAX_ERROR = 90  # characters of a job's last error


def _ago(t: Texts, now: datetime, at: datetime | None) -> str:
    if at is None:
        return t._("never")
    return t.ago(max(now - at, timedelta(0)))


def _more(t: Texts, hidden: int) -> list[str]:
    return [t._("… and {count} more", count=t.number(hidden))] if hidden > 0 else []


def _counts(t: Texts, counts: dict[str, int]) -> str:
    """`price 3 · move 1`: codes as they are (operators read codes), numbers as the locale."""
    return " · ".join(f"{e(key)} {t.number(n)}" for key, n in sorted(counts.items()))


# ---- /status ------------------------------------------------------------------------------------


def status_text(t: Texts, status: Status) -> str:
    """Everything on one page, within Telegram's limit (with a hundred feeds, jobs failing
    and coins, the end of the models' list is cut)."""
    sections = [  # the short ones first: a long list at the end is what gets cut
        [  # the time with its seconds: a refresh shows it happened, even when nothing moved
            t._("🩺 <b>Pythia status</b>"),
            t._("Updated at {time} UTC", time=f"{status.wall.astimezone(UTC):%H:%M:%S}"),
        ],
        _exchanges(t, status),
        _processes(t, status),
        _outbox(t, status),
        _broadcasts(t, status),
        _people(t, status),
        _jobs(t, status),
        _feeds(t, status),
        _models(t, status),
    ]
    return fit("\n\n".join("\n".join(lines) for lines in sections if lines))


def _exchanges(t: Texts, status: Status) -> list[str]:
    lines = [t._("<b>Exchanges</b>")]
    if not status.exchanges:
        return [*lines, t._("No prices or candles yet.")]
    return lines + [_exchange(t, status.now, exchange) for exchange in status.exchanges]


def _exchange(t: Texts, now: datetime, exchange: Exchange) -> str:
    parts = [t._("price {ago}", ago=_ago(t, now, exchange.price_at))]
    parts += [
        t._("{timeframe} candle {ago}", timeframe=e(tf), ago=_ago(t, now, at))
        for tf, at in exchange.candles_at.items()
    ]
    return f"{e(exchange.name)}: " + " · ".join(parts)


def _feeds(t: Texts, status: Status) -> list[str]:
    lines = [t._("<b>News feeds</b>")]
    if not status.feeds:
        return [*lines, t._("No feeds.")]
    lines += [_feed(t, status, feed) for feed in status.feeds[:MAX_LISTED]]
    return lines + _more(t, len(status.feeds) - MAX_LISTED)


def _feed(t: Texts, status: Status, feed: Feed) -> str:
    line = t._(
        "{publisher}: newest story {ago} · fetched {fetched}",
        publisher=e(feed.publisher),
        ago=_ago(t, status.now, feed.latest_at),
        fetched=_ago(t, status.wall, feed.last_ok_at),
    )
    if feed.failures:
        line += " · ⚠️ " + t._(
            "failed {count} in a row ({error})",
            count=t.number(feed.failures),
            error=e(feed.last_error or "?"),
        )
    return line


def _processes(t: Texts, status: Status) -> list[str]:
    lines = [
        t._("<b>Processes</b>"),
        t._("Bot heartbeat: {ago}", ago=_beat(t, status.wall, status.bot_beat_at)),
        t._("Workers' heartbeat here: {ago}", ago=_beat(t, status.wall, status.workers_beat_at)),
    ]
    if not status.cache_ok:
        lines[1:] = ["⚠️ " + t._("The cache (Redis) did not answer: heartbeats unknown.")]
    for worker, at in sorted(status.workers_seen.items()):
        lines.append(
            t._("{worker}: last job {ago}", worker=e(worker), ago=_ago(t, status.wall, at))
        )
    if not status.workers_seen:
        lines.append(t._("No worker ran a job in the last hour."))
    return lines


def _beat(t: Texts, wall: datetime, at: datetime | None) -> str:
    """A heartbeat's age; none: its key expired, a minute after the last beat (or never)."""
    return _ago(t, wall, at) if at is not None else "⚠️ " + t._("none in the last minute")


def _outbox(t: Texts, status: Status) -> list[str]:
    pending = t._(
        "Pending: {count} · due now: {due}",
        count=t.number(status.pending),
        due=t.number(status.due),
    )
    if status.oldest_pending_at is not None:
        pending += " · " + t._(
            "longest wait: due {ago}", ago=_ago(t, status.now, status.oldest_pending_at)
        )
    return [
        t._("<b>Outbox</b>"),
        pending,
        t._(
            "Queued in the last hour: failed {failed} · maybe sent {maybe}",
            failed=t.number(status.failed_last_hour),
            maybe=t.number(status.maybe_sent_last_hour),
        ),
    ]


def _jobs(t: Texts, status: Status) -> list[str]:
    lines = [t._("<b>Failed jobs, last hour</b>")]
    if not status.failed_jobs:
        return [*lines, t._("None.")]
    for job in status.failed_jobs[:MAX_LISTED]:
        lines.append(
            t._(
                "{job} ×{count}, last {ago}: <code>{error}</code>",
                job=e(job.job),
                count=t.number(job.failures),
                ago=_ago(t, status.wall, job.last_at),
                error=e(clip(job.last_error, MAX_ERROR)),
            )
        )
    return lines + _more(t, len(status.failed_jobs) - MAX_LISTED)


def _models(t: Texts, status: Status) -> list[str]:
    lines = [t._("<b>Models</b>")]
    if not status.models:
        return [*lines, t._("No trained models.")]
    lines.append(
        t._(
            "Serving: {count} · with no edge (base rate served): {no_edge}",
            count=t.number(len(status.models)),
            no_edge=t.number(status.no_edge),
        )
    )
    coins: dict[str, list[ServingModel]] = {}
    for model in status.models:
        coins.setdefault(model.asset, []).append(model)
    for coin, models in list(coins.items())[:MAX_LISTED]:
        lines.append(f"{e(coin)}: " + " · ".join(_model(t, status.now, m) for m in models))
    return lines + _more(t, len(coins) - MAX_LISTED)


def _model(t: Texts, now: datetime, model: ServingModel) -> str:
    age = _ago(t, now, model.trained_at)
    if model.champion:
        return t._("{horizon} v{version} {ago}", horizon=e(model.horizon),
                   version=model.version, ago=age)  # fmt: skip
    return t._("{horizon} v{version} {ago}, no edge", horizon=e(model.horizon),
               version=model.version, ago=age)  # fmt: skip


def _people(t: Texts, status: Status) -> list[str]:
    alerts = sum(status.alerts.values())
    lines = [
        t._("<b>People and what they asked for</b>"),
        t._(
            "People: {total} · active in 24 h: {day} · in 7 days: {week} · blocked Pythia: "
            "{blocked}",
            total=t.number(status.people),
            day=t.number(status.active_day),
            week=t.number(status.active_week),
            blocked=t.number(status.blocked),
        ),
        t._("Active alerts: {count}", count=t.number(alerts))
        + (f" ({_counts(t, status.alerts)})" if alerts else ""),
        t._(
            "Digests: {count} active · {due} due within the hour",
            count=t.number(status.digests),
            due=t.number(status.digests_due),
        )
        + (
            " · ⚠️ " + t._("late: {count}", count=t.number(status.digests_late))
            if status.digests_late
            else ""
        ),
        t._("Paused chats: {count}", count=t.number(sum(status.paused_chats.values())))
        + (f" ({_counts(t, status.paused_chats)})" if status.paused_chats else ""),
    ]
    return lines


def _broadcasts(t: Texts, status: Status) -> list[str]:
    if not status.broadcasts:
        return []
    lines = [t._("<b>Broadcasts, last day</b>")]
    for sent in status.broadcasts:
        lines.append(
            t._(
                "Queued {ago}: sent {sent} · pending {pending} · failed {failed}",
                ago=_ago(t, status.now, sent.queued_at),
                sent=t.number(sent.sent),
                pending=t.number(sent.pending),
                failed=t.number(sent.failed),
            )
        )
    return lines


def status_keyboard(t: Texts) -> InlineKeyboardMarkup:
    label = t.pgettext("button", "🔄 Refresh")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=encode(AdminButton("refresh")))]]
    )


# ---- /broadcast ---------------------------------------------------------------------------------


def broadcast_text(t: Texts, text: str) -> str:
    """The broadcast as everyone reads it: the operators' words as typed (escaped: plain text,
    line breaks kept) under a line saying who speaks. Not cut: the service keeps the text
    within MAX_TEXT characters, which Telegram counts after the escapes are read."""
    return t._("📢 <b>Message from Pythia's team</b>") + "\n\n" + e(text)


def broadcast_notice(t: Texts, notice: Broadcast) -> str:
    """What the sender sends for a Broadcast notice."""
    return broadcast_text(t, notice.text)


def preview_text(t: Texts, preview: Preview) -> str:
    audience = t.ngettext(
        "It will go to <b>{count}</b> person (private chats, not those who blocked Pythia).",
        "It will go to <b>{count}</b> people (private chats, not those who blocked Pythia).",
        preview.audience,
        count=t.number(preview.audience),
    )
    return "\n\n".join(
        [
            t._("<b>Preview</b> — this is how it will read (in each person's language):"),
            broadcast_text(t, preview.text),
            "—",
            audience,
        ]
    )


def preview_keyboard(t: Texts, token: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t._("📢 Send"),
                    callback_data=encode(AdminButton("send", token)),
                ),
                InlineKeyboardButton(
                    t._("✖️ Cancel"),
                    callback_data=encode(AdminButton("cancel", token)),
                ),
            ]
        ]
    )


def queued_text(t: Texts, queued: Queued) -> str:
    said = t.ngettext(
        "✅ Queued for <b>{count}</b> person. /status shows how it goes.",
        "✅ Queued for <b>{count}</b> people. /status shows how it goes.",
        queued.people,
        count=t.number(queued.people),
    )
    return said + "\n\n" + broadcast_text(t, queued.text)


def cancelled_text(t: Texts) -> str:
    return t._("✖️ Cancelled: nothing was sent.")


def expired_text(t: Texts) -> str:
    return t._(
        "This broadcast was sent or cancelled already, or waited too long — nothing more is done."
    )


def admin_menu(t: Texts) -> list[tuple[str, str]]:
    """The operators' commands in their command menu, after everyone's."""
    return [
        ("status", t._("How Pythia is doing (operators)")),
        ("broadcast", t._("A message to everyone (operators)")),
    ]


# ---- refusals -----------------------------------------------------------------------------------


@says("admin.only")
def _admin_only(t: Texts) -> str:
    return t._("Only Pythia's operators can do that.")


@says("broadcast.empty")
def _empty(t: Texts) -> str:
    return t._(
        "Write the message after the command: <code>/broadcast We are back after "
        "maintenance.</code>"
    )


@says("broadcast.too_long")
def _too_long(t: Texts, length: int, limit: int) -> str:
    return t._(
        "That message is {length} characters long; a broadcast can have at most {limit}.",
        length=t.number(length),
        limit=t.number(limit),
    )
