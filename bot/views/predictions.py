"""/predict and /accuracy: a forecast in words (its chance, range, confidence, the features that
pushed it, the model's age and record), "no edge found" where the base rate answers, and the
live scorecard. Pure; HTML. Every answer ends "Not financial advice."."""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal

from bot.i18n import Texts
from bot.views.common import MAX_CAPTION, MAX_MESSAGE, clip, e, fit
from bot.views.drivers import driver_line, pct_of_fraction
from bot.views.refusals import says
from core.predict import Forecast, Metrics
from core.predict.record import confidence
from services.prediction_answers import PredictAnswer, Scorecard, ScoreLine, Serving

RETURN = re.compile(r"^(btc_|rel_)?ret_(\d+)h$")


def not_advice(t: Texts) -> str:
    return "<i>" + t._("Not financial advice.") + "</i>"


def chance(t: Texts, p: float) -> str:
    """57% · 57 %: a probability as a whole percentage."""
    return t.pct(Decimal(repr(round(p * 100))), 0, signed=False)


def skill_number(t: Texts, skill: float | None) -> str:
    """+0.012 · −0.004 (n/a: none)."""
    if skill is None or not math.isfinite(skill):
        return t._("n/a")
    return t.signed(Decimal(repr(skill)), 3)


def confidence_words(t: Texts, p_up: float, served: str, skill: float | None) -> str:
    return level_words(t, confidence(p_up, served, skill))


def level_words(t: Texts, level: str | None) -> str:
    """A confidence level (core.predict.record.confidence's) in words; None: no edge."""
    match level:
        case "toss_up":
            return t._("a coin toss")
        case "low":
            return t._("low confidence")
        case "moderate":
            return t._("moderate confidence")
        case "high":
            return t._("high confidence")
    return t._("no edge")


# --- /predict ------------------------------------------------------------------------------------


def record_line(t: Texts, record: Metrics | None, since: datetime | None) -> str:
    """Its record in one line: right 54% of 312 calls since 1 Dec; Brier skill +0.012."""
    if record is None or record.count == 0:
        return t._("No call of this model has reached its horizon yet: its record starts then.")
    calls = t.ngettext(
        "right {hit} of {count} call since {day}",
        "right {hit} of {count} calls since {day}",
        record.count,
        hit=chance(t, record.hit_rate),
        count=t.number(record.count),
        day=t.day(since) if since else "…",
    )
    return t._(
        "Record: {calls}; Brier skill {skill}.",
        calls=calls,
        skill=skill_number(t, record.skill),
    )


def _model_line(t: Texts, forecast: Forecast, serving: Serving | None, now: datetime) -> str:
    age = t.ago(now - forecast.trained_at) if forecast.trained_at else t._("n/a")
    version = forecast.model_version if forecast.model_version is not None else "?"
    walk = serving.skill if serving is not None else None
    return t._(
        "Model v{version}, trained {age}; walk-forward Brier skill {skill}.",
        version=version,
        age=age,
        skill=skill_number(t, walk),
    )


def _range_line(t: Texts, forecast: Forecast) -> str | None:
    if forecast.q10 is None or forecast.q90 is None:
        return None
    reference = Decimal(repr(forecast.reference_price))
    low = reference * (1 + Decimal(repr(forecast.q10)))
    high = reference * (1 + Decimal(repr(forecast.q90)))
    return t._(
        "10–90% range: {low} … {high} ({low_price} … {high_price})",
        low=pct_of_fraction(t, forecast.q10),
        high=pct_of_fraction(t, forecast.q90),
        low_price=t.price(low),
        high_price=t.price(high),
    )


def predict_text(t: Texts, answer: PredictAnswer) -> str:
    """The answer to /predict: the forecast, or why there is none yet."""
    coin = e(answer.asset)
    forecast = answer.forecast
    if forecast is None:
        return fit("\n".join([_no_forecast(t, answer), not_advice(t)]), MAX_MESSAGE)
    skill = answer.serving.skill if answer.serving is not None else None
    made = t._(
        "From {price} at the close {ago}.",
        price=t.price(Decimal(repr(forecast.reference_price))),
        ago=t.ago(answer.now - forecast.made_at),
    )
    lines = []
    if forecast.served == "model":
        lines.append(
            t._(
                "🔮 <b>{coin}</b> in {horizon}: <b>{chance}</b> chance of being higher — {how}",
                coin=coin,
                horizon=answer.horizon,
                chance=chance(t, forecast.p_up),
                how=confidence_words(t, forecast.p_up, forecast.served, skill),
            )
        )
    else:
        lines.append(
            t._(
                "🔮 <b>{coin}</b> in {horizon}: <b>no edge found</b>",
                coin=coin,
                horizon=answer.horizon,
            )
        )
        lines.append(
            t._(
                "My model did no better than the base rate here, so I say the base rate: "
                "higher {chance} of the time.",
                chance=chance(t, forecast.p_up),
            )
        )
    lines.append(made)
    ranged = _range_line(t, forecast)
    if ranged:
        lines.append(ranged)
    if forecast.drivers:
        lines.append(t._("What pushed it most:"))
        lines += [driver_line(t, d, answer.asset) for d in forecast.drivers[:3]]
    lines.append(_model_line(t, forecast, answer.serving, answer.now))
    lines.append(record_line(t, answer.record, answer.since))
    lines.append(not_advice(t))
    return fit("\n".join(lines), MAX_MESSAGE)


def _no_forecast(t: Texts, answer: PredictAnswer) -> str:
    coin = e(answer.asset)
    match answer.state:
        case "training":
            return t._(
                "🔮 The first models are training on the stored candles — predictions are "
                "ready in a few minutes."
            )
        case "waiting":
            return t._(
                "🔮 The {coin} {horizon} model is trained; its first prediction comes at the "
                "next hourly close.",
                coin=coin,
                horizon=answer.horizon,
            )
        case "not_covered":
            return t._(
                "🔮 I have no model for {coin} {horizon}. I predict {coins}.",
                coin=coin,
                horizon=answer.horizon,
                coins=t.and_list(e(c) for c in answer.covered),
            )
    return t._(
        "🔮 No prediction model is trained yet: models train daily from the stored candles, "
        "so try again tomorrow."
    )


# --- /accuracy -----------------------------------------------------------------------------------


def _score_line(t: Texts, line: ScoreLine, with_coin: bool) -> str:
    name = f"{e(line.asset)} {line.horizon}" if with_coin else line.horizon
    parts = []
    if line.live is not None:
        parts.append(
            t._(
                "right {hit} of {count}",
                hit=chance(t, line.live.hit_rate),
                count=t.number(line.live.count),
            )
        )
        parts.append(t._("skill {skill}", skill=skill_number(t, line.live.skill)))
        parts.append(t._("ECE {ece}", ece=t.decimal(line.live.ece, 3)))
    else:
        parts.append(t._("nothing resolved yet"))
    if line.pending:
        parts.append(
            t.ngettext("{n} waiting", "{n} waiting", line.pending, n=t.number(line.pending))
        )
    served = line.serving
    if served is not None:
        walk = skill_number(t, served.skill)
        if served.champion:
            parts.append(t._("walk-forward {skill}", skill=walk))
        else:
            parts.append(t._("no edge (walk-forward {skill})", skill=walk))
    return f"<b>{name}</b>: " + " · ".join(parts)


def accuracy_text(t: Texts, card: Scorecard) -> str:
    """The scorecard: one line per coin x horizon, since when, what the figures mean."""
    if not card.lines:
        if card.asset is not None:
            head = t._(
                "🎯 No predictions of {coin} yet — see /predict for the coins I predict.",
                coin=e(card.asset),
            )
        else:
            head = t._(
                "🎯 No predictions yet: the record starts with the first model's first call."
            )
        return "\n".join([head, not_advice(t)])
    since = card.since
    if card.asset is None:
        head = t._("🎯 <b>My predictions' live record</b>")
    else:
        head = t._("🎯 <b>{coin}: my predictions' live record</b>", coin=e(card.asset))
    lines = [head]
    if since is not None:
        lines.append(
            t._("Calls made since {day}, judged when their horizon passed.", day=t.day(since))
        )
    lines += [_score_line(t, line, card.asset is None) for line in card.lines]
    lines.append(
        t._(
            "Brier skill above 0 beats always saying the base rate; ECE is how far the "
            "chances I gave were from what happened (0 is perfect)."
        )
    )
    lines.append(not_advice(t))
    return fit("\n".join(lines), MAX_MESSAGE)


def calibration_series(card: Scorecard) -> dict[str, list[tuple[float, float, int]]]:
    """The picture's dots per horizon: (chance given, share up, calls) per bin."""
    return {
        h: [(b.predicted, b.observed, b.count) for b in bs] for h, bs in card.calibration.items()
    }


def calibration_title(t: Texts, card: Scorecard) -> str:
    if card.asset is None:
        return t._("Calibration: chance given vs share that went up")
    return t._("{coin} calibration: chance given vs share that went up", coin=card.asset)


def calibration_caption(t: Texts, card: Scorecard) -> str:
    text = t.ngettext(
        "On the diagonal, a chance of 60% went up 60% of the time. Dot size: calls in the "
        "bin ({count} call resolved).",
        "On the diagonal, a chance of 60% went up 60% of the time. Dot size: calls in the "
        "bin ({count} calls resolved).",
        card.resolved,
        count=t.number(card.resolved),
    )
    return fit(text + "\n" + not_advice(t), MAX_CAPTION)


def axis_labels(t: Texts) -> tuple[str, str]:
    return t._("chance of up I gave"), t._("share that went up")


# --- refusals ------------------------------------------------------------------------------------


def _horizons(choices: tuple[str, ...] | list[str]) -> str:
    return " · ".join(f"<code>{e(c)}</code>" for c in choices)


@says("predict.no_coin")
def _no_coin(t: Texts, choices: tuple[str, ...]) -> str:
    return t._(
        "Which coin? For example <code>/predict BTC</code> or <code>/predict ETH 4h</code> "
        "(horizon {choices}; 24h if left out).",
        choices=_horizons(choices),
    )


@says("predict.bad_horizon")
def _bad_horizon(t: Texts, typed: str, choices: tuple[str, ...]) -> str:
    return t._(
        "“{typed}” is not a horizon I predict — use {choices}, e.g. <code>/predict BTC 4h</code>.",
        typed=e(clip(typed)),
        choices=_horizons(choices),
    )


@says("predict.too_many")
def _too_many(t: Texts, count: int) -> str:
    return t._("Too many words: a coin and a horizon at most, e.g. <code>/predict BTC 4h</code>.")


@says("predict.one_coin")
def _one_coin(t: Texts, count: int) -> str:
    return t._(
        "One coin at a time, please: <code>/predict BTC</code>, or <code>/accuracy</code> for "
        "every coin's record."
    )
